import type { Channel, Locale, OutboundMessage } from "./types.js";

/** What the core needs from the outside world. Adapters in src/db, src/adapters and src/infra implement these. */

export interface UserRecord {
  id: number;
  locale: Locale | null;
  /** true when the person picked the language (/lang); then detection no longer switches it */
  localeChosen: boolean;
  subscribed: boolean;
}

export interface LoggedMessage {
  direction: "in" | "out";
  /** null when the text was withheld (it looked like a password) */
  text: string | null;
  intent: string | null;
  at: Date;
}

export interface HandoffRequest {
  id: number;
  userId: number;
  channel: Channel;
  address: string;
  locale: Locale;
  question: string | null;
  recent: LoggedMessage[];
  at: Date;
}

export interface ConversationStore {
  /** Finds the user behind a channel address, creating both on first contact; records the contact time. */
  touchUser(channel: Channel, address: string, at: Date): UserRecord;
  setLocale(userId: number, locale: Locale, chosen: boolean): void;
  setSubscribed(userId: number, subscribed: boolean, at: Date): void;
  logMessage(userId: number, channel: Channel, entry: LoggedMessage): void;
  recentMessages(userId: number, limit: number): LoggedMessage[];
  /** Counts a question the bot could not answer, once per asking user. */
  recordUnanswered(normalizedText: string, locale: Locale, at: Date, userId: number): void;
  createHandoff(request: Omit<HandoffRequest, "id">): number;
  setHandoffStaffMessage(handoffId: number, staffMessageId: string): void;
  /** A person's message joins their latest hand-off on this channel while it is not closed (it waits again). */
  appendToOpenHandoff(userId: number, channel: Channel, text: string, at: Date): void;
  /**
   * /forget from one chat. When it is the user's only address, the whole user goes (see forgetUser);
   * otherwise only this chat: its address, its channel's log lines and hand-offs, its queued messages, and
   * its id wherever else it was kept; the user's other chats and staff link stay. `normalize` gives the form
   * an unanswered question was counted under (the classifier's), to take the person's questions back.
   */
  forgetAddress(userId: number, channel: Channel, address: string, at: Date, normalize: (text: string) => string): "user" | "chat";
  /** Deletes everything kept about this user, on every address (logs, hand-offs, follows, staff link, queued messages). */
  forgetUser(userId: number, at?: Date, normalize?: (text: string) => string): void;
}

export interface UnitSummary {
  code: string;
  name: string;
}

/** The organisation tree as the chat sees it: search by name or code, follow a school. */
export interface UnitDirectory {
  search(query: string, limit: number): UnitSummary[];
  follow(userId: number, code: string, at: Date): UnitSummary | undefined;
  unfollow(userId: number, code: string): UnitSummary | undefined;
  followed(userId: number): UnitSummary[];
}

export interface StaffPerson {
  id: number;
  name: string;
  role: string;
  unitId: number;
  unitName: string;
  unitType: string;
  unitLevel: string | null;
}

export interface StaffTask {
  taskId: number;
  unitId: number;
  title: string;
  dueOn: string | null;
  dueNote: string | null;
}

/** Linking a chat to a registry person (/link, /unlink); src/registry/linking.ts implements it. */
export interface LinkingPort {
  looksLikeCode(text: string): boolean;
  link(
    code: string,
    channel: Channel,
    address: string,
    userId: number,
    at: Date,
  ):
    | { ok: true; joined: boolean; person: { name: string; role: string }; unit: { code: string; name: string } }
    | { ok: false; reason: "unknown" | "expired" | "used" | "rate_limited" | "busy" | "linked_elsewhere"; retryAfterMinutes?: number };
  /** a code with which another chat joins this linked user; undefined when this user is not linked */
  joinCode(userId: number, at: Date): { code: string; validMinutes: number } | undefined;
  /** only this chat leaves when the user has others; from the only chat, the person is unlinked */
  unlink(userId: number, channel: Channel, address: string, at: Date): { name: string; onlyThisChat: boolean } | undefined;
}

/** The task board as the chat sees it: a linked person's open tasks, done and snooze (src/tasks/task-board.ts). */
/** The channels a registry person turned off for reminders (/settings); the delivery ladder skips them. */
export interface ReachSettingsPort {
  off(personId: number): string[];
  setOff(personId: number, off: string[], at: Date): void;
  /** the person's own order of the channels, complete; [] for the default (chats first, the one used last first) */
  order(personId: number): string[];
  /** stores an order (completed with the channels not named); [] goes back to the default */
  setOrder(personId: number, order: readonly string[], at: Date): void;
}

export interface TaskBoardPort {
  personOf(userId: number): StaffPerson | undefined;
  openTasks(person: StaffPerson, locale: Locale): StaffTask[];
  markDone(
    userId: number,
    taskId: number,
    unitId: number,
    at: Date,
  ):
    | { ok: true; task: string; unit: string }
    | { ok: false; reason: "not_linked" | "forbidden" | "unknown" }
    | { ok: false; reason: "already"; by: string; at: Date };
  snooze(userId: number, reminderId: number, at: Date): { until: Date } | undefined;
}

export interface Clock {
  now(): Date;
}

export interface Translator {
  t(key: string, locale: Locale, vars?: Record<string, string | number>): string;
}

/** Where hand-off requests go (a staff Telegram chat); optional. */
export interface StaffNotifier {
  /**
   * Posts the request; resolves (with the post's id when a reply to it can be relayed back) only once staff
   * can see it, and throws when the post did not get there.
   */
  notifyHandoff(request: HandoffRequest): Promise<string | void>;
}

export interface ConversationObserver {
  onUnderstood(channel: Channel, intent: string, confidence: number): void;
  onFallback(channel: Channel): void;
}

export type { OutboundMessage };

/** A passage of the Department's directive, as the bot quotes it. */
export interface DirectivePassage {
  section: string;
  title: string;
  /** trimmed to a readable length */
  text: string;
  /** which document, which year: "Hướng dẫn … năm học 2019-2020 (dự thảo)" */
  source: string;
}

/** Searching the directive when no topic fits: staff get passages more readily than the public. */
export interface DirectiveLookup {
  /** the best passage if it answers the question well enough for this audience, and the next candidates */
  lookup(question: string, audience: "staff" | "public"): { passage: DirectivePassage; more: string[] } | undefined;
  passage(section: string): DirectivePassage | undefined;
}
