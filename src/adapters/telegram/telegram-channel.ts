import { Telegraf, type Context } from "telegraf";
import type { Update } from "telegraf/types";
import type { Conversation, Logger } from "../../core/conversation.js";
import { decide, DEFAULT_RETRY_POLICY, sendWithRetry, STARTUP_RETRY_POLICY, type RetryPolicy } from "../../core/delivery/retry-policy.js";
import type { Clock, Translator } from "../../core/ports.js";
import type { Locale, OutboundMessage } from "../../core/types.js";
import type { Metrics } from "../../infra/metrics.js";
import { escapeHtml } from "../../core/render.js";
import type { StaffChatAddress } from "./staff-chat-address.js";
import { TelegramSender, toFailure } from "./telegram-sender.js";

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
  staffChat?: StaffChatAddress | undefined;
  /** relays a staff reply; returns a line to confirm with now, or undefined (confirmed later, or nothing to say) */
  onStaffReply?: (postId: string, text: string, staffMessage: { chat: string; messageId: string; author?: string | undefined }) => Promise<string | undefined>;
  /**
   * Where polled updates go first (the inbound queue: stored, de-duplicated by update_id); the queue hands
   * them back through handleUpdate. Without it, polled updates are handled at once.
   */
  intake?: (update: Update) => void;
}

const COMMANDS = ["start", "menu", "help", "lang", "subscribe", "unsubscribe", "follow", "unfollow", "link", "tasks", "settings", "unlink", "forget"] as const;
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
  private connecting: Promise<void> | undefined;
  private stopping = false;
  private readonly wakers = new Set<() => void>();
  /** start-up problems by step; empty and `connected` means healthy */
  private readonly problems = new Map<string, string>();
  private connected = false;

  constructor(private readonly options: TelegramChannelOptions) {
    this.bot = new Telegraf(options.token, {
      telegram: { apiRoot: options.apiRoot, webhookReply: false },
      // Updates are handled from the inbound queue, not inside a webhook request: two 429 waits may pass a minute.
      handlerTimeout: 300_000,
    });
    this.sender = new TelegramSender(this.bot.telegram);
    this.bot.use(async (ctx, next) => {
      if (!options.intake || this.queued.has(ctx.update)) return next();
      await this.storeUpdate(ctx.update);
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

  /**
   * Connects in the background (long polling, or a webhook when given): every start-up call is retried under
   * the shared policy (exactly retry_after on a 429) while the rest of the service runs, and never throws.
   * Resolves once the first try is over, whatever its outcome; health() tells how it is going.
   */
  connect(webhook?: { url: string; secret: string }): Promise<void> {
    let firstTryOver!: () => void;
    const firstTry = new Promise<void>((resolve) => (firstTryOver = resolve));
    this.connecting = this.runStartup(webhook, firstTryOver).finally(firstTryOver);
    return firstTry;
  }

  /** "starting", "ok", or "degraded: <why>" (no tokens or URLs in it: /healthz shows it). */
  health(): string {
    const problem = this.problems.values().next();
    if (!problem.done) return `degraded: ${problem.value}`;
    return this.connected ? "ok" : "starting";
  }

  private async runStartup(webhook: { url: string; secret: string } | undefined, firstTryOver: () => void): Promise<void> {
    const known = await this.step("getMe", firstTryOver, async () => {
      this.bot.botInfo ??= await this.bot.telegram.getMe();
    });
    if (!known) return;
    if (webhook) {
      const set = await this.step("setWebhook", firstTryOver, () =>
        this.bot.telegram.setWebhook(webhook.url, { secret_token: webhook.secret, allowed_updates: [...ALLOWED_UPDATES] }),
      );
      if (!set) return;
    } else {
      this.polling = this.pollUntilStopped();
    }
    // The command menu is a convenience: a server without setMyCommands (404) or a refusal does not stop the bot.
    await this.step("setMyCommands", firstTryOver, () => this.registerCommands(), { optional: true });
    if (this.stopping) return;
    this.connected = true;
    this.options.logger.info({ mode: webhook ? "webhook" : "polling" }, "telegram connected");
  }

  /** One start-up call, retried until it succeeds (or, when optional, until Telegram refuses it for good). */
  private async step(name: string, firstTryOver: () => void, call: () => Promise<unknown>, opts: { optional?: boolean } = {}): Promise<boolean> {
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        await call();
        this.problems.delete(name);
        return true;
      } catch (error) {
        const failure = toFailure(error);
        const decision = decide(failure, attempt, STARTUP_RETRY_POLICY);
        if (!decision.retry && opts.optional) {
          this.problems.delete(name);
          this.options.logger.warn({ err: error, step: name }, "telegram refused an optional start-up call; going on without it");
          return false;
        }
        // A refusal (bad token, bad webhook URL) may be fixed on Telegram's side: ask again, rarely.
        const delayMs = decision.retry ? decision.delayMs : STARTUP_RETRY_POLICY.maxDelayMs;
        const why = failure.kind === "network" ? "network error" : failure.description;
        this.problems.set(name, `${name} failed (${why}); retrying in ${Math.ceil(delayMs / 1000)} s`);
        this.options.logger.warn({ err: error, step: name, delayMs }, "telegram start-up call failed; retrying in the background");
        firstTryOver();
        await this.pause(delayMs);
      }
    }
    return false;
  }

  /**
   * Polling confirms an update to Telegram once its handler returns, failed or not: so an update is tried
   * until it is stored (the database may be restarting), and the next ones wait for it, in order.
   */
  private async storeUpdate(update: Update): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        this.options.intake?.(update);
        this.problems.delete("intake");
        return;
      } catch (error) {
        if (this.stopping) throw error;
        const delayMs = Math.min(10_000, 500 * 2 ** attempt);
        this.problems.set("intake", "updates cannot be stored (the database does not answer); trying again");
        this.options.logger.error({ err: error, updateId: update.update_id, delayMs }, "a telegram update could not be stored; trying again");
        await this.pause(delayMs);
      }
    }
  }

  /** launch() deletes any webhook, then polls until stop(); a polling that dies is started again. */
  private async pollUntilStopped(): Promise<void> {
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        await this.bot.launch({ allowedUpdates: [...ALLOWED_UPDATES] }, () => this.problems.delete("polling"));
        return;
      } catch (error) {
        if (this.stopping) return;
        const failure = toFailure(error);
        const decision = decide(failure, attempt, STARTUP_RETRY_POLICY);
        const delayMs = decision.retry ? decision.delayMs : STARTUP_RETRY_POLICY.maxDelayMs;
        const why = failure.kind === "network" ? "network error" : failure.description;
        this.problems.set("polling", `polling stopped (${why}); restarting in ${Math.ceil(delayMs / 1000)} s`);
        this.options.logger.error({ err: error, delayMs }, "telegram polling stopped; restarting");
        await this.pause(delayMs);
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  /** Handles one update now: the inbound queue's handler for Telegram (webhook and polling alike). */
  async handleUpdate(update: Update): Promise<void> {
    this.queued.add(update);
    await this.bot.handleUpdate(update);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of [...this.wakers]) wake();
    await this.connecting;
    // launch() may still be on its way to polling (deleteWebhook in flight): stop it once it polls.
    let settled = this.polling === undefined;
    void this.polling?.finally(() => (settled = true));
    while (!settled) {
      try {
        this.bot.stop("shutdown");
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    await this.polling;
  }

  private async onMessage(ctx: Context): Promise<void> {
    const message = ctx.message;
    if (!message || !ctx.chat) return;
    const staffChat = this.options.staffChat;
    if (staffChat && String(ctx.chat.id) === staffChat.current()) {
      // The service message Telegram posts in the old group when it becomes a supergroup.
      if ("migrate_to_chat_id" in message) staffChat.moved(String(ctx.chat.id), String(message.migrate_to_chat_id));
      else await this.onStaffMessage(ctx);
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
    const confirmation = await this.options.onStaffReply(String(message.reply_to_message.message_id), text, {
      chat: String(message.chat.id),
      messageId: String(message.message_id),
      // The thread names who answered; the name as Telegram shows it.
      author: [message.from?.first_name, message.from?.last_name].filter(Boolean).join(" ") || undefined,
    });
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
