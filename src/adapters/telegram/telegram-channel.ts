import { Telegraf, type Context } from "telegraf";
import type { Update } from "telegraf/types";
import type { Conversation, Logger } from "../../core/conversation.js";
import { DEFAULT_RETRY_POLICY, sendWithRetry, type RetryPolicy } from "../../core/delivery/retry-policy.js";
import type { Clock, Translator } from "../../core/ports.js";
import type { Locale, OutboundMessage } from "../../core/types.js";
import type { Metrics } from "../../infra/metrics.js";
import { escapeHtml } from "../../core/render.js";
import { TelegramSender } from "./telegram-sender.js";

export interface TelegramChannelOptions {
  token: string;
  apiRoot: string;
  conversation: Conversation;
  translator: Translator;
  clock: Clock;
  metrics: Metrics;
  logger: Logger;
  defaultLocale: Locale;
  markUnreachable: (address: string, at: Date) => void;
  retryPolicy?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  /** the staff chat: replies there to a hand-off post are relayed to the person */
  staffChatId?: string | undefined;
  /** relays a staff reply; returns the confirmation to post in the staff chat, or undefined to stay silent */
  onStaffReply?: (postId: string, text: string) => Promise<string | undefined>;
  /**
   * Where polled updates go first (the inbound queue: stored, de-duplicated by update_id); the queue hands
   * them back through handleUpdate. Without it, polled updates are handled at once.
   */
  intake?: (update: Update) => void;
}

const COMMANDS = ["start", "menu", "help", "lang", "subscribe", "unsubscribe", "follow", "unfollow", "link", "tasks", "unlink", "forget"] as const;
const ALLOWED_UPDATES = ["message", "callback_query"] as const;

/**
 * The Telegram adapter: telegraf receives updates (polling or webhook), each becomes one InboundEvent for
 * the core, and the replies go out through TelegramSender under the shared retry policy.
 * One failing update is logged and dropped; it never stops the bot.
 */
export class TelegramChannel {
  readonly bot: Telegraf;
  readonly sender: TelegramSender;
  private polling: Promise<void> | undefined;
  /** updates coming back from the inbound queue, as opposed to fresh ones from polling */
  private readonly queued = new WeakSet<Update>();

  constructor(private readonly options: TelegramChannelOptions) {
    this.bot = new Telegraf(options.token, {
      telegram: { apiRoot: options.apiRoot, webhookReply: false },
      // Updates are handled from the inbound queue, not inside a webhook request: two 429 waits may pass a minute.
      handlerTimeout: 300_000,
    });
    this.sender = new TelegramSender(this.bot.telegram);
    this.bot.use((ctx, next) => {
      if (!options.intake || this.queued.has(ctx.update)) return next();
      options.intake(ctx.update);
    });
    this.bot.on("callback_query", (ctx) => this.onCallback(ctx));
    this.bot.on("message", (ctx) => this.onMessage(ctx));
    this.bot.catch((error, ctx) => {
      options.logger.error({ err: error, updateId: ctx.update.update_id }, "telegram update failed");
    });
  }

  /** Registers the command menu in Vietnamese and English (and the default language for everyone else). */
  async registerCommands(): Promise<void> {
    const { translator, defaultLocale } = this.options;
    const list = (locale: Locale) =>
      COMMANDS.map((command) => ({ command, description: translator.t(`commands.${command}`, locale) }));
    await this.bot.telegram.setMyCommands(list("vi"), { language_code: "vi" });
    await this.bot.telegram.setMyCommands(list("en"), { language_code: "en" });
    await this.bot.telegram.setMyCommands(list(defaultLocale));
  }

  /** Long polling; resolves once the bot is known and its commands are registered. */
  async startPolling(): Promise<void> {
    this.bot.botInfo ??= await this.bot.telegram.getMe();
    await this.registerCommands();
    // launch() deletes any webhook, then polls until stop(); its promise settles only then.
    this.polling = this.bot.launch({ allowedUpdates: [...ALLOWED_UPDATES] }).catch((error: unknown) => {
      this.options.logger.error({ err: error }, "telegram polling stopped");
    });
  }

  async startWebhook(url: string, secret: string): Promise<void> {
    this.bot.botInfo ??= await this.bot.telegram.getMe();
    await this.registerCommands();
    await this.bot.telegram.setWebhook(url, { secret_token: secret, allowed_updates: [...ALLOWED_UPDATES] });
  }

  /** Handles one update now: the inbound queue's handler for Telegram (webhook and polling alike). */
  async handleUpdate(update: Update): Promise<void> {
    this.queued.add(update);
    await this.bot.handleUpdate(update);
  }

  async stop(): Promise<void> {
    if (this.polling) {
      this.bot.stop("shutdown");
      await this.polling;
    }
  }

  private async onMessage(ctx: Context): Promise<void> {
    const message = ctx.message;
    if (!message || !ctx.chat) return;
    if (this.options.staffChatId && String(ctx.chat.id) === this.options.staffChatId) {
      await this.onStaffMessage(ctx);
      return;
    }
    if (ctx.chat.type !== "private") return;
    this.options.metrics.updates.inc({ channel: "telegram" });
    const chatId = String(ctx.chat.id);
    const languageHint = message.from?.language_code;
    if (!("text" in message) || typeof message.text !== "string") {
      const locale: Locale = languageHint?.startsWith("en") ? "en" : this.options.defaultLocale;
      const text = this.options.translator.t("non_text", locale);
      await this.deliver(chatId, [{ text: { lines: [[{ text }]] }, buttons: [] }]);
      return;
    }
    await this.converse(chatId, message.text, "text", languageHint);
  }

  /** A staff member answers a hand-off by replying to its post; the answer goes to the person. */
  private async onStaffMessage(ctx: Context): Promise<void> {
    const message = ctx.message;
    if (!message || !("reply_to_message" in message) || !message.reply_to_message || !("text" in message)) return;
    const text = message.text.trim();
    if (text === "" || !this.options.onStaffReply) return;
    const confirmation = await this.options.onStaffReply(String(message.reply_to_message.message_id), text);
    if (confirmation) {
      await this.sender.sendHtml(String(message.chat.id), escapeHtml(confirmation), undefined, message.message_id).catch((error: unknown) => {
        this.options.logger.warn({ err: error }, "could not confirm a relayed staff reply");
      });
    }
  }

  private async onCallback(ctx: Context): Promise<void> {
    const query = ctx.callbackQuery;
    if (!query) return;
    // Stop the button's spinner first; a failure here must not lose the answer itself.
    await ctx.answerCbQuery().catch((error: unknown) => {
      this.options.logger.warn({ err: error }, "answerCallbackQuery failed");
    });
    const chatId = query.message?.chat.id ?? query.from.id;
    if (!("data" in query) || typeof query.data !== "string") return;
    this.options.metrics.updates.inc({ channel: "telegram" });
    await this.converse(String(chatId), query.data, "button", query.from.language_code);
  }

  private async converse(chatId: string, text: string, kind: "text" | "button", languageHint?: string): Promise<void> {
    const started = process.hrtime.bigint();
    const reply = await this.options.conversation.handle({
      channel: "telegram",
      address: chatId,
      text,
      kind,
      languageHint,
      receivedAt: this.options.clock.now(),
    });
    this.options.metrics.replyLatency.observe({ channel: "telegram" }, Number(process.hrtime.bigint() - started) / 1e9);
    await this.deliver(chatId, reply.messages);
  }

  /** Sends replies in order; a 429 waits retry_after, a 403 marks the chat unreachable, a 400 is not retried. */
  async deliver(chatId: string, messages: OutboundMessage[]): Promise<boolean> {
    const policy = this.options.retryPolicy ?? { ...DEFAULT_RETRY_POLICY, maxAttempts: 3 };
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (const message of messages) {
      const outcome = await sendWithRetry(() => this.sender.send(chatId, message), policy, sleep, (failure) => {
        this.options.metrics.sendErrors.inc({ channel: "telegram", kind: failure.kind });
      });
      if (outcome.ok) continue;
      this.options.metrics.sendErrors.inc({ channel: "telegram", kind: outcome.failure.kind });
      if (outcome.outcome === "unreachable") {
        this.options.markUnreachable(chatId, this.options.clock.now());
        this.options.logger.info({ chat: "unreachable" }, "telegram chat blocked the bot; marked unreachable");
      } else {
        this.options.logger.warn({ failure: outcome.failure }, "telegram reply not delivered");
      }
      return false;
    }
    return true;
  }
}
