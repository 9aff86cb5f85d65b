import { BUTTON_PREFIX } from "./answer-book.js";

/**
 * The payloads of the task buttons a reminder or /tasks carries: "#done:<task>:<unit>" and
 * "#snooze:<reminder>". One encoder and one decoder; the wire format is fixed, since buttons already sent
 * come back months later. Telegram keeps callback data within 64 bytes: two 15-digit ids fit easily.
 */
export type TaskButton = { kind: "done"; taskId: number; unitId: number } | { kind: "snooze"; reminderId: number };

const ID = "([1-9]\\d{0,14})";
const DONE = new RegExp(`^${BUTTON_PREFIX}done:${ID}:${ID}$`);
const SNOOZE = new RegExp(`^${BUTTON_PREFIX}snooze:${ID}$`);

function checkId(id: number): number {
  if (!Number.isSafeInteger(id) || id < 1) throw new Error(`a task button carries positive integer ids, not ${id}`);
  return id;
}

export function encodeTaskButton(button: TaskButton): string {
  return button.kind === "done"
    ? `${BUTTON_PREFIX}done:${checkId(button.taskId)}:${checkId(button.unitId)}`
    : `${BUTTON_PREFIX}snooze:${checkId(button.reminderId)}`;
}

/** The button a payload stands for, or undefined when it is not a well-formed task button. */
export function decodeTaskButton(text: string): TaskButton | undefined {
  const done = DONE.exec(text);
  if (done) return { kind: "done", taskId: Number(done[1]), unitId: Number(done[2]) };
  const snooze = SNOOZE.exec(text);
  if (snooze) return { kind: "snooze", reminderId: Number(snooze[1]) };
  return undefined;
}
