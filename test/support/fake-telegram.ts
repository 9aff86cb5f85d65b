/**
 * A fake Telegram Bot API server for tests.
 *
 * It speaks real HTTP on 127.0.0.1 (random port) and answers like api.telegram.org:
 * every reply is the Bot API envelope with the same HTTP status, method names are
 * case-insensitive, parameters come from the query string, JSON bodies or
 * application/x-www-form-urlencoded bodies. Point telegraf at it with
 * `new Telegraf(fake.token, { telegram: { apiRoot: fake.apiRoot } })`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { CallbackQuery, Chat, Message, MessageEntity, Update, User } from "telegraf/types";

// ───────────────────────────── Public types ─────────────────────────────

export interface FakeTelegramOptions {
  /** Bot token, `<bot id>:<secret>`. */
  token?: string;
  /** Bot username (without @). */
  username?: string;
  /** Bot display name. */
  firstName?: string;
  /** The real API only accepts HTTPS webhook URLs; set true to also accept http:// URLs. */
  allowHttpWebhook?: boolean;
  /** Methods this server does not know (an older or trimmed Bot API server): they answer 404 Not Found. */
  missingMethods?: string[];
}

export interface InlineKeyboardButtonJson {
  text: string;
  callback_data?: string;
  url?: string;
  [key: string]: unknown;
}

export interface ReplyMarkupJson {
  inline_keyboard?: InlineKeyboardButtonJson[][];
  [key: string]: unknown;
}

/** Entities the fake produces; `expandable_blockquote` is newer than the bundled telegraf typings. */
export type TextEntity = MessageEntity | { type: "expandable_blockquote"; offset: number; length: number };

export type SentMethod = "sendMessage" | "editMessageText" | "editMessageReplyMarkup";

/** An outgoing message (or edit) the bot made successfully. */
export interface SentMessage {
  method: SentMethod;
  chatId: number;
  messageId: number;
  /** The `text` parameter as sent (for editMessageReplyMarkup: the message's current raw text). */
  text: string;
  parseMode: string | undefined;
  /** What the user sees: text after entity parsing and Telegram's whitespace trimming. */
  visibleText: string;
  entities: TextEntity[];
  replyMarkup: ReplyMarkupJson | undefined;
  time: number;
}

export interface RecordedRequest {
  /** Method name as it appeared in the URL. */
  method: string;
  /** Query string and body parameters merged. */
  body: Record<string, unknown>;
  time: number;
}

export interface InjectedFailure {
  status: number;
  /** Defaults to the usual Telegram description for the status. */
  description?: string;
  /** Seconds; sent as `parameters.retry_after`. */
  retryAfter?: number;
}

export interface RateLimitOptions {
  /** Accepted sendMessage calls per rolling second, across all chats. */
  perSecond: number;
}

export interface BotCommandJson {
  command: string;
  description: string;
}

export interface CommandScopeJson {
  type: string;
  chat_id?: number | string;
  user_id?: number;
}

export interface CommandSet {
  scope: CommandScopeJson;
  languageCode: string;
  commands: BotCommandJson[];
}

export interface WebhookState {
  url: string;
  secretToken: string | undefined;
}

export interface AnsweredCallback {
  callbackQueryId: string;
  text: string | undefined;
  showAlert: boolean;
  url: string | undefined;
  cacheTime: number | undefined;
}

export interface ChatActionRecord {
  chatId: number;
  action: string;
  time: number;
}

export interface FakeCounters {
  requests: number;
  /** Every non-ok reply. */
  errors: number;
  /** 429 replies, from rateLimit() and failNext(). */
  tooManyRequests: number;
  /** 403 replies. */
  forbidden: number;
}

export interface TextUpdateOptions {
  languageCode?: string;
  firstName?: string;
  username?: string;
}

type WithOptionalId<U> = U extends unknown ? Omit<U, "update_id"> & { update_id?: number } : never;
/** An Update whose update_id may be left out (pushUpdate assigns one). */
export type UpdateInput = WithOptionalId<Update>;

export type TextUpdate = Update.MessageUpdate<Message.TextMessage>;
export type CallbackUpdate = Update.CallbackQueryUpdate<CallbackQuery.DataQuery>;

export interface FakeTelegram {
  /** e.g. http://127.0.0.1:PORT — pass as telegraf's `telegram.apiRoot`. */
  readonly apiRoot: string;
  readonly token: string;
  readonly botUser: User;
  readonly sent: SentMessage[];
  readonly requests: RecordedRequest[];
  readonly answeredCallbacks: AnsweredCallback[];
  readonly chatActions: ChatActionRecord[];
  readonly commands: CommandSet[];
  readonly webhook: WebhookState;
  readonly menuButtons: ReadonlyMap<number | "default", Record<string, unknown>>;
  /** Updates pushed but not yet confirmed by a getUpdates offset. */
  readonly pendingUpdates: Update[];
  readonly counters: FakeCounters;

  /** Queues an update for getUpdates (wakes long polls); assigns update_id when missing. */
  pushUpdate(update: UpdateInput): Update;
  textUpdate(chatId: number, text: string, options?: TextUpdateOptions): TextUpdate;
  callbackUpdate(chatId: number, data: string, messageId?: number): CallbackUpdate;
  /** POSTs the update as Telegram would to a webhook (assigns update_id when missing). */
  postToWebhook(url: string, update: UpdateInput, secret?: string): Promise<Response>;
  /** Resolves with the first `count` sent messages once that many exist. */
  waitForSent(count: number, timeoutMs?: number): Promise<SentMessage[]>;
  /** Resolves with the first sent message (past or future) matching the predicate. */
  waitForSent(predicate: (message: SentMessage) => boolean, timeoutMs?: number): Promise<SentMessage>;

  blockChat(chatId: number): void;
  unblockChat(chatId: number): void;
  /** The next `times` calls of `method` answer with this error instead of running. */
  failNext(method: string, failure: InjectedFailure, times?: number): void;
  /** Global limit on sendMessage; beyond it the answer is 429 with retry_after. `null` removes it. */
  rateLimit(options: RateLimitOptions | null): void;
  /**
   * The group was upgraded to a supergroup: sends to the old id answer 400 with
   * `parameters.migrate_to_chat_id`, as the real API does.
   */
  migrateChat(fromChatId: number, toChatId: number): void;
  /** While offline every connection is dropped without an answer (a network outage). */
  setOffline(offline: boolean): void;

  /** Forgets all state (messages, updates, records, faults) but keeps the port and token. */
  reset(): void;
  stop(): Promise<void>;
}

// ───────────────────────────── Errors and envelopes ─────────────────────────────

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly retryAfter?: number,
    readonly migrateToChatId?: number,
  ) {
    super(description);
  }
}

const badRequest = (detail: string): ApiError => new ApiError(400, `Bad Request: ${detail}`);

const DEFAULT_DESCRIPTIONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  500: "Internal Server Error",
  502: "Bad Gateway",
};

function defaultDescription(status: number, retryAfter: number | undefined): string {
  if (status === 429) return `Too Many Requests: retry after ${retryAfter ?? 1}`;
  return DEFAULT_DESCRIPTIONS[status] ?? "Error";
}

function tooManyRequests(retryAfter: number): ApiError {
  return new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, retryAfter);
}

interface Outcome {
  result: unknown;
  /** The real API adds a description to some successful answers (e.g. "Webhook was set"). */
  description?: string;
}

function errorEnvelope(error: ApiError): Record<string, unknown> {
  const envelope: Record<string, unknown> = { ok: false, error_code: error.status, description: error.description };
  if (error.retryAfter !== undefined) envelope.parameters = { retry_after: error.retryAfter };
  if (error.migrateToChatId !== undefined) envelope.parameters = { migrate_to_chat_id: error.migrateToChatId };
  return envelope;
}

function successEnvelope(outcome: Outcome): Record<string, unknown> {
  const envelope: Record<string, unknown> = { ok: true, result: outcome.result };
  if (outcome.description !== undefined) envelope.description = outcome.description;
  return envelope;
}

// ───────────────────────────── Parameter reading ─────────────────────────────

type Params = Record<string, unknown>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readString(params: Params, key: string): string | undefined {
  const value = params[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw badRequest(`field "${key}" must be of type String`);
}

function readInteger(params: Params, key: string): number | undefined {
  const value = params[key];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  throw badRequest(`field "${key}" must be of type Integer`);
}

function readBoolean(params: Params, key: string): boolean {
  const value = params[key];
  return value === true || value === "true" || value === "1" || value === 1;
}

/** JSON-typed parameters arrive as objects in JSON bodies and as strings in forms/query strings. */
function readJson(params: Params, key: string, what: string): unknown {
  const value = params[key];
  if (typeof value !== "string") return value;
  if (value === "") return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw badRequest(`can't parse ${what} JSON object`);
  }
}

function readChatId(params: Params): number {
  const value = params.chat_id;
  if (value === undefined || value === null || value === "") throw badRequest("chat_id is empty");
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  // @usernames and anything else: the fake knows no public chats.
  throw badRequest("chat not found");
}

// ───────────────────────────── HTML parse mode ─────────────────────────────

export interface FormattedText {
  text: string;
  entities: TextEntity[];
}

const HTML_TAGS = new Set([
  "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
  "tg-spoiler", "span", "blockquote", "tg-emoji",
]);

const NAMED_HTML_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

const SIMPLE_TAG_TYPES: Record<string, "bold" | "italic" | "underline" | "strikethrough" | "spoiler"> = {
  b: "bold", strong: "bold", i: "italic", em: "italic", u: "underline", ins: "underline",
  s: "strikethrough", strike: "strikethrough", del: "strikethrough", "tg-spoiler": "spoiler", span: "spoiler",
};

interface OpenTag {
  name: string;
  attributes: Map<string, string>;
  /** UTF-16 offset in the output text where the tag's content starts. */
  offset: number;
  /** Set by a <code class="language-…"> nested directly in <pre>. */
  language?: string;
}

class HtmlParseError extends Error {}

const isHtmlSpace = (ch: string | undefined): boolean =>
  ch === " " || ch === "\t" || ch === "\n" || ch === "\r" || ch === "\v" || ch === "\f";

/**
 * Telegram's HTML parse mode (modelled on TDLib's parse_html). Stricter than TDLib in one way:
 * a '&' that does not start a valid entity is rejected instead of kept literally.
 */
class TelegramHtmlParser {
  private pos = 0;
  private out = "";
  private readonly stack: OpenTag[] = [];
  private readonly entities: TextEntity[] = [];

  constructor(private readonly source: string) {}

  parse(): FormattedText {
    while (this.pos < this.source.length) this.step();
    const unclosed = this.stack.at(-1);
    if (unclosed) throw new HtmlParseError(`Can't find end tag corresponding to start tag "${unclosed.name}"`);
    this.entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
    return { text: this.out, entities: this.entities };
  }

  private step(): void {
    const ch = this.source[this.pos];
    if (ch === "&") {
      this.out += this.readEntity(this.pos);
    } else if (ch === "<") {
      if (this.source[this.pos + 1] === "/") this.readEndTag();
      else this.readStartTag();
    } else {
      this.out += ch;
      this.pos += 1;
    }
  }

  private byteOffset(index: number): number {
    return Buffer.byteLength(this.source.slice(0, index), "utf8");
  }

  private fail(message: string): never {
    throw new HtmlParseError(message);
  }

  private readEntity(begin: number): string {
    const decoded = decodeHtmlEntity(this.source, begin);
    if (!decoded) this.fail(`Character "&" at byte offset ${this.byteOffset(begin)} must be escaped as "&amp;"`);
    this.pos = decoded.end;
    return decoded.value;
  }

  private readStartTag(): void {
    const begin = this.pos;
    let i = begin + 1;
    while (i < this.source.length && !isHtmlSpace(this.source[i]) && this.source[i] !== ">") i += 1;
    if (i >= this.source.length) this.fail(`Unclosed start tag at byte offset ${this.byteOffset(begin)}`);
    const name = this.source.slice(begin + 1, i).toLowerCase();
    if (!HTML_TAGS.has(name)) this.fail(`Unsupported start tag "${name}" at byte offset ${this.byteOffset(begin)}`);
    this.pos = i;
    const attributes = this.readAttributes(name, begin);
    if (name === "span" && attributes.get("class") !== "tg-spoiler") {
      this.fail(`Tag "span" must have class "tg-spoiler" at byte offset ${this.byteOffset(begin)}`);
    }
    this.stack.push({ name, attributes, offset: this.out.length });
  }

  /** Reads attributes up to and including the closing '>'. */
  private readAttributes(tag: string, begin: number): Map<string, string> {
    const attributes = new Map<string, string>();
    for (;;) {
      this.skipSpaces();
      if (this.pos >= this.source.length) this.fail(`Unclosed start tag at byte offset ${this.byteOffset(begin)}`);
      if (this.source[this.pos] === ">") {
        this.pos += 1;
        return attributes;
      }
      const nameBegin = this.pos;
      while (this.pos < this.source.length && !isHtmlSpace(this.source[this.pos]) && !"=>".includes(this.source[this.pos] ?? "")) {
        this.pos += 1;
      }
      const attribute = this.source.slice(nameBegin, this.pos).toLowerCase();
      if (attribute === "") this.fail(`Empty attribute name in the tag "${tag}" at byte offset ${this.byteOffset(begin)}`);
      this.skipSpaces();
      if (this.source[this.pos] !== "=") {
        attributes.set(attribute, ""); // boolean attribute, e.g. <blockquote expandable>
        continue;
      }
      this.pos += 1;
      this.skipSpaces();
      if (this.pos >= this.source.length) this.fail(`Unclosed start tag "${tag}" at byte offset ${this.byteOffset(begin)}`);
      attributes.set(attribute, this.readAttributeValue());
    }
  }

  private readAttributeValue(): string {
    const quote = this.source[this.pos];
    if (quote !== '"' && quote !== "'") return this.readNameToken();
    this.pos += 1;
    let value = "";
    while (this.pos < this.source.length && this.source[this.pos] !== quote) {
      if (this.source[this.pos] === "&") {
        value += this.readEntity(this.pos);
      } else {
        value += this.source[this.pos];
        this.pos += 1;
      }
    }
    if (this.pos < this.source.length) this.pos += 1;
    return value;
  }

  private readNameToken(): string {
    const begin = this.pos;
    while (this.pos < this.source.length && /[A-Za-z0-9.-]/.test(this.source[this.pos] ?? "")) this.pos += 1;
    const next = this.source[this.pos];
    if (next !== ">" && !isHtmlSpace(next)) this.fail(`Unexpected end of name token at byte offset ${this.byteOffset(begin)}`);
    return this.source.slice(begin, this.pos).toLowerCase();
  }

  private skipSpaces(): void {
    while (this.pos < this.source.length && isHtmlSpace(this.source[this.pos])) this.pos += 1;
  }

  private readEndTag(): void {
    const begin = this.pos;
    const open = this.stack.at(-1);
    if (!open) this.fail(`Unexpected end tag at byte offset ${this.byteOffset(begin)}`);
    let i = begin + 2;
    while (i < this.source.length && /[A-Za-z0-9-]/.test(this.source[i] ?? "")) i += 1;
    const name = this.source.slice(begin + 2, i).toLowerCase();
    while (i < this.source.length && isHtmlSpace(this.source[i])) i += 1;
    if (this.source[i] !== ">") this.fail(`Unclosed end tag at byte offset ${this.byteOffset(begin)}`);
    if (name !== "" && name !== open.name) {
      this.fail(`Unmatched end tag at byte offset ${this.byteOffset(begin)}, expected "</${open.name}>", found "</${name}>"`);
    }
    this.pos = i + 1;
    this.stack.pop();
    this.close(open);
  }

  private close(tag: OpenTag): void {
    const offset = tag.offset;
    const length = this.out.length - offset;
    const parent = this.stack.at(-1);
    if (tag.name === "code" && parent?.name === "pre") {
      const language = languageOf(tag);
      if (language) parent.language = language;
      return; // TDLib folds <pre><code class="language-x"> into one pre entity
    }
    if (length === 0) return;
    const entity = entityForTag(tag, offset, length);
    if (entity) this.entities.push(entity);
  }
}

function languageOf(tag: OpenTag): string | undefined {
  const cls = tag.attributes.get("class");
  return cls?.startsWith("language-") ? cls.slice("language-".length) : undefined;
}

function entityForTag(tag: OpenTag, offset: number, length: number): TextEntity | undefined {
  const simple = SIMPLE_TAG_TYPES[tag.name];
  if (simple) return { type: simple, offset, length };
  switch (tag.name) {
    case "code":
      return { type: "code", offset, length };
    case "pre":
      return tag.language ? { type: "pre", offset, length, language: tag.language } : { type: "pre", offset, length };
    case "blockquote":
      return { type: tag.attributes.has("expandable") ? "expandable_blockquote" : "blockquote", offset, length };
    case "a": {
      const url = tag.attributes.get("href");
      return url ? { type: "text_link", offset, length, url } : undefined;
    }
    case "tg-emoji": {
      const id = tag.attributes.get("emoji-id");
      return id ? { type: "custom_emoji", offset, length, custom_emoji_id: id } : undefined;
    }
    default:
      return undefined;
  }
}

/** Decodes `&lt; &gt; &amp; &quot; &#NNN; &#xHHH;` at `begin` (the ';' is optional, as in TDLib). */
function decodeHtmlEntity(source: string, begin: number): { value: string; end: number } | undefined {
  let end = begin + 1;
  let value: string | undefined;
  if (source[end] === "#") {
    end += 1;
    const hex = source[end] === "x" || source[end] === "X";
    if (hex) end += 1;
    const digitsBegin = end;
    const digit = hex ? /[0-9a-fA-F]/ : /[0-9]/;
    while (end < source.length && digit.test(source[end] ?? "")) end += 1;
    if (end === digitsBegin || end - digitsBegin > 8) return undefined;
    const code = Number.parseInt(source.slice(digitsBegin, end), hex ? 16 : 10);
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
    value = String.fromCodePoint(code);
  } else {
    while (end < source.length && /[A-Za-z]/.test(source[end] ?? "")) end += 1;
    value = NAMED_HTML_ENTITIES[source.slice(begin + 1, end)];
  }
  if (value === undefined) return undefined;
  if (source[end] === ";") end += 1;
  return { value, end };
}

/** Telegram strips leading and trailing whitespace from message text; entities move with it. */
function trimFormatted(formatted: FormattedText): FormattedText {
  const leading = formatted.text.length - formatted.text.trimStart().length;
  const text = formatted.text.trim();
  const entities: TextEntity[] = [];
  for (const entity of formatted.entities) {
    const start = Math.max(0, entity.offset - leading);
    const end = Math.min(text.length, entity.offset + entity.length - leading);
    if (end > start) entities.push({ ...entity, offset: start, length: end - start });
  }
  return { text, entities };
}

/** Applies a parse_mode the way sendMessage does; throws the Bot API error for invalid markup. */
export function formatMessageText(text: string, parseMode: string | undefined): FormattedText {
  const mode = (parseMode ?? "").toLowerCase();
  if (mode === "html") {
    try {
      return trimFormatted(new TelegramHtmlParser(text).parse());
    } catch (error) {
      if (error instanceof HtmlParseError) throw badRequest(`can't parse entities: ${error.message}`);
      throw error;
    }
  }
  // Markdown and MarkdownV2 are accepted but not parsed by this fake.
  if (mode === "" || mode === "markdown" || mode === "markdownv2") return trimFormatted({ text, entities: [] });
  throw badRequest("unsupported parse_mode");
}

// ───────────────────────────── Reply markup ─────────────────────────────

const INLINE_BUTTON_ACTIONS = [
  "callback_data", "url", "web_app", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
  "switch_inline_query_chosen_chat", "callback_game", "pay",
];

const buttonError = (detail: string): ApiError => badRequest(`can't parse inline keyboard button: ${detail}`);

function parseInlineButton(value: unknown): InlineKeyboardButtonJson {
  if (!isRecord(value)) throw buttonError("InlineKeyboardButton must be an Object");
  const { text, callback_data: data, url } = value;
  if (typeof text !== "string") throw buttonError('Field "text" must be of type String');
  if (!INLINE_BUTTON_ACTIONS.some((key) => key in value)) throw buttonError("Text buttons are unallowed in the inline keyboard");
  if (data !== undefined) {
    if (typeof data !== "string") throw buttonError('Field "callback_data" must be of type String');
    const bytes = Buffer.byteLength(data, "utf8");
    if (bytes < 1 || bytes > 64) throw badRequest("BUTTON_DATA_INVALID");
  }
  if (url !== undefined && (typeof url !== "string" || !isButtonUrl(url))) throw badRequest("BUTTON_URL_INVALID");
  return { ...value, text };
}

function isButtonUrl(url: string): boolean {
  try {
    return ["http:", "https:", "tg:"].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

function parseInlineKeyboard(value: unknown): InlineKeyboardButtonJson[][] {
  if (!Array.isArray(value)) throw badRequest('field "inline_keyboard" must be of type Array');
  return value.map((row: unknown) => {
    if (!Array.isArray(row)) throw badRequest('field "inline_keyboard" must be an Array of Arrays');
    return row.map(parseInlineButton);
  });
}

function parseReplyMarkup(params: Params): ReplyMarkupJson | undefined {
  const markup = readJson(params, "reply_markup", "reply keyboard markup");
  if (markup === undefined || markup === null) return undefined;
  if (!isRecord(markup)) throw badRequest("can't parse reply keyboard markup JSON object");
  if (!("inline_keyboard" in markup)) return { ...markup };
  return { ...markup, inline_keyboard: parseInlineKeyboard(markup.inline_keyboard) };
}

// ───────────────────────────── Commands, menu button, webhook ─────────────────────────────

const COMMAND_SCOPES = new Set([
  "default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat", "chat_administrators", "chat_member",
]);

function parseCommandScope(params: Params): CommandScopeJson {
  const scope = readJson(params, "scope", "BotCommandScope");
  if (scope === undefined || scope === null) return { type: "default" };
  if (!isRecord(scope) || typeof scope.type !== "string" || !COMMAND_SCOPES.has(scope.type)) {
    throw badRequest("can't parse BotCommandScope JSON object");
  }
  const result: CommandScopeJson = { type: scope.type };
  if (scope.type.startsWith("chat")) result.chat_id = readChatId(scope);
  if (scope.type === "chat_member") {
    const userId = readInteger(scope, "user_id");
    if (userId === undefined) throw badRequest("user not found");
    result.user_id = userId;
  }
  return result;
}

function parseLanguageCode(params: Params): string {
  const code = readString(params, "language_code") ?? "";
  if (code !== "" && !/^[a-z]{2}$/.test(code)) throw badRequest("invalid language code specified");
  return code;
}

function parseBotCommands(params: Params): BotCommandJson[] {
  const commands = readJson(params, "commands", "commands");
  if (!Array.isArray(commands)) throw badRequest("can't parse commands JSON object");
  if (commands.length > 100) throw badRequest("too many commands specified");
  return commands.map((item: unknown) => {
    if (!isRecord(item) || typeof item.command !== "string" || typeof item.description !== "string") {
      throw badRequest("can't parse BotCommand JSON object");
    }
    const command = item.command.replace(/^\//, "");
    if (!/^[a-z0-9_]{1,32}$/.test(command)) throw badRequest("BOT_COMMAND_INVALID");
    const description = item.description.trim();
    if (description.length < 1 || description.length > 256) throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
    return { command, description };
  });
}

const sameScope = (a: CommandScopeJson, b: CommandScopeJson): boolean =>
  a.type === b.type && String(a.chat_id ?? "") === String(b.chat_id ?? "") && (a.user_id ?? 0) === (b.user_id ?? 0);

function parseMenuButton(params: Params): Record<string, unknown> {
  const button = readJson(params, "menu_button", "menu button");
  if (button === undefined || button === null) return { type: "default" };
  if (!isRecord(button)) throw badRequest("can't parse menu button JSON object");
  if (button.type === "default" || button.type === "commands") return { type: button.type };
  if (button.type !== "web_app") throw badRequest("can't parse menu button: unsupported menu button type");
  const webApp = button.web_app;
  if (typeof button.text !== "string" || button.text === "") throw badRequest("can't parse menu button: text is empty");
  if (!isRecord(webApp) || typeof webApp.url !== "string" || !webApp.url.startsWith("https://")) {
    throw badRequest("can't parse menu button: Web App URL must be an HTTPS URL");
  }
  return { type: "web_app", text: button.text, web_app: { url: webApp.url } };
}

function validateWebhookUrl(url: string, allowHttp: boolean): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw badRequest("bad webhook: Failed to resolve host: Name or service not known");
  }
  if (protocol === "https:" || (allowHttp && protocol === "http:")) return;
  throw badRequest("bad webhook: An HTTPS URL must be provided for webhook");
}

const CHAT_ACTIONS = new Set([
  "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice", "upload_document",
  "choose_sticker", "find_location", "record_video_note", "upload_video_note",
]);

const NOT_MODIFIED =
  "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";

const QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid";

// ───────────────────────────── HTTP plumbing ─────────────────────────────

const MAX_BODY_BYTES = 10 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => {
      if (size > MAX_BODY_BYTES) reject(new ApiError(413, "Request Entity Too Large"));
      else resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", reject);
  });
}

function parseBody(contentType: string, body: string): Params {
  if (body.trim() === "") return {};
  if (contentType.includes("application/json")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw badRequest("can't parse JSON object");
    }
    if (!isRecord(parsed)) throw badRequest("can't parse JSON object");
    return parsed;
  }
  if (contentType.includes("application/x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(body));
  if (contentType.includes("multipart/form-data")) throw badRequest("multipart/form-data is not supported by the fake server");
  return {};
}

async function readParams(req: IncomingMessage, url: URL): Promise<Params> {
  const query = Object.fromEntries(url.searchParams);
  const body = parseBody(String(req.headers["content-type"] ?? ""), await readBody(req));
  return { ...query, ...body };
}

function writeJson(res: ServerResponse, status: number, payload: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const body = JSON.stringify(payload);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** An AbortSignal that fires when the client goes away before we answered (telegraf aborts long polls on stop). */
function disconnectSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

// ───────────────────────────── The fake ─────────────────────────────

interface StoredMessage {
  chatId: number;
  messageId: number;
  fromBot: boolean;
  rawText: string;
  parseMode: string | undefined;
  text: string;
  entities: TextEntity[];
  replyMarkup: ReplyMarkupJson | undefined;
  date: number;
  editDate?: number;
}

interface KnownUser {
  firstName: string;
  username?: string;
  languageCode?: string;
}

interface UpdateWaiter {
  wake(): void;
  terminate(error: ApiError): void;
}

type Handler = (params: Params, signal: AbortSignal) => Outcome | Promise<Outcome>;

const DEFAULT_TOKEN = "123456789:TEST-fake-token-for-tests_0123456789ab";
const unixNow = (): number => Math.floor(Date.now() / 1000);

class FakeTelegramServer implements FakeTelegram {
  readonly token: string;
  readonly botUser: User;
  apiRoot = "";

  sent: SentMessage[] = [];
  requests: RecordedRequest[] = [];
  answeredCallbacks: AnsweredCallback[] = [];
  chatActions: ChatActionRecord[] = [];
  counters: FakeCounters = { requests: 0, errors: 0, tooManyRequests: 0, forbidden: 0 };

  private readonly server: Server;
  private readonly allowHttpWebhook: boolean;
  private readonly handlers: Map<string, Handler>;
  private updates: Update[] = [];
  private lastUpdateId = 0;
  private allowedUpdates: string[] = [];
  private waiters = new Set<UpdateWaiter>();
  private messages = new Map<number, Map<number, StoredMessage>>();
  private lastMessageIds = new Map<number, number>();
  private users = new Map<number, KnownUser>();
  private openCallbackQueries = new Set<string>();
  private callbackCounter = 0;
  private blocked = new Set<number>();
  private failures = new Map<string, InjectedFailure[]>();
  private limit: RateLimitOptions | null = null;
  private sendTimes: number[] = [];
  private commandSets: CommandSet[] = [];
  private webhookState: WebhookState & { maxConnections: number; allowedUpdates: string[] } = {
    url: "", secretToken: undefined, maxConnections: 40, allowedUpdates: [],
  };
  private menuButtonMap = new Map<number | "default", Record<string, unknown>>();
  private sentListeners = new Set<() => void>();
  private stopped = false;
  private offline = false;
  private migrations = new Map<number, number>();

  constructor(options: FakeTelegramOptions) {
    this.token = options.token ?? DEFAULT_TOKEN;
    if (!/^\d+:[\w-]+$/.test(this.token)) throw new Error(`Bot token must look like 123456:ABC-DEF, got "${this.token}"`);
    this.botUser = {
      id: Number(this.token.split(":")[0]),
      is_bot: true,
      first_name: options.firstName ?? "Test Bot",
      username: options.username ?? "test_bot",
    };
    this.allowHttpWebhook = options.allowHttpWebhook ?? false;
    this.handlers = this.buildHandlers();
    for (const name of options.missingMethods ?? []) this.handlers.delete(name.toLowerCase());
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  // ── lifecycle ──

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => resolve());
    });
    const address: AddressInfo | string | null = this.server.address();
    if (address === null || typeof address === "string") throw new Error("fake Telegram server has no TCP address");
    this.apiRoot = `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wakeWaiters(); // pending long polls answer [] before the sockets go
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  reset(): void {
    this.sent = [];
    this.requests = [];
    this.answeredCallbacks = [];
    this.chatActions = [];
    this.counters = { requests: 0, errors: 0, tooManyRequests: 0, forbidden: 0 };
    this.updates = [];
    this.allowedUpdates = [];
    this.messages.clear();
    this.lastMessageIds.clear();
    this.users.clear();
    this.openCallbackQueries.clear();
    this.blocked.clear();
    this.failures.clear();
    this.limit = null;
    this.sendTimes = [];
    this.commandSets = [];
    this.webhookState = { url: "", secretToken: undefined, maxConnections: 40, allowedUpdates: [] };
    this.menuButtonMap.clear();
    this.migrations.clear();
    this.offline = false;
  }

  // ── test-side views ──

  get commands(): CommandSet[] {
    return this.commandSets.map((set) => ({ ...set, commands: [...set.commands] }));
  }

  get webhook(): WebhookState {
    return { url: this.webhookState.url, secretToken: this.webhookState.secretToken };
  }

  get menuButtons(): ReadonlyMap<number | "default", Record<string, unknown>> {
    return new Map(this.menuButtonMap);
  }

  get pendingUpdates(): Update[] {
    return [...this.updates];
  }

  // ── fault injection ──

  blockChat(chatId: number): void {
    this.blocked.add(chatId);
  }

  unblockChat(chatId: number): void {
    this.blocked.delete(chatId);
  }

  failNext(method: string, failure: InjectedFailure, times = 1): void {
    const key = method.toLowerCase();
    const queue = this.failures.get(key) ?? [];
    for (let i = 0; i < times; i += 1) queue.push(failure);
    this.failures.set(key, queue);
  }

  rateLimit(options: RateLimitOptions | null): void {
    if (options && !(options.perSecond > 0)) throw new Error("rateLimit perSecond must be positive");
    this.limit = options;
    this.sendTimes = [];
  }

  migrateChat(fromChatId: number, toChatId: number): void {
    this.migrations.set(fromChatId, toChatId);
  }

  setOffline(offline: boolean): void {
    this.offline = offline;
  }

  // ── updates ──

  pushUpdate(update: UpdateInput): Update {
    const full = this.withUpdateId(update);
    this.updates.push(full);
    this.wakeWaiters();
    return full;
  }

  textUpdate(chatId: number, text: string, options: TextUpdateOptions = {}): TextUpdate {
    const user = this.rememberUser(chatId, options);
    const message: TextUpdate["message"] = {
      message_id: this.nextMessageId(chatId),
      from: this.userJson(chatId, user),
      chat: this.privateChatJson(chatId),
      date: unixNow(),
      text,
    };
    const command = /^\/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?/.exec(text);
    if (command) message.entities = [{ type: "bot_command", offset: 0, length: command[0].length }];
    this.store({
      chatId, messageId: message.message_id, fromBot: false, rawText: text, parseMode: undefined, text,
      entities: message.entities ?? [], replyMarkup: undefined, date: message.date,
    });
    return { update_id: this.nextUpdateId(), message };
  }

  callbackUpdate(chatId: number, data: string, messageId?: number): CallbackUpdate {
    const user = this.rememberUser(chatId, {});
    const stored = this.callbackTarget(chatId, messageId);
    this.callbackCounter += 1;
    const id = `${BigInt(Math.abs(chatId)) * 4096n + BigInt(this.callbackCounter)}`;
    this.openCallbackQueries.add(id);
    return {
      update_id: this.nextUpdateId(),
      callback_query: {
        id,
        from: this.userJson(chatId, user),
        message: this.telegrafMessage(stored),
        chat_instance: `${BigInt(Math.abs(chatId)) * 1000003n + 271828n}`,
        data,
      },
    };
  }

  async postToWebhook(url: string, update: UpdateInput, secret?: string): Promise<Response> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (secret !== undefined) headers["X-Telegram-Bot-Api-Secret-Token"] = secret;
    return fetch(url, { method: "POST", headers, body: JSON.stringify(this.withUpdateId(update)) });
  }

  waitForSent(count: number, timeoutMs?: number): Promise<SentMessage[]>;
  waitForSent(predicate: (message: SentMessage) => boolean, timeoutMs?: number): Promise<SentMessage>;
  waitForSent(
    target: number | ((message: SentMessage) => boolean),
    timeoutMs = 3000,
  ): Promise<SentMessage[] | SentMessage> {
    const check = (): SentMessage[] | SentMessage | undefined =>
      typeof target === "number"
        ? this.sent.length >= target ? this.sent.slice(0, target) : undefined
        : this.sent.find(target);
    return new Promise((resolve, reject) => {
      const listener = (): void => {
        const found = check();
        if (found === undefined) return;
        cleanup();
        resolve(found);
      };
      const timer = setTimeout(() => {
        cleanup();
        const what = typeof target === "number" ? `${target} sent message(s)` : "a matching sent message";
        const texts = this.sent.map((m) => `  [${m.method} → ${m.chatId}] ${JSON.stringify(m.visibleText)}`).join("\n");
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; sent so far:\n${texts || "  (none)"}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.sentListeners.delete(listener);
      };
      this.sentListeners.add(listener);
      listener();
    });
  }

  // ── HTTP ──

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.offline) {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const match = /^\/bot([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (!match) {
      req.resume();
      this.reply(res, new ApiError(404, "Not Found"));
      return;
    }
    const [, token = "", methodName = ""] = match;
    try {
      const params = await readParams(req, url);
      this.requests.push({ method: methodName, body: params, time: Date.now() });
      this.counters.requests += 1;
      if (decodeURIComponent(token) !== this.token) throw new ApiError(401, "Unauthorized");
      const handler = this.handlers.get(methodName.toLowerCase());
      if (!handler) throw new ApiError(404, "Not Found");
      this.throwInjectedFailure(methodName);
      this.reply(res, await handler(params, disconnectSignal(res)));
    } catch (error) {
      if (error instanceof ApiError) {
        this.reply(res, error);
        return;
      }
      console.error("fake Telegram server: handler crashed", error);
      this.reply(res, new ApiError(500, "Internal Server Error"));
    }
  }

  private reply(res: ServerResponse, outcome: Outcome | ApiError): void {
    if (!(outcome instanceof ApiError)) {
      writeJson(res, 200, successEnvelope(outcome));
      return;
    }
    this.counters.errors += 1;
    if (outcome.status === 429) this.counters.tooManyRequests += 1;
    if (outcome.status === 403) this.counters.forbidden += 1;
    writeJson(res, outcome.status, errorEnvelope(outcome));
  }

  private throwInjectedFailure(method: string): void {
    const queue = this.failures.get(method.toLowerCase());
    const failure = queue?.shift();
    if (!failure) return;
    const description = failure.description ?? defaultDescription(failure.status, failure.retryAfter);
    throw new ApiError(failure.status, description, failure.retryAfter);
  }

  private buildHandlers(): Map<string, Handler> {
    const table: Record<string, Handler> = {
      getMe: () => ({ result: this.getMeResult() }),
      getUpdates: (params, signal) => this.getUpdates(params, signal),
      setWebhook: (params) => this.setWebhook(params),
      deleteWebhook: (params) => this.deleteWebhook(params),
      getWebhookInfo: () => ({ result: this.webhookInfo() }),
      setMyCommands: (params) => this.setMyCommands(params),
      getMyCommands: (params) => this.getMyCommands(params),
      deleteMyCommands: (params) => this.deleteMyCommands(params),
      sendMessage: (params) => this.sendMessage(params),
      editMessageText: (params) => this.editMessageText(params),
      editMessageReplyMarkup: (params) => this.editMessageReplyMarkup(params),
      answerCallbackQuery: (params) => this.answerCallbackQuery(params),
      sendChatAction: (params) => this.sendChatAction(params),
      setChatMenuButton: (params) => this.setChatMenuButton(params),
      getChatMenuButton: (params) => this.getChatMenuButton(params),
      close: () => ({ result: true }),
      logOut: () => ({ result: true }),
    };
    return new Map(Object.entries(table).map(([name, handler]) => [name.toLowerCase(), handler]));
  }

  // ── methods: bot & updates ──

  private getMeResult(): Record<string, unknown> {
    return {
      ...this.botUser,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
    };
  }

  private async getUpdates(params: Params, signal: AbortSignal): Promise<Outcome> {
    if (this.webhookState.url) {
      throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    }
    const offset = readInteger(params, "offset");
    const limit = Math.min(100, Math.max(1, readInteger(params, "limit") ?? 100));
    const timeout = Math.max(0, readInteger(params, "timeout") ?? 0);
    this.readAllowedUpdates(params);
    this.confirmUpdates(offset);
    this.terminateOtherPolls();
    let batch = this.deliverable(limit);
    if (batch.length === 0 && timeout > 0 && !this.stopped) {
      await this.waitForUpdate(timeout * 1000, signal);
      batch = this.deliverable(limit);
    }
    return { result: batch };
  }

  private readAllowedUpdates(params: Params): void {
    const allowed = readJson(params, "allowed_updates", "allowed updates");
    if (Array.isArray(allowed)) this.allowedUpdates = allowed.filter((item): item is string => typeof item === "string");
  }

  /** offset > 0 confirms every update with a smaller id; offset < 0 keeps only the last -offset updates. */
  private confirmUpdates(offset: number | undefined): void {
    if (offset === undefined || offset === 0) return;
    this.updates = offset > 0 ? this.updates.filter((u) => u.update_id >= offset) : this.updates.slice(offset);
  }

  private deliverable(limit: number): Update[] {
    const allowed = this.allowedUpdates;
    const kinds = (u: Update): string[] => Object.keys(u).filter((key) => key !== "update_id");
    const wanted = allowed.length === 0 ? this.updates : this.updates.filter((u) => kinds(u).some((k) => allowed.includes(k)));
    return wanted.slice(0, limit);
  }

  private terminateOtherPolls(): void {
    const conflict = new ApiError(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running");
    for (const waiter of this.waiters) waiter.terminate(conflict);
  }

  private waitForUpdate(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        signal.removeEventListener("abort", wake);
        this.waiters.delete(waiter);
      };
      const wake = (): void => {
        finish();
        resolve();
      };
      const waiter: UpdateWaiter = {
        wake,
        terminate: (error) => {
          finish();
          reject(error);
        },
      };
      const timer = setTimeout(wake, ms);
      signal.addEventListener("abort", wake);
      this.waiters.add(waiter);
    });
  }

  private wakeWaiters(): void {
    for (const waiter of [...this.waiters]) waiter.wake();
  }

  // ── methods: webhook ──

  private setWebhook(params: Params): Outcome {
    const url = readString(params, "url") ?? "";
    if (url === "") return this.deleteWebhook(params);
    validateWebhookUrl(url, this.allowHttpWebhook);
    const secretToken = readString(params, "secret_token") || undefined;
    if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) {
      throw badRequest("bad webhook: secret token contains unallowed characters");
    }
    if (readBoolean(params, "drop_pending_updates")) this.updates = [];
    const unchanged = this.webhookState.url === url && this.webhookState.secretToken === secretToken;
    const allowed = readJson(params, "allowed_updates", "allowed updates");
    this.webhookState = {
      url,
      secretToken,
      maxConnections: readInteger(params, "max_connections") ?? 40,
      allowedUpdates: Array.isArray(allowed) ? allowed.filter((x): x is string => typeof x === "string") : [],
    };
    return { result: true, description: unchanged ? "Webhook is already set" : "Webhook was set" };
  }

  private deleteWebhook(params: Params): Outcome {
    if (readBoolean(params, "drop_pending_updates")) this.updates = [];
    const had = this.webhookState.url !== "";
    this.webhookState = { url: "", secretToken: undefined, maxConnections: 40, allowedUpdates: [] };
    return { result: true, description: had ? "Webhook was deleted" : "Webhook is already deleted" };
  }

  private webhookInfo(): Record<string, unknown> {
    const info: Record<string, unknown> = {
      url: this.webhookState.url,
      has_custom_certificate: false,
      pending_update_count: this.updates.length,
    };
    if (this.webhookState.url) {
      info.max_connections = this.webhookState.maxConnections;
      info.ip_address = "127.0.0.1";
      if (this.webhookState.allowedUpdates.length > 0) info.allowed_updates = this.webhookState.allowedUpdates;
    }
    return info;
  }

  // ── methods: commands & menu button ──

  private setMyCommands(params: Params): Outcome {
    const commands = parseBotCommands(params);
    const scope = parseCommandScope(params);
    const languageCode = parseLanguageCode(params);
    this.removeCommandSet(scope, languageCode);
    if (commands.length > 0) this.commandSets.push({ scope, languageCode, commands });
    return { result: true };
  }

  private getMyCommands(params: Params): Outcome {
    const scope = parseCommandScope(params);
    const languageCode = parseLanguageCode(params);
    const set = this.commandSets.find((s) => sameScope(s.scope, scope) && s.languageCode === languageCode);
    return { result: set ? set.commands : [] };
  }

  private deleteMyCommands(params: Params): Outcome {
    this.removeCommandSet(parseCommandScope(params), parseLanguageCode(params));
    return { result: true };
  }

  private removeCommandSet(scope: CommandScopeJson, languageCode: string): void {
    this.commandSets = this.commandSets.filter((s) => !(sameScope(s.scope, scope) && s.languageCode === languageCode));
  }

  private setChatMenuButton(params: Params): Outcome {
    const key = params.chat_id === undefined || params.chat_id === "" ? "default" : readChatId(params);
    this.menuButtonMap.set(key, parseMenuButton(params));
    return { result: true };
  }

  private getChatMenuButton(params: Params): Outcome {
    const key = params.chat_id === undefined || params.chat_id === "" ? "default" : readChatId(params);
    return { result: this.menuButtonMap.get(key) ?? this.menuButtonMap.get("default") ?? { type: "commands" } };
  }

  // ── methods: messages ──

  private sendMessage(params: Params): Outcome {
    const chatId = readChatId(params);
    const migratedTo = this.migrations.get(chatId);
    if (migratedTo !== undefined) {
      throw new ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat", undefined, migratedTo);
    }
    const content = this.readTextContent(params);
    const replyMarkup = parseReplyMarkup(params);
    this.enforceRateLimit();
    this.ensureNotBlocked(chatId);
    const message: StoredMessage = {
      chatId, messageId: this.nextMessageId(chatId), fromBot: true, ...content, replyMarkup, date: unixNow(),
    };
    this.store(message);
    this.recordSent("sendMessage", message);
    return { result: this.messageJson(message) };
  }

  private editMessageText(params: Params): Outcome {
    const stored = this.editTarget(params);
    const content = this.readTextContent(params);
    const replyMarkup = parseReplyMarkup(params); // omitting it removes the inline keyboard, as in the real API
    if (stored.text === content.text && sameJson(stored.entities, content.entities) && sameJson(stored.replyMarkup, replyMarkup)) {
      throw badRequest(NOT_MODIFIED);
    }
    Object.assign(stored, content, { replyMarkup, editDate: unixNow() });
    this.recordSent("editMessageText", stored);
    return { result: this.messageJson(stored) };
  }

  private editMessageReplyMarkup(params: Params): Outcome {
    const stored = this.editTarget(params);
    const replyMarkup = parseReplyMarkup(params);
    if (sameJson(stored.replyMarkup, replyMarkup)) throw badRequest(NOT_MODIFIED);
    Object.assign(stored, { replyMarkup, editDate: unixNow() });
    this.recordSent("editMessageReplyMarkup", stored);
    return { result: this.messageJson(stored) };
  }

  private readTextContent(params: Params): Pick<StoredMessage, "rawText" | "parseMode" | "text" | "entities"> {
    const rawText = readString(params, "text") ?? "";
    if (rawText === "") throw badRequest("message text is empty");
    const parseMode = readString(params, "parse_mode") || undefined;
    const formatted = formatMessageText(rawText, parseMode);
    if (formatted.text.length === 0) throw badRequest("message text is empty");
    if (formatted.text.length > 4096) throw badRequest("message is too long");
    return { rawText, parseMode, text: formatted.text, entities: formatted.entities };
  }

  private editTarget(params: Params): StoredMessage {
    if (readString(params, "inline_message_id")) throw badRequest("MESSAGE_ID_INVALID");
    const chatId = readChatId(params);
    const messageId = readInteger(params, "message_id");
    if (messageId === undefined) throw badRequest("message identifier is not specified");
    const stored = this.messages.get(chatId)?.get(messageId);
    if (!stored) throw badRequest("message to edit not found");
    if (!stored.fromBot) throw badRequest("message can't be edited");
    return stored;
  }

  private enforceRateLimit(): void {
    if (!this.limit) return;
    const now = Date.now();
    this.sendTimes = this.sendTimes.filter((t) => now - t < 1000);
    const oldest = this.sendTimes[0];
    if (oldest !== undefined && this.sendTimes.length >= this.limit.perSecond) {
      throw tooManyRequests(Math.max(1, Math.ceil((1000 - (now - oldest)) / 1000)));
    }
    this.sendTimes.push(now);
  }

  private ensureNotBlocked(chatId: number): void {
    if (this.blocked.has(chatId)) throw new ApiError(403, "Forbidden: bot was blocked by the user");
  }

  private answerCallbackQuery(params: Params): Outcome {
    const id = readString(params, "callback_query_id") ?? "";
    const text = readString(params, "text") || undefined;
    if (text !== undefined && text.length > 200) throw badRequest("MESSAGE_TOO_LONG");
    if (!this.openCallbackQueries.delete(id)) throw badRequest(QUERY_TOO_OLD);
    this.answeredCallbacks.push({
      callbackQueryId: id,
      text,
      showAlert: readBoolean(params, "show_alert"),
      url: readString(params, "url") || undefined,
      cacheTime: readInteger(params, "cache_time"),
    });
    return { result: true };
  }

  private sendChatAction(params: Params): Outcome {
    const chatId = readChatId(params);
    const action = readString(params, "action") ?? "";
    if (!CHAT_ACTIONS.has(action)) throw badRequest("wrong parameter action in request");
    this.ensureNotBlocked(chatId);
    this.chatActions.push({ chatId, action, time: Date.now() });
    return { result: true };
  }

  // ── storage & JSON shapes ──

  private withUpdateId(update: UpdateInput): Update {
    const id = update.update_id ?? this.nextUpdateId();
    this.lastUpdateId = Math.max(this.lastUpdateId, id);
    const full: Update = { ...update, update_id: id };
    if ("callback_query" in full) this.openCallbackQueries.add(full.callback_query.id);
    return full;
  }

  private nextUpdateId(): number {
    if (this.lastUpdateId === 0) this.lastUpdateId = 700_000_000;
    this.lastUpdateId += 1;
    return this.lastUpdateId;
  }

  private nextMessageId(chatId: number): number {
    const id = (this.lastMessageIds.get(chatId) ?? 0) + 1;
    this.lastMessageIds.set(chatId, id);
    return id;
  }

  private store(message: StoredMessage): void {
    const chat = this.messages.get(message.chatId) ?? new Map<number, StoredMessage>();
    chat.set(message.messageId, message);
    this.messages.set(message.chatId, chat);
    this.lastMessageIds.set(message.chatId, Math.max(this.lastMessageIds.get(message.chatId) ?? 0, message.messageId));
  }

  private recordSent(method: SentMethod, message: StoredMessage): void {
    this.sent.push({
      method,
      chatId: message.chatId,
      messageId: message.messageId,
      text: message.rawText,
      parseMode: message.parseMode,
      visibleText: message.text,
      entities: [...message.entities],
      replyMarkup: message.replyMarkup,
      time: Date.now(),
    });
    for (const listener of [...this.sentListeners]) listener();
  }

  private rememberUser(chatId: number, options: TextUpdateOptions): KnownUser {
    const previous = this.users.get(chatId);
    const user: KnownUser = {
      firstName: options.firstName ?? previous?.firstName ?? "Test",
      languageCode: options.languageCode ?? previous?.languageCode ?? "vi",
    };
    const username = options.username ?? previous?.username;
    if (username !== undefined) user.username = username;
    this.users.set(chatId, user);
    return user;
  }

  private userJson(id: number, user: KnownUser): User {
    const json: User = { id, is_bot: false, first_name: user.firstName };
    if (user.username !== undefined) json.username = user.username;
    if (user.languageCode !== undefined) json.language_code = user.languageCode;
    return json;
  }

  private privateChatJson(chatId: number): Chat.PrivateChat {
    const user = this.users.get(chatId);
    const chat: Chat.PrivateChat = { id: chatId, type: "private", first_name: user?.firstName ?? "Test" };
    if (user?.username !== undefined) chat.username = user.username;
    return chat;
  }

  private chatJson(chatId: number): Record<string, unknown> {
    if (chatId > 0) return { ...this.privateChatJson(chatId) };
    const type = String(chatId).startsWith("-100") ? "supergroup" : "group";
    return { id: chatId, title: "Test group", type };
  }

  private messageJson(message: StoredMessage): Record<string, unknown> {
    const json: Record<string, unknown> = {
      message_id: message.messageId,
      from: message.fromBot ? this.botUser : this.userJson(message.chatId, this.rememberUser(message.chatId, {})),
      chat: this.chatJson(message.chatId),
      date: message.date,
    };
    if (message.editDate !== undefined) json.edit_date = message.editDate;
    json.text = message.text;
    if (message.entities.length > 0) json.entities = message.entities;
    if (message.replyMarkup?.inline_keyboard) json.reply_markup = { inline_keyboard: message.replyMarkup.inline_keyboard };
    return json;
  }

  /** The bot message a callback button sits on: the given id, else the chat's latest bot message, else a stub. */
  private callbackTarget(chatId: number, messageId: number | undefined): StoredMessage {
    const chat = [...(this.messages.get(chatId)?.values() ?? [])];
    const found = messageId === undefined
      ? chat.filter((m) => m.fromBot).at(-1)
      : chat.find((m) => m.messageId === messageId);
    if (found) return found;
    const stub: StoredMessage = {
      chatId, messageId: messageId ?? this.nextMessageId(chatId), fromBot: true, rawText: "…", parseMode: undefined,
      text: "…", entities: [], replyMarkup: undefined, date: unixNow(),
    };
    this.store(stub);
    return stub;
  }

  private telegrafMessage(message: StoredMessage): Message.TextMessage {
    const json: Message.TextMessage = {
      message_id: message.messageId,
      from: message.fromBot ? this.botUser : this.userJson(message.chatId, this.rememberUser(message.chatId, {})),
      chat: this.privateChatJson(message.chatId),
      date: message.date,
      text: message.text,
    };
    if (message.editDate !== undefined) json.edit_date = message.editDate;
    if (message.entities.length > 0) json.entities = message.entities.map(toTelegrafEntity);
    const keyboard = message.replyMarkup?.inline_keyboard;
    if (keyboard) json.reply_markup = { inline_keyboard: keyboard.map((row) => row.map(toTelegrafButton)) };
    return json;
  }
}

function toTelegrafEntity(entity: TextEntity): MessageEntity {
  return entity.type === "expandable_blockquote" ? { ...entity, type: "blockquote" } : entity;
}

function toTelegrafButton(button: InlineKeyboardButtonJson): { text: string; callback_data: string } | { text: string; url: string } {
  if (typeof button.url === "string") return { text: button.text, url: button.url };
  return { text: button.text, callback_data: button.callback_data ?? "" };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** Starts a fake Bot API server on 127.0.0.1 with a random port. Remember to `await fake.stop()`. */
export async function startFakeTelegram(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const fake = new FakeTelegramServer(options);
  await fake.listen();
  return fake;
}
