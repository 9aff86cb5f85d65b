import type { LinkingPort, ReachSettingsPort, StaffPerson, TaskBoardPort, Translator } from "./ports.js";
import { plainText } from "./rich-text.js";
import { encodeTaskButton } from "./task-buttons.js";
import { formatDate } from "./time/zoned-time.js";
import type { Channel, Locale, OutboundMessage, Span } from "./types.js";

/** The ladder's channels a person may turn off or put in order, in its default order (the chat used last first). */
const REACH_CHANNELS = ["zalo", "telegram", "zns", "email"];

/**
 * The staff side of the conversation: /link, /unlink, /tasks, the reminder buttons (done, snooze) and the
 * live answers to staff.deadlines and staff.tasks. Kept apart from the parents' flow it would clutter.
 */
export class StaffChat {
  constructor(
    private readonly linking: LinkingPort,
    private readonly board: TaskBoardPort,
    private readonly translator: Translator,
    private readonly timeZone: string,
    private readonly reach?: ReachSettingsPort,
  ) {}

  looksLikeCode(text: string): boolean {
    return this.linking.looksLikeCode(text);
  }

  /** /link CODE links this chat; /link alone, in a linked chat, gives a code to add another chat. */
  link(code: string, channel: Channel, address: string, userId: number, at: Date, locale: Locale): OutboundMessage {
    if (code.trim() === "") {
      const join = this.linking.joinCode(userId, at);
      return join ? this.say("link.join_code", locale, { code: join.code, minutes: join.validMinutes }) : this.say("link.how", locale);
    }
    const outcome = this.linking.link(code, channel, address, userId, at);
    if (outcome.ok) {
      return this.say(outcome.joined ? "link.joined" : "link.ok", locale, {
        name: outcome.person.name,
        role: this.translator.t(`roles.${outcome.person.role}`, locale),
        unit: outcome.unit.name,
      });
    }
    return this.say(`link.${outcome.reason}`, locale, { minutes: outcome.retryAfterMinutes ?? 0 });
  }

  unlink(userId: number, channel: Channel, address: string, at: Date, locale: Locale): OutboundMessage {
    const person = this.linking.unlink(userId, channel, address, at);
    if (!person) return this.say("link.not_linked", locale);
    return this.say(person.onlyThisChat ? "link.unlinked_chat" : "link.unlinked", locale, { name: person.name });
  }

  person(userId: number): StaffPerson | undefined {
    return this.board.personOf(userId);
  }

  /** /tasks: each open task with its due date and its own done button, labelled with the task. */
  tasks(person: StaffPerson, locale: Locale, withButtons: boolean): OutboundMessage {
    const open = this.board.openTasks(person, locale);
    if (open.length === 0) return this.say("tasks.none", locale, { unit: person.unitName });
    const lines: Span[][] = [[{ text: this.translator.t("tasks.title", locale, { unit: person.unitName }), bold: true }], []];
    for (const task of open) {
      const due = task.dueOn ? this.translator.t("tasks.due", locale, { date: formatDate(task.dueOn) }) : (task.dueNote ?? this.translator.t("tasks.no_date", locale));
      lines.push([{ text: `• ${task.title}`, bold: true }, { text: ` — ${due}` }]);
    }
    const buttons = withButtons
      ? open.slice(0, 20).map((task) => ({
          label: `✅ ${task.title}`.slice(0, 60),
          payload: encodeTaskButton({ kind: "done", taskId: task.taskId, unitId: task.unitId }),
        }))
      : [];
    return { text: { lines }, buttons };
  }

  done(userId: number, taskId: number, unitId: number, at: Date, locale: Locale): OutboundMessage {
    const outcome = this.board.markDone(userId, taskId, unitId, at);
    if (outcome.ok) return this.say("done.thanks", locale, { task: outcome.task, unit: outcome.unit });
    if (outcome.reason === "already") {
      return this.say("done.already", locale, { by: outcome.by, date: outcome.at.toLocaleDateString("vi-VN", { timeZone: this.timeZone }) });
    }
    return this.say(`done.${outcome.reason}`, locale);
  }

  snooze(userId: number, reminderId: number, at: Date, locale: Locale): OutboundMessage {
    const result = this.board.snooze(userId, reminderId, at);
    if (!result) return this.say("snooze.failed", locale);
    const when = result.until.toLocaleString(locale === "en" ? "en-GB" : "vi-VN", {
      timeZone: this.timeZone,
      dateStyle: "short",
      timeStyle: "short",
    });
    return this.say("snooze.ok", locale, { when });
  }

  /**
   * /settings: which channels reminders may use for this person, in the order they are tried. `/settings off
   * email` (or `tắt`) turns one off, `/settings on email` (or `bật`) back on; `/settings order email zalo`
   * (or `thứ tự`) tries those first, in that order, then the others; `/settings order default` (`mặc định`)
   * goes back to the chat used last first. The ladder skips what is off and follows the order.
   */
  settings(person: StaffPerson, arg: string, at: Date, locale: Locale): OutboundMessage {
    const reach = this.reach;
    if (!reach) return this.say("settings.unavailable", locale);
    const words = arg.trim().toLowerCase().normalize("NFC").split(/\s+/).filter((w) => w !== "");
    let off = reach.off(person.id);
    let order = reach.order(person.id);
    let changed = "";
    if (words[0] === "thứ" && words[1] === "tự") words.splice(0, 2, "order");
    if (words[0] === "thu" && words[1] === "tu") words.splice(0, 2, "order");
    const [verb = "", ...rest] = words;
    const channelOf = (word: string) => (word === "mail" || word === "e-mail" ? "email" : word);
    if (verb === "order") {
      const named = rest.map(channelOf);
      const reset = named.length === 0 || ["default", "mặc", "mac"].includes(named[0] ?? "");
      if (!reset && !named.every((c) => REACH_CHANNELS.includes(c))) return this.say("settings.how_order", locale);
      reach.setOrder(person.id, reset ? [] : named, at);
      // Stored complete: the channels not named follow in the default order.
      order = reach.order(person.id);
      changed = reset
        ? this.translator.t("settings.order_default", locale)
        : this.translator.t("settings.order_set", locale, { order: order.map((c) => this.translator.t(`settings.channel.${c}`, locale)).join(" → ") });
    } else if (verb !== "") {
      const turnOff = verb === "off" || verb === "tắt" || verb === "tat";
      const turnOn = verb === "on" || verb === "bật" || verb === "bat";
      const wanted = channelOf(rest[0] ?? "");
      if ((!turnOff && !turnOn) || !REACH_CHANNELS.includes(wanted)) return this.say("settings.how", locale);
      off = turnOff ? [...off.filter((c) => c !== wanted), wanted] : off.filter((c) => c !== wanted);
      reach.setOff(person.id, off, at);
      changed = this.translator.t(turnOff ? "settings.turned_off" : "settings.turned_on", locale, { channel: this.translator.t(`settings.channel.${wanted}`, locale) });
    }
    const lines: Span[][] = [];
    if (changed) lines.push([{ text: changed }], []);
    lines.push([{ text: this.translator.t(order.length > 0 ? "settings.title_own_order" : "settings.title", locale), bold: true }]);
    (order.length > 0 ? order : REACH_CHANNELS).forEach((c, i) => {
      const state = this.translator.t(off.includes(c) ? "settings.off" : "settings.on", locale);
      lines.push([{ text: `${i + 1}. ${this.translator.t(`settings.channel.${c}`, locale)}: ${state}` }]);
    });
    if (REACH_CHANNELS.every((c) => off.includes(c))) lines.push([], [{ text: this.translator.t("settings.all_off", locale) }]);
    lines.push([], [{ text: this.translator.t("settings.how", locale) }], [{ text: this.translator.t("settings.how_order", locale) }]);
    return { text: { lines }, buttons: [] };
  }

  private say(key: string, locale: Locale, vars?: Record<string, string | number>): OutboundMessage {
    return { text: plainText(this.translator.t(key, locale, vars)), buttons: [] };
  }
}
