import express, { type ErrorRequestHandler } from "express";
import type { Server } from "node:http";
import type { Update } from "telegraf/types";
import { join } from "node:path";
import type { Logger as PinoLogger } from "pino";
import { StaffChatAddress } from "./adapters/telegram/staff-chat-address.js";
import { TelegramStaffNotifier } from "./adapters/telegram/staff-notifier.js";
import { TelegramChannel } from "./adapters/telegram/telegram-channel.js";
import { telegramWebhookRoute } from "./adapters/telegram/webhook-route.js";
import { webChatRoutes } from "./adapters/web/chat-routes.js";
import { emailOn, type Config } from "./config.js";
import { EmailSender } from "./adapters/email/email-sender.js";
import { ZnsSender } from "./adapters/zalo/zns-sender.js";
import { decodeKey } from "./infra/secret-box.js";
import { UnsubscribeTokens } from "./reach/unsubscribe-token.js";
import { unsubscribeRoutes } from "./http/unsubscribe/unsubscribe-routes.js";
import type { DeliveryChannel } from "./outbox/outbox-port.js";
import { loadLiveKnowledge } from "./knowledge-edit/live-knowledge.js";
import type { LiveClassifier } from "./knowledge-edit/live-classifier.js";
import { Conversation } from "./core/conversation.js";
import { parseOfficeHours } from "./core/time/office-hours.js";
import type { Clock } from "./core/ports.js";
import { databaseAnswers, databaseLocation, databaseUnavailable, openDatabase, type OpenDatabase } from "./db/database.js";
import { SqliteChatMigrations } from "./db/chat-migrations.js";
import { SqliteConversationStore } from "./db/conversation-store.js";
import { SqliteWebSessions } from "./db/web-sessions.js";
import { InboundQueue } from "./core/inbound/inbound-queue.js";
import { SqliteInboundStore } from "./db/inbound-store.js";
import { telegramInbound } from "./adapters/telegram/telegram-inbound.js";
import { createLogger } from "./infra/logger.js";
import { Metrics } from "./infra/metrics.js";
import { startRetentionJob, type RetentionJob } from "./infra/retention.js";
import { I18nTranslator } from "./infra/translator.js";
import { DEFAULT_CLASSIFIER_SETTINGS } from "./nlu/intent-classifier.js";
import cron from "node-cron";
import { AdminTokens } from "./access/admin-tokens.js";
import { consoleBaseUrl, StaffAccounts } from "./access/staff-accounts.js";
import { StaffSessions } from "./access/staff-sessions.js";
import { StaffSignInCodes } from "./access/staff-sign-in-codes.js";
import { adminRoutes } from "./http/admin/admin-routes.js";
import { consoleRoutes } from "./http/console/console-routes.js";
import { BroadcastService } from "./broadcast/broadcast-service.js";
import { Dispatcher, type DispatchChannel } from "./outbox/dispatcher.js";
import { Enqueue } from "./outbox/enqueue.js";
import { HandoffReplies } from "./outbox/handoff-replies.js";
import { MessageKinds } from "./outbox/message-kinds.js";
import type { ChannelSender } from "./outbox/outbox-port.js";
import { SqliteHandoffReplies } from "./outbox/sqlite-handoff-replies.js";
import { HandoffInbox } from "./handoffs/handoff-inbox.js";
import { SqliteHandoffInbox } from "./handoffs/sqlite-handoff-inbox.js";
import { ReviewService } from "./review/review-service.js";
import { SqliteReviewStore } from "./review/sqlite-review-store.js";
import { AccessScopes } from "./access/scopes.js";
import { OverviewService } from "./overview/overview.js";
import { SqliteOverviewStore } from "./overview/overview-store.js";
import { AuditLog } from "./access/audit-log.js";
import { SqliteUnitTree } from "./db/unit-tree.js";
import { SqliteRateLimits } from "./db/rate-limit-store.js";
import { SqliteLeases } from "./db/lease-store.js";
import { OncePerTick } from "./infra/once-per-tick.js";
import { DatabaseSenderLease } from "./outbox/sender-lease.js";
import { deliveryPolicy } from "./core/delivery/retry-policy.js";
import type { Channel } from "./core/types.js";
import { SqliteOutbox } from "./outbox/sqlite-outbox-store.js";
import { escapeHtml } from "./core/render.js";
import { SqliteUnitDirectory } from "./db/unit-directory.js";
import { StaffChat } from "./core/staff-chat.js";
import { ReminderPlanner } from "./reminders/planner.js";
import { TaskBoard } from "./tasks/task-board.js";
import { ReminderTexts } from "./reminders/reminder-text.js";
import { chatLinking, Linking } from "./registry/linking.js";
import { buildServices } from "./wiring/services.js";
import { buildDirectiveSearch } from "./knowledge/build-directive-search.js";
import { DirectiveAnswers } from "./knowledge/directive-answers.js";
import { createZalo } from "./wiring/zalo.js";
import { zaloSiteVerificationRoute } from "./adapters/zalo/zalo-site-verification.js";
import { metricsAccess, noStore, securityHeaders } from "./http/hygiene.js";

export const ROOT = join(import.meta.dirname, "..");

export interface AppOptions {
  config: Config;
  clock?: Clock;
  logger?: PinoLogger;
  /** where intents/, templates/ and locales/ live (the repository root by default) */
  contentRoot?: string;
  /** waits between Telegram retries; tests shorten it */
  sleep?: (ms: number) => Promise<void>;
  /** how long an idle dispatcher waits before looking again (tests shorten it) */
  dispatcherIdleMs?: number;
}

export interface App {
  express: express.Express;
  conversation: Conversation;
  /** the classifier in use; console knowledge edits swap the model behind it */
  classifier: LiveClassifier;
  store: SqliteConversationStore;
  database: OpenDatabase;
  metrics: Metrics;
  telegram: TelegramChannel | undefined;
  outbox: SqliteOutbox;
  /** the one way into the outbox, for every cause */
  enqueue: Enqueue;
  broadcasts: BroadcastService;
  dispatcher: Dispatcher;
  /** every Telegram and Zalo update, stored before it is acknowledged and handled from there */
  inbound: InboundQueue;
  tokens: AdminTokens;
  staffAccounts: StaffAccounts;
  planner: ReminderPlanner;
  taskBoard: TaskBoard;
  /** binds HTTP and starts Telegram (polling or webhook); resolves with the bound address */
  start(): Promise<{ port: number; host: string }>;
  stop(): Promise<void>;
}

const systemClock: Clock = { now: () => new Date() };

/** Builds the whole product from configuration: storage, content, NLU, core, adapters, HTTP. */
export async function createApp(options: AppOptions): Promise<App> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const root = options.contentRoot ?? ROOT;

  const database = openDatabase(databaseLocation(config));
  // The files plus the console's knowledge edits; the classifier and answers stay swappable while running.
  const knowledge = loadLiveKnowledge({
    contentRoot: root,
    heldoutRoot: ROOT,
    db: database.db,
    audit: new AuditLog(database.db),
    clock,
    settings: { ...DEFAULT_CLASSIFIER_SETTINGS, threshold: config.NLU_THRESHOLD },
    logger,
  });
  const { nlu: classifier, answers } = knowledge;
  let knowledgeSync: NodeJS.Timeout | undefined;
  // Per-address limits (web chat, sign-in) counted in the database, so several instances share them.
  const rateCounter = new SqliteRateLimits(database.db);
  const translator = await I18nTranslator.load(join(root, "locales"), config.DEFAULT_LOCALE);
  const directive = buildDirectiveSearch(root);
  const store = new SqliteConversationStore(database.db);
  const webSessions = new SqliteWebSessions(database.db);
  const metrics = new Metrics();

  // Filled as the channels come up; the broadcast service reads it when it sends a test.
  const senders: Partial<Record<Channel, ChannelSender>> = {};
  // The month's ZNS budget is spent: staff hear it in their chat (once a month; the log line is always written).
  const budgetAlert = { send: undefined as ((month: string, budget: number) => void) | undefined };
  const services = buildServices({
    config,
    database,
    clock,
    logger,
    contentRoot: root,
    senders,
    onZnsBudgetSpent: (month, budget) => budgetAlert.send?.(month, budget),
  });
  const { quietHours, outbox, enqueue, taskStore, taskBoard, planner, broadcasts, tokens } = services;

  const inbound = new InboundQueue({
    store: new SqliteInboundStore(database.db),
    clock,
    logger,
    observe: (channel, outcome) => metrics.inbound.inc({ channel, outcome }),
  });
  let telegram: TelegramChannel | undefined;
  const staffNotifier = { current: undefined as TelegramStaffNotifier | undefined };
  const conversation = new Conversation({
    nlu: classifier,
    answers,
    store,
    translator,
    clock,
    defaultLocale: config.DEFAULT_LOCALE,
    logger,
    observer: metrics,
    units: new SqliteUnitDirectory(database.db),
    staffChat: new StaffChat(chatLinking(new Linking(database.db)), taskBoard, translator, config.TZ_NAME, services.reach),
    directive: new DirectiveAnswers(directive.search, directive.document),
    channelLinks: {
      telegramBot: () => config.TELEGRAM_BOT_USERNAME ?? telegram?.bot.botInfo?.username,
      zaloOaUrl: config.ZALO_OA_URL,
    },
    officeHours: parseOfficeHours(config.OFFICE_HOURS, config.TZ_NAME),
    // Without a staff chat nobody is told of a hand-off, and the person hears so.
    staff:
      config.TELEGRAM_BOT_TOKEN && config.STAFF_CHAT_ID
        ? {
            notifyHandoff: async (request) => {
              if (!staffNotifier.current) throw new Error("no staff chat");
              return staffNotifier.current.notifyHandoff(request);
            },
          }
        : undefined,
  });

  if (config.TELEGRAM_BOT_TOKEN) {
    const staffChat = config.STAFF_CHAT_ID
      ? new StaffChatAddress(config.STAFF_CHAT_ID, new SqliteChatMigrations(database.db), clock, logger)
      : undefined;
    telegram = new TelegramChannel({
      token: config.TELEGRAM_BOT_TOKEN,
      apiRoot: config.TELEGRAM_API_ROOT,
      conversation,
      translator,
      clock,
      metrics,
      logger,
      defaultLocale: config.DEFAULT_LOCALE,
      markUnreachable: (address, at) => store.markUnreachable("telegram", address, at),
      staffChat,
      onStaffReply: (postId, text, staffMessage) => Promise.resolve(handoffReplies.relay(postId, text, staffMessage, clock.now())),
      intake: (update) => void inbound.accept(telegramInbound(update)),
      ...(options.sleep ? { sleep: options.sleep } : {}),
    });
    const channel = telegram;
    inbound.register("telegram", (update) => channel.handleUpdate(update as Update));
    if (staffChat) {
      const telegramSender = telegram.sender;
      budgetAlert.send = (month, budget) => {
        const text = translator.t("zns_budget.alert", config.DEFAULT_LOCALE, { month, budget });
        telegramSender.sendHtml(staffChat.current(), escapeHtml(text)).catch((error: unknown) => {
          logger.error({ err: error }, "could not tell the staff chat that the ZNS budget is spent");
        });
      };
      staffNotifier.current = new TelegramStaffNotifier(
        telegram.sender,
        staffChat,
        translator,
        config.DEFAULT_LOCALE,
        config.TZ_NAME,
      );
    }
  }

  const channels: Partial<Record<DeliveryChannel, DispatchChannel>> = {};
  if (telegram) {
    const sender = telegram.sender;
    senders.telegram = { send: (address, message) => sender.send(address, message) };
    channels.telegram = {
      sender: senders.telegram,
      pace: {
        perSecond: config.TELEGRAM_RATE_PER_SEC,
        privateChatGapMs: 1000 / config.TELEGRAM_CHAT_RATE_PER_SEC,
        groupChatGapMs: 60_000 / config.TELEGRAM_GROUP_RATE_PER_MIN,
        concurrency: config.TELEGRAM_SEND_CONCURRENCY,
        // Telegram's group and supergroup chat ids are negative.
        isGroupChat: (address) => address.startsWith("-"),
      },
    };
  }
  const zalo = createZalo(config, { conversation, translator, clock, logger, metrics, store, database, inbound, sleep: options.sleep, zaloTypes: services.zaloTypes,
    recordZnsReceipt: (receipt) => outbox.recordZnsDelivered(receipt) });
  if (zalo) {
    senders.zalo = zalo.sender;
    channels.zalo = {
      sender: zalo.outboxSender,
      pace: { perSecond: config.ZALO_RATE_PER_SEC, privateChatGapMs: 1000, groupChatGapMs: 1000, concurrency: 1 },
      // The window closed: transaction or promotion (templates/zalo-message-types.yaml), else skipped with why.
      guard: zalo.outboxSender.guard(),
    };
    // A due-day or late reminder the ladder will carry by ZNS skips the closed window, as the ladder says.
    zalo.outboxSender.useLadder((cause, now) =>
      channels.zns !== undefined && services.ladder.offChat(cause, now).some((step) => step.channel === "zns" && !step.unusable),
    );
  }
  // The ladder's channels after the chats (reminders and summaries to registry staff only).
  let zns: ZnsSender | undefined;
  if (zalo && services.znsTemplates) {
    zns = new ZnsSender(zalo.client, services.znsTemplates);
    channels.zns = {
      sender: zns,
      // One at a time: each send is counted against the month's budget before the next is checked.
      pace: { perSecond: config.ZALO_RATE_PER_SEC, privateChatGapMs: 0, groupChatGapMs: 0, concurrency: 1 },
      guard: services.ladder.znsGuard(),
    };
  }
  const unsubscribeKey = config.DATA_ENCRYPTION_KEY ? decodeKey(config.DATA_ENCRYPTION_KEY) : undefined;
  const unsubscribeTokens = unsubscribeKey ? new UnsubscribeTokens(unsubscribeKey) : undefined;
  if (emailOn(config) && unsubscribeTokens) {
    if (!config.PUBLIC_URL) logger.warn({}, "e-mail is on without PUBLIC_URL: unsubscribe links point at localhost");
    const base = consoleBaseUrl(config.PUBLIC_URL, config.PORT).replace(/\/$/, "");
    const w = (key: string) => translator.t(`email.${key}`, config.DEFAULT_LOCALE);
    channels.email = {
      sender: new EmailSender({
        smtpUrl: config.SMTP_URL,
        from: config.MAIL_FROM,
        locale: config.DEFAULT_LOCALE,
        words: { sender: w("sender"), subjectPrefix: w("subject_prefix"), footer: w("footer"), unsubscribe: w("unsubscribe") },
        unsubscribeUrl: (address) => `${base}/unsubscribe/email/${unsubscribeTokens.tokenFor(address)}`,
      }),
      pace: { perSecond: config.MAIL_RATE_PER_SEC, privateChatGapMs: 0, groupChatGapMs: 0, concurrency: 2 },
    };
  }
  const handoffStore = new SqliteHandoffInbox(database.db);
  const handoffInbox = new HandoffInbox({
    store: handoffStore,
    scopes: new AccessScopes(new SqliteUnitTree(database.db)),
    audit: new AuditLog(database.db),
    send: (target, text, author, now) => handoffReplies.send(target, text, author, now),
    observeFirstAnswer: (seconds) => metrics.handoffFirstAnswer.observe(seconds),
  });
  metrics.watchHandoffs(() => handoffInbox.waiting(), () => handoffInbox.medianFirstAnswerSeconds(clock.now()));
  /** A staff member's reply (staff chat or console) goes to the person through the outbox, as its own kind. */
  const handoffReplies: HandoffReplies = new HandoffReplies({
    store: new SqliteHandoffReplies(database.db),
    answerHandoff: (postId) => handoffStore.targetOfPost(postId),
    thread: handoffInbox,
    enqueue,
    translator,
    staffLocale: config.DEFAULT_LOCALE,
    canSend: (channel) => channels[channel] !== undefined,
    confirm: async (chat, messageId, text) => {
      if (!telegram) return;
      await telegram.sender.sendHtml(chat, escapeHtml(text), undefined, Number(messageId));
    },
    logger,
  });
  const reminderTexts = new ReminderTexts(taskStore, clock, translator, config.TZ_NAME);
  const kinds = new MessageKinds()
    .register("broadcast", { render: (row) => broadcasts.messageFor(row.causeId, row.locale), ...broadcasts.lifecycle.rowFinished() })
    // Unit reminders and the office and Department summaries alike.
    .register("reminder", {
      render: (row) => reminderTexts.reminderMessage(row.causeId, row.locale),
      templateValues: (row) => services.ladder.templateValues(row.causeId, clock.now()),
    })
    .register("handoff_reply", handoffReplies.kind());
  const dispatcher = new Dispatcher({
    outbox,
    kinds,
    channels,
    clock,
    policy: deliveryPolicy(config.MAX_ATTEMPTS, config.DELIVERY_DEADLINE_MINUTES * 60_000),
    quietHours,
    logger,
    observer: { onDelivered: (channel, outcome) => metrics.deliveries.inc({ channel, outcome }) },
    ...(options.dispatcherIdleMs ? { idleMs: options.dispatcherIdleMs } : {}),
    // One sender per channel across the instances on this database: the platform's rate is per bot, not per process.
    senderLease: new DatabaseSenderLease(new SqliteLeases(database.db), config.INSTANCE_ID),
  });
  const staffAccounts = new StaffAccounts(database.db, logger);
  const sessionMaxMs = config.SESSION_MAX_HOURS * 3_600_000;
  const staffSessions = new StaffSessions(database.db, { idleMs: config.SESSION_IDLE_MINUTES * 60_000, maxMs: sessionMaxMs });
  const signInCodes = new StaffSignInCodes({ accounts: staffAccounts, senders, translator, locale: config.DEFAULT_LOCALE, logger });

  const app = express();
  app.disable("x-powered-by");
  // Which X-Forwarded-For hops to believe for req.ip (per-IP limits): none unless TRUST_PROXY says so.
  app.set("trust proxy", config.TRUST_PROXY);
  app.use(securityHeaders());
  app.use(["/api/admin", "/api/chat"], noStore);
  // Zalo signs the raw bytes, so its route reads the body itself, before the JSON parser.
  if (zalo) app.use(zalo.route);
  if (config.ZALO_SITE_VERIFICATION) app.use(zaloSiteVerificationRoute(config.ZALO_SITE_VERIFICATION));
  app.use(express.json({ limit: "64kb" }));
  app.get("/healthz", (_req, res) => {
    const channels: Record<string, string> = {};
    if (telegram) channels.telegram = telegram.health();
    if (zalo) channels.zalo = zalo.client.health() === "degraded" ? `degraded: ${zalo.client.healthReason() ?? "token refresh failing"}` : "ok";
    const databaseUp = databaseAnswers(database.db);
    const allOk = databaseUp && Object.values(channels).every((state) => state === "ok");
    // ZNS: this month's count against the budget, and Zalo's daily quota as it last said.
    const znsState = zns ? { ...services.ladder.znsUsage(clock.now()), ...(zns.lastQuota ? { zaloDailyQuota: zns.lastQuota } : {}) } : undefined;
    // A database that does not answer makes this instance unable to serve: 503, so a load balancer looks elsewhere.
    res
      .status(databaseUp ? 200 : 503)
      .json({ ...(allOk ? { status: "ok" } : { status: "degraded", ...(databaseUp ? {} : { database: "unreachable" }), channels }), ...(znsState ? { zns: znsState } : {}) });
  });
  app.get("/metrics", metricsAccess(config.METRICS_TOKEN), async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  if (telegram && config.PUBLIC_URL && config.TELEGRAM_WEBHOOK_SECRET) {
    app.use(telegramWebhookRoute(inbound, config.TELEGRAM_WEBHOOK_SECRET, metrics, logger));
  }
  app.use(
    adminRoutes({
      tokens,
      broadcasts,
      outbox,
      clock,
      logger,
      staff: {
        accounts: staffAccounts,
        sessions: staffSessions,
        codes: signInCodes,
        maxAgeMs: sessionMaxMs,
        baseUrl: consoleBaseUrl(config.PUBLIC_URL, config.PORT),
        rateCounter,
      },
      handoffs: handoffInbox,
      overview: new OverviewService({
        store: new SqliteOverviewStore(database.db),
        scopes: new AccessScopes(new SqliteUnitTree(database.db)),
        tasks: taskBoard,
        clock,
        timeZone: config.TZ_NAME,
        units: () => new Map(new SqliteUnitDirectory(database.db).list().map((u) => [u.code, { name: u.name, type: u.type }])),
        zns:
          zns && services.znsTemplates
            ? { usage: (now) => services.ladder.znsUsage(now), priceVnd: services.znsTemplates.priceVnd, lastQuota: () => zns?.lastQuota }
            : undefined,
      }),
      review: new ReviewService({ store: new SqliteReviewStore(database.db), scopes: new AccessScopes(new SqliteUnitTree(database.db)), audit: new AuditLog(database.db), classifier: () => classifier }),
      knowledge: knowledge.editor,
      registry: {
        database,
        clock,
        tasksFile: join(root, "templates", "tasks.yaml"),
        taskBoard,
        botUsername: () => config.TELEGRAM_BOT_USERNAME ?? telegram?.bot.botInfo?.username,
        zaloOaUrl: config.ZALO_OA_URL,
      },
    }),
  );
  app.use(consoleRoutes());
  if (unsubscribeTokens) {
    app.use(unsubscribeRoutes({ tokens: unsubscribeTokens, store: services.reach, translator, locale: config.DEFAULT_LOCALE, clock }));
  }
  app.use(
    webChatRoutes({
      conversation,
      sessions: webSessions,
      staffReplies: handoffInbox,
      clock,
      metrics,
      translator,
      ratePerMinute: config.CHAT_RATE_PER_MINUTE,
      ratePerIpPerMinute: config.CHAT_RATE_PER_IP_PER_MINUTE,
      sessionsPerIpPerHour: config.CHAT_SESSIONS_PER_IP_PER_HOUR,
      pollsPerIpPerMinute: config.CHAT_POLLS_PER_IP_PER_MINUTE,
      rateCounter,
    }),
  );
  app.use((_req, res) => {
    res.status(404).json({ error: "not found", code: "not_found" });
  });
  app.use(jsonErrors(logger));

  let server: Server | undefined;
  let retention: RetentionJob | undefined;
  let broadcastTick: ReturnType<typeof cron.schedule> | undefined;
  let reminderTick: ReturnType<typeof cron.schedule> | undefined;
  // Each schedule runs once per tick across the instances on this database (a lease shorter than its interval).
  const ticks = new OncePerTick(new SqliteLeases(database.db), () => clock.now().getTime());
  const planReminders = (): void => {
    try {
      ticks.run("reminders", 50_000, () => planner.plan(clock.now()));
    } catch (error) {
      logger.error({ err: error }, "planning reminders failed");
    }
  };
  const planDue = (): void => {
    try {
      ticks.run("broadcasts", 10_000, () => broadcasts.planDue(clock.now()));
    } catch (error) {
      logger.error({ err: error }, "planning due broadcasts failed");
    }
  };

  return {
    express: app,
    conversation,
    classifier,
    store,
    database,
    metrics,
    telegram,
    outbox,
    enqueue,
    broadcasts,
    dispatcher,
    inbound,
    tokens,
    staffAccounts,
    planner,
    taskBoard,
    async start() {
      server = await new Promise<Server>((resolve, reject) => {
        const s = app.listen(config.PORT, config.HOST, () => resolve(s));
        s.once("error", reject);
      });
      retention = startRetentionJob({
        store,
        clock,
        days: config.LOG_RETENTION_DAYS,
        logger,
        timeZone: config.TZ_NAME,
        idleWebUsers: { store: webSessions, days: config.CHAT_IDLE_DAYS },
        once: (work) => void ticks.run("retention", 10 * 60_000, work),
      });
      inbound.start();
      // Another instance on the same database may apply knowledge edits: follow them within seconds.
      if (config.KNOWLEDGE_SYNC_SECONDS > 0) {
        knowledgeSync = setInterval(() => {
          knowledge.editor.followLatest().catch((error: unknown) => logger.error({ err: error }, "could not follow the knowledge edits of another instance"));
        }, config.KNOWLEDGE_SYNC_SECONDS * 1000);
        knowledgeSync.unref();
      }
      if (telegram) {
        // Telegram connects in the background (retrying, retry_after honoured); the rest serves meanwhile.
        // Waiting for its first try only keeps a healthy start quiet; a failing one never stops start().
        const webhook =
          config.PUBLIC_URL && config.TELEGRAM_WEBHOOK_SECRET
            ? { url: `${config.PUBLIC_URL.replace(/\/$/, "")}/webhooks/telegram`, secret: config.TELEGRAM_WEBHOOK_SECRET }
            : undefined;
        await firstTryOrTimeout(telegram.connect(webhook), 5_000);
      }
      // node-cron only says "plan what is due now"; all state is in the database.
      // The current school year exists from the first start, created from templates/tasks.yaml.
      const opened = services.openCurrentYear(clock.now());
      if (opened.created) logger.info({ year: opened.name }, "school year opened from templates/tasks.yaml");
      planDue();
      planReminders();
      broadcastTick = cron.schedule("*/15 * * * * *", planDue, { timezone: config.TZ_NAME });
      reminderTick = cron.schedule(config.REMINDER_CRON, planReminders, { timezone: config.TZ_NAME });
      dispatcher.start();
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : config.PORT;
      return { port, host: config.HOST };
    },
    async stop() {
      retention?.stop();
      if (knowledgeSync) clearInterval(knowledgeSync);
      await knowledge.trainer.stop();
      await broadcastTick?.stop();
      await reminderTick?.stop();
      await dispatcher.stop();
      ticks.releaseAll();
      await telegram?.stop();
      await inbound.stop();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server?.closeAllConnections();
      database.close();
    },
  };
}

/** Resolves when `first` does or after `ms`, whichever comes first; never rejects. */
async function firstTryOrTimeout(first: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([first.catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Malformed JSON, oversized bodies and unexpected errors all answer as JSON with a 4xx/5xx, never a crash. */
function jsonErrors(logger: PinoLogger): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    if (databaseUnavailable(err)) {
      logger.error({ err }, "request failed: the database does not answer");
      res.status(503).set("Retry-After", "5").json({ error: "the database does not answer; try again shortly", code: "database_unavailable" });
      return;
    }
    const status = typeof err === "object" && err !== null && "status" in err ? Number(err.status) : 500;
    const type = typeof err === "object" && err !== null && "type" in err ? String(err.type) : "";
    if (status >= 500) logger.error({ err }, "request failed");
    const [message, code] =
      type === "entity.parse.failed"
        ? ["body is not valid JSON", "invalid_json"]
        : type === "entity.too.large"
          ? ["body too large", "too_large"]
          : status >= 500
            ? ["internal error", "internal_error"]
            : ["bad request", "invalid"];
    res.status(Number.isInteger(status) && status >= 400 && status < 600 ? status : 500).json({ error: message, code });
  };
}
