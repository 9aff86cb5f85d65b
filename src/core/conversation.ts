import { AnswerBook, BUTTON_PREFIX } from "./answer-book.js";
import { telegramLink, type ChannelLinks } from "./channel-links.js";
import type {
  Clock,
  ConversationObserver,
  DirectiveLookup,
  DirectivePassage,
  ConversationStore,
  StaffNotifier,
  Translator,
  UnitDirectory,
  UserRecord,
} from "./ports.js";
import { plainText } from "./rich-text.js";
import { loggableText, looksLikePassword } from "./sensitive.js";
import { decodeTaskButton } from "./task-buttons.js";
import type { StaffChat } from "./staff-chat.js";
import { nextOfficeOpening, type OfficeHours } from "./time/office-hours.js";
import { formatDate, localDateParts, localDateTime } from "./time/zoned-time.js";
import type { Channel, InboundEvent, Locale, OutboundMessage, Reply } from "./types.js";

/** The slice of the NLU engine the core relies on. */
export interface Understanding {
  classify(text: string): { intent: string; confidence: number; locale: Locale | undefined; normalized: string };
  normalize(text: string): string;
}

export interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ConversationDeps {
  nlu: Understanding;
  answers: AnswerBook;
  store: ConversationStore;
  translator: Translator;
  clock: Clock;
  defaultLocale: Locale;
  logger: Logger;
  staff?: StaffNotifier | undefined;
  observer?: ConversationObserver | undefined;
  units?: UnitDirectory | undefined;
  staffChat?: StaffChat | undefined;
  /** the directive, searched when no topic fits */
  directive?: DirectiveLookup | undefined;
  /** Telegram and Zalo links the web chat offers for announcements and reminders */
  channelLinks?: ChannelLinks | undefined;
  /** when staff read hand-offs; a request outside them is told when they will */
  officeHours?: OfficeHours | undefined;
}

/** Longest text the core reads; adapters reject or trim longer input before it gets here. */
export const MAX_INPUT_CHARS = 4096;
/** Only this much of a message is classified: the question is at its start, the rest is noise. */
const CLASSIFY_CHARS = 2000;
const HANDOFF_CONTEXT = 6;
/** The answer when a hand-off could not be posted (or there is no staff chat): no promise that staff know. */
const HANDOFF_UNSENT = "human_handoff_unsent";

const META_ACTIONS = new Set(["subscribe", "unsubscribe", "human_handoff", "language", "out_of_scope"]);

/**
 * The conversation core: the one entry point for everything a person says, on any channel.
 * It imports no platform library; adapters turn updates into InboundEvents and send the replies.
 */
export class Conversation {
  constructor(private readonly deps: ConversationDeps) {}

  async handle(event: InboundEvent): Promise<Reply> {
    const { store } = this.deps;
    const at = event.receivedAt;
    const user = store.touchUser(event.channel, event.address, at);
    const text = event.text.normalize("NFC").trim().slice(0, MAX_INPUT_CHARS);
    const hinted = this.localeOf(user, undefined, event.languageHint);

    if (text === "") return this.reply([this.say("empty", hinted)], "empty", 1, hinted);

    if (event.kind === "button" || text.startsWith(BUTTON_PREFIX)) {
      const target = text.slice(BUTTON_PREFIX.length);
      const taskButton = decodeTaskButton(text);
      if (taskButton && this.deps.staffChat) {
        store.logMessage(user.id, event.channel, { direction: "in", text, intent: taskButton.kind, at });
        const chat = this.deps.staffChat;
        const message =
          taskButton.kind === "done"
            ? chat.done(user.id, taskButton.taskId, taskButton.unitId, at, hinted)
            : chat.snooze(user.id, taskButton.reminderId, at, hinted);
        return this.reply([message], taskButton.kind, 1, hinted);
      }
      const directive = /^directive:([A-Za-z0-9.()-]{1,24}(?:,[A-Za-z0-9.()-]{1,24}){0,2})$/.exec(target);
      if (directive && this.deps.directive) {
        store.logMessage(user.id, event.channel, { direction: "in", text, intent: "directive", at });
        const [first, ...rest] = (directive[1] as string).split(",");
        const passage = this.deps.directive.passage(first as string);
        if (passage) return this.reply([this.quote(passage, rest, hinted)], "directive", 1, hinted);
      }
      const follow = /^(follow|unfollow):(\S{1,40})$/.exec(target);
      if (follow) {
        store.logMessage(user.id, event.channel, { direction: "in", text, intent: follow[1] as string, at });
        if (event.channel === "web" && follow[1] === "follow") return this.reply([this.onlyElsewhere("follow_web", hinted)], "follow", 1, hinted);
        return this.followUnit(follow[1] as "follow" | "unfollow", follow[2] as string, user, at, hinted);
      }
      if (this.isTarget(target)) {
        store.logMessage(user.id, event.channel, { direction: "in", text, intent: target, at });
        return this.follow(target, user, event, hinted, null);
      }
    }

    if (text.startsWith("/")) {
      const command = parseCommand(text);
      if (command) {
        store.logMessage(user.id, event.channel, { direction: "in", text: loggableText(text), intent: `/${command.name}`, at });
        return this.command(command.name, command.arg, user, event, hinted);
      }
    }

    const normalized = this.deps.nlu.normalize(text);
    if (looksLikePassword(normalized)) {
      const locale = this.localeOf(user, this.deps.nlu.classify(text).locale, event.languageHint);
      store.logMessage(user.id, event.channel, { direction: "in", text: null, intent: "password_warning", at });
      const warning = this.say("password_warning", locale);
      warning.buttons = this.deps.answers.buttons(["vnedu.password", "contact"], locale);
      return this.reply([warning], "password_warning", 1, locale);
    }

    const understood = this.deps.nlu.classify(text.slice(0, CLASSIFY_CHARS));
    const locale = this.localeOf(user, understood.locale, event.languageHint);
    if (understood.locale && !user.localeChosen && user.locale !== understood.locale) {
      store.setLocale(user.id, understood.locale, false);
    }
    const loggable = loggableText(text);
    store.logMessage(user.id, event.channel, { direction: "in", text: loggable, intent: understood.intent, at });
    store.appendToOpenHandoff(user.id, event.channel, loggable, at);
    this.deps.observer?.onUnderstood(event.channel, understood.intent, understood.confidence);
    if (understood.intent === "out_of_scope") {
      const audience = this.deps.staffChat?.person(user.id) ? "staff" : "public";
      const found = this.deps.directive?.lookup(text.slice(0, CLASSIFY_CHARS), audience);
      if (found) {
        this.logOut(user, event.channel, `directive:${found.passage.section}`, at);
        return this.reply([this.quote(found.passage, found.more, locale)], "directive", understood.confidence, locale);
      }
      // A message carrying a link code is not kept in the list of unanswered questions either.
      if (loggable === text) store.recordUnanswered(understood.normalized, locale, at, user.id);
      this.deps.observer?.onFallback(event.channel);
    }
    return this.follow(understood.intent, user, event, locale, text, understood.confidence);
  }

  /** Answers an intent or a button target, carrying out what the meta intents do. */
  private async follow(
    target: string,
    user: UserRecord,
    event: InboundEvent,
    locale: Locale,
    question: string | null,
    confidence = 1,
  ): Promise<Reply> {
    const { answers, store } = this.deps;
    const at = event.receivedAt;
    if (target === "menu") return this.reply([this.menu(locale)], "menu", confidence, locale);
    if (target === "lang.vi" || target === "lang.en") {
      const chosen = target === "lang.vi" ? "vi" : "en";
      store.setLocale(user.id, chosen, true);
      return this.reply([answers.answer("language", chosen)], "language", confidence, chosen);
    }
    if ((target === "staff.deadlines" || target === "staff.tasks") && this.deps.staffChat) {
      const person = this.deps.staffChat.person(user.id);
      if (person) {
        this.logOut(user, event.channel, target, at);
        return this.reply([this.deps.staffChat.tasks(person, locale, target === "staff.tasks")], target, confidence, locale);
      }
    }
    if (!META_ACTIONS.has(target)) {
      const message = answers.answer(target, locale);
      this.logOut(user, event.channel, target, at);
      return this.reply([message], target, confidence, locale);
    }
    switch (target) {
      case "subscribe":
        // Broadcasts skip web chat addresses: a subscription here would promise what never arrives.
        if (event.channel === "web") {
          this.logOut(user, event.channel, target, at);
          return this.reply([this.onlyElsewhere("subscribe_web", locale)], target, confidence, locale);
        }
        store.setSubscribed(user.id, true, at);
        break;
      case "unsubscribe":
        store.setSubscribed(user.id, false, at);
        // Nothing was ever sent to the web chat: say so rather than "no longer sending".
        if (event.channel === "web") {
          this.logOut(user, event.channel, target, at);
          return this.reply([this.deps.answers.answer("unsubscribe_web", locale)], target, confidence, locale);
        }
        break;
      case "language": {
        const chosen = languageAskedFor(question ?? "", locale);
        store.setLocale(user.id, chosen, true);
        this.logOut(user, event.channel, target, at);
        return this.reply([answers.answer("language", chosen)], target, confidence, chosen);
      }
      case "human_handoff": {
        const reached = await this.handOff(user, event, locale);
        this.logOut(user, event.channel, target, at);
        // Say it reached staff only when it did.
        if (!reached) return this.reply([answers.answer(HANDOFF_UNSENT, locale)], target, confidence, locale);
        const sent = answers.answer(target, locale);
        const when = this.staffSeesAt(locale);
        if (when) sent.text.lines.splice(1, 0, [{ text: when }]);
        return this.reply([sent], target, confidence, locale);
      }
      case "out_of_scope":
        break;
    }
    this.logOut(user, event.channel, target, at);
    const message = answers.answer(target, locale);
    if (target === "subscribe" && this.deps.units) message.text.lines.push([], [{ text: this.deps.translator.t("follow_offer", locale) }]);
    return this.reply([message], target, confidence, locale);
  }

  private async command(
    name: string,
    arg: string,
    user: UserRecord,
    event: InboundEvent,
    locale: Locale,
  ): Promise<Reply> {
    const { answers, store } = this.deps;
    switch (name) {
      case "start": {
        if (arg && this.deps.staffChat && this.deps.staffChat.looksLikeCode(arg)) {
          if (event.channel === "web") return this.reply([this.linkElsewhere(arg, locale)], "link", 1, locale);
          return this.reply([this.deps.staffChat.link(arg, event.channel, event.address, user.id, event.receivedAt, locale)], "link", 1, locale);
        }
        // Deep-link payloads allow only A-Z a-z 0-9 _ -, so "dvc-transfer_school" stands for dvc.transfer_school.
        const deepLinked = arg.replace(/-/g, ".");
        if (arg && answers.has(deepLinked, locale)) return this.follow(deepLinked, user, event, locale, null);
        const welcome = answers.answer("greeting", locale);
        welcome.buttons = answers.menuButtons(locale);
        return this.reply([welcome], "greeting", 1, locale);
      }
      case "help":
        return this.follow("help", user, event, locale, null);
      case "menu":
        return this.follow("menu", user, event, locale, null);
      case "subscribe":
      case "unsubscribe":
        return this.follow(name, user, event, locale, null);
      case "lang": {
        const wanted = arg.toLowerCase();
        if (wanted === "vi" || wanted === "en") return this.follow(`lang.${wanted}`, user, event, locale, null);
        const choose = this.say("lang_choose", locale);
        choose.buttons = answers.buttons(["lang.vi", "lang.en"], locale);
        return this.reply([choose], "language", 1, locale);
      }
      case "link":
      case "unlink":
      case "tasks":
      case "settings":
        return this.staffCommand(name, arg, user, event, locale);
      case "follow":
        if (event.channel === "web") return this.reply([this.onlyElsewhere("follow_web", locale)], "follow", 1, locale);
        return this.searchUnits(arg, locale);
      case "unfollow":
        return this.listFollowed(user, locale);
      case "forget": {
        const normalize = (asked: string): string => this.deps.nlu.classify(asked.slice(0, CLASSIFY_CHARS)).normalized;
        const scope = store.forgetAddress(user.id, event.channel, event.address, event.receivedAt, normalize);
        return this.reply([this.say(scope === "user" ? "forgotten" : "forgotten_chat", locale)], "forget", 1, locale);
      }
      default: {
        const unknown = this.say("unknown_command", locale, { command: `/${name}` });
        unknown.buttons = answers.buttons(["menu"], locale);
        return this.reply([unknown], "unknown_command", 1, locale);
      }
    }
  }

  private staffCommand(name: string, arg: string, user: UserRecord, event: InboundEvent, locale: Locale): Reply {
    const chat = this.deps.staffChat;
    if (!chat) return this.reply([this.say("unknown_command", locale, { command: `/${name}` })], "unknown_command", 1, locale);
    // Reminders never reach the web chat: a code redeemed here would link a chat that hears nothing.
    if (name === "link" && event.channel === "web") return this.reply([this.linkElsewhere(arg, locale)], "link", 1, locale);
    if (name === "link") return this.reply([chat.link(arg, event.channel, event.address, user.id, event.receivedAt, locale)], "link", 1, locale);
    if (name === "unlink") return this.reply([chat.unlink(user.id, event.channel, event.address, event.receivedAt, locale)], "unlink", 1, locale);
    const person = chat.person(user.id);
    if (!person) return this.reply([this.say("link.not_linked", locale)], name, 1, locale);
    if (name === "settings") return this.reply([chat.settings(person, arg, event.receivedAt, locale)], "settings", 1, locale);
    return this.reply([chat.tasks(person, locale, true)], "tasks", 1, locale);
  }

  private searchUnits(query: string, locale: Locale): Reply {
    const { units, answers } = this.deps;
    if (!units) return this.reply([this.say("follow_unavailable", locale)], "follow", 1, locale);
    if (query.trim().length < 2) return this.reply([this.say("follow_how", locale)], "follow", 1, locale);
    const found = units.search(query, 6);
    if (found.length === 0) {
      const none = this.say("follow_none", locale, { query: query.slice(0, 80) });
      none.buttons = answers.buttons(["menu"], locale);
      return this.reply([none], "follow", 1, locale);
    }
    const message = this.say("follow_pick", locale);
    message.buttons = found.map((u) => ({ label: u.name.slice(0, 60), payload: `${BUTTON_PREFIX}follow:${u.code}` }));
    return this.reply([message], "follow", 1, locale);
  }

  private listFollowed(user: UserRecord, locale: Locale): Reply {
    const followed = this.deps.units?.followed(user.id) ?? [];
    if (followed.length === 0) return this.reply([this.say("unfollow_none", locale)], "unfollow", 1, locale);
    const message = this.say("unfollow_pick", locale);
    message.buttons = followed.map((u) => ({ label: u.name.slice(0, 60), payload: `${BUTTON_PREFIX}unfollow:${u.code}` }));
    return this.reply([message], "unfollow", 1, locale);
  }

  private followUnit(action: "follow" | "unfollow", code: string, user: UserRecord, at: Date, locale: Locale): Reply {
    const { units } = this.deps;
    const unit = action === "follow" ? units?.follow(user.id, code, at) : units?.unfollow(user.id, code);
    if (!unit) return this.reply([this.say("follow_unknown", locale)], action, 1, locale);
    return this.reply([this.say(action === "follow" ? "followed" : "unfollowed", locale, { name: unit.name })], action, 1, locale);
  }

  /** On the web chat: what only Telegram and Zalo receive, with links there (or the website when none is known). */
  private onlyElsewhere(answer: "subscribe_web" | "follow_web", locale: Locale): OutboundMessage {
    const telegram = telegramLink(this.deps.channelLinks);
    const zalo = this.deps.channelLinks?.zaloOaUrl;
    if (!telegram && !zalo) return this.deps.answers.answer("announcements_web_none", locale);
    const message = this.deps.answers.answer(answer, locale);
    if (telegram) message.text.lines.push([{ text: this.deps.translator.t("elsewhere.telegram", locale, { url: telegram }) }]);
    if (zalo) message.text.lines.push([{ text: this.deps.translator.t("elsewhere.zalo", locale, { url: zalo }) }]);
    return message;
  }

  /** /link CODE on the web chat: the code is not used here; the same code links a Telegram or Zalo chat. */
  private linkElsewhere(arg: string, locale: Locale): OutboundMessage {
    const { translator, channelLinks } = this.deps;
    const looksRight = arg !== "" && (this.deps.staffChat?.looksLikeCode(arg) ?? false);
    const code = looksRight ? arg.toUpperCase().replace(/[\s-]/g, "") : "";
    const lines = [translator.t(code ? "link.web" : "link.web_how", locale)];
    const telegram = telegramLink(channelLinks, code || undefined);
    if (telegram) lines.push(translator.t(code ? "link.web_telegram" : "elsewhere.telegram", locale, { url: telegram }));
    const zalo = channelLinks?.zaloOaUrl;
    if (code) lines.push(translator.t(zalo ? "link.web_zalo_at" : "link.web_zalo", locale, { code, url: zalo ?? "" }));
    else if (zalo) lines.push(translator.t("elsewhere.zalo", locale, { url: zalo }));
    return { text: plainText(lines.join("\n")), buttons: [] };
  }

  /** Outside office hours: when staff will see a hand-off ("from 07:30 Monday, 15/01/2027"). */
  private staffSeesAt(locale: Locale): string | undefined {
    const hours = this.deps.officeHours;
    const opening = nextOfficeOpening(this.deps.clock.now(), hours);
    if (!opening || !hours) return undefined;
    const [date, time] = localDateTime(opening, hours.timeZone).split(" ") as [string, string];
    const weekday = this.deps.translator.t(`weekday.${localDateParts(opening, hours.timeZone).weekday}`, locale);
    return this.deps.translator.t("handoff_opening", locale, { time, weekday, date: formatDate(date) });
  }

  /** Stores the request and posts it to staff; true only when the post reached the staff chat. */
  private async handOff(user: UserRecord, event: InboundEvent, locale: Locale): Promise<boolean> {
    const { store, staff, logger } = this.deps;
    const recent = store.recentMessages(user.id, HANDOFF_CONTEXT);
    const question = [...recent].reverse().find((m) => m.direction === "in" && m.text !== null)?.text ?? null;
    const request = {
      userId: user.id,
      channel: event.channel,
      address: event.address,
      locale,
      question,
      recent,
      at: event.receivedAt,
    };
    const id = store.createHandoff(request);
    if (!staff) return false;
    try {
      const posted = await staff.notifyHandoff({ id, ...request });
      if (posted) store.setHandoffStaffMessage(id, posted);
      return true;
    } catch (error) {
      // The request stays stored; the person is told it did not reach anyone yet.
      logger.error({ err: error, handoff: id }, "could not post hand-off to the staff chat");
      return false;
    }
  }

  /** A passage of the directive with where it comes from, and a button to the next candidate if any. */
  private quote(passage: DirectivePassage, more: string[], locale: Locale): OutboundMessage {
    const message = this.say("directive.passage", locale, { ...passage });
    if (more.length > 0) message.buttons = [{ label: this.deps.translator.t("directive.next", locale), payload: `${BUTTON_PREFIX}directive:${more.join(",")}` }];
    return message;
  }

  private menu(locale: Locale): OutboundMessage {
    const message = this.say("menu_title", locale);
    message.buttons = this.deps.answers.menuButtons(locale);
    return message;
  }

  private say(key: string, locale: Locale, vars?: Record<string, string | number>): OutboundMessage {
    return { text: plainText(this.deps.translator.t(key, locale, vars)), buttons: [] };
  }

  private isTarget(target: string): boolean {
    return this.deps.answers.knowsTarget(target);
  }

  private logOut(user: UserRecord, channel: Channel, intent: string, at: Date): void {
    this.deps.store.logMessage(user.id, channel, { direction: "out", text: null, intent, at });
  }

  /** The user's chosen language wins; then the message's own; then what we knew; then the platform's hint. */
  private localeOf(user: UserRecord, detected: Locale | undefined, hint: string | undefined): Locale {
    if (user.localeChosen && user.locale) return user.locale;
    if (detected) return detected;
    if (user.locale) return user.locale;
    if (hint?.toLowerCase().startsWith("vi")) return "vi";
    if (hint?.toLowerCase().startsWith("en")) return "en";
    return this.deps.defaultLocale;
  }

  private reply(messages: OutboundMessage[], intent: string, confidence: number, locale: Locale): Reply {
    return { messages, intent, confidence, locale };
  }
}

export function parseCommand(text: string): { name: string; arg: string } | null {
  const m = /^\/([A-Za-z_]{1,32})(?:@\w+)?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!m) return null;
  return { name: (m[1] as string).toLowerCase(), arg: (m[2] ?? "").trim() };
}

/** "nói tiếng Anh được không" → en, "speak Vietnamese" → vi; otherwise the other language. */
function languageAskedFor(question: string, current: Locale): Locale {
  const folded = question
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/đ/gi, "d")
    .toLowerCase();
  if (/tieng viet|vietnamese|\bviet\b|\bvi\b/.test(folded)) return "vi";
  if (/tieng anh|english|\beng?\b|\banh ngu\b/.test(folded)) return "en";
  return current === "vi" ? "en" : "vi";
}
