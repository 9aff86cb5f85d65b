import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * Storage keeps what the product needs and no more: no names, phone numbers or message texts that looked
 * like passwords. Times are Unix milliseconds.
 */

export const users = sqliteTable("users", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  /** subscriber | it_lead | school_leader | office_staff | department_staff (staff roles arrive with the registry) */
  role: text("role").notNull().default("subscriber"),
  locale: text("locale", { enum: ["vi", "en"] }),
  localeChosen: integer("locale_chosen", { mode: "boolean" }).notNull().default(false),
  subscribed: integer("subscribed", { mode: "boolean" }).notNull().default(false),
  subscribedAt: integer("subscribed_at"),
  createdAt: integer("created_at").notNull(),
  lastSeenAt: integer("last_seen_at").notNull(),
});

/** A user's address on one channel. One user may have several (Telegram and Zalo, once linked). */
export const channelAddresses = sqliteTable(
  "channel_addresses",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    channel: text("channel", { enum: ["telegram", "web", "zalo"] }).notNull(),
    address: text("address").notNull(),
    lastInboundAt: integer("last_inbound_at").notNull(),
    /** set when the platform says the person blocked the bot or is gone; cleared when they write again */
    unreachableAt: integer("unreachable_at"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("channel_addresses_channel_address").on(t.channel, t.address), index("channel_addresses_user").on(t.userId)],
);

export const conversationLog = sqliteTable(
  "conversation_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    channel: text("channel").notNull(),
    direction: text("direction", { enum: ["in", "out"] }).notNull(),
    /** null when withheld (the message looked like a password) or for outgoing answers */
    text: text("text"),
    intent: text("intent"),
    at: integer("at").notNull(),
  },
  (t) => [index("conversation_log_user_at").on(t.userId, t.at), index("conversation_log_at").on(t.at)],
);

/** Questions the bot could not answer, aggregated by normalised text; `count` is the number of distinct askers. */
export const unanswered = sqliteTable(
  "unanswered",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    normalizedText: text("normalized_text").notNull(),
    locale: text("locale").notNull(),
    count: integer("count").notNull().default(1),
    firstSeenAt: integer("first_seen_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
  },
  (t) => [uniqueIndex("unanswered_text").on(t.normalizedText)],
);

/**
 * Who already counted for an unanswered question, so `count` is distinct askers and one person repeating a
 * question cannot push it up the list. Goes with the user, and after LOG_RETENTION_DAYS like the logs.
 */
export const unansweredAskers = sqliteTable(
  "unanswered_askers",
  {
    unansweredId: integer("unanswered_id")
      .notNull()
      .references(() => unanswered.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    at: integer("at").notNull(),
  },
  (t) => [uniqueIndex("unanswered_askers_pk").on(t.unansweredId, t.userId), index("unanswered_askers_user").on(t.userId), index("unanswered_askers_at").on(t.at)],
);

export const handoffs = sqliteTable(
  "handoffs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    channel: text("channel").notNull(),
    locale: text("locale").notNull(),
    question: text("question"),
    /** JSON array of the last messages, for the staff member who takes it */
    transcript: text("transcript").notNull(),
    /** open: the person waits; answered: staff replied last; closed: done (reopened on request) */
    status: text("status", { enum: ["open", "answered", "closed"] }).notNull().default("open"),
    createdAt: integer("created_at").notNull(),
    /** the post in the staff chat; a staff member's reply to it goes back to the person */
    staffMessageId: text("staff_message_id"),
    /** the first staff answer (time to first answer) */
    answeredAt: integer("answered_at"),
  },
  (t) => [index("handoffs_status").on(t.status, t.createdAt), index("handoffs_staff_message").on(t.staffMessageId)],
);

/**
 * A hand-off's thread after the request: the person's follow-ups (in) and staff answers (out), from the console
 * or the Telegram staff chat. Goes with the hand-off (and so with /forget).
 */
export const handoffMessages = sqliteTable(
  "handoff_messages",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    handoffId: integer("handoff_id")
      .notNull()
      .references(() => handoffs.id, { onDelete: "cascade" }),
    direction: text("direction", { enum: ["in", "out"] }).notNull(),
    /** "person", or the staff member: their console label or "telegram:<name>" */
    author: text("author").notNull(),
    text: text("text").notNull(),
    at: integer("at").notNull(),
    /** staff answers only: queued/sent/failed through the outbox, or on_page for the web chat (it fetches) */
    delivery: text("delivery", { enum: ["queued", "sent", "failed", "on_page"] }),
    /** where a sent staff answer went ("zalo", "telegram", "email:<address>"), for the staff who answered */
    deliveredVia: text("delivered_via"),
  },
  (t) => [index("handoff_messages_handoff").on(t.handoffId, t.id)],
);

/**
 * A staff member's answer to a hand-off, kept until its outbox row ends: the text the person gets, the thread
 * message whose delivery it settles, and (from the staff chat) the message to confirm under.
 */
export const handoffReplies = sqliteTable(
  "handoff_replies",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    handoffId: integer("handoff_id")
      .notNull()
      .references(() => handoffs.id, { onDelete: "cascade" }),
    text: text("text").notNull(),
    /** "" when the answer came from the console (nothing to confirm under in the staff chat) */
    staffChat: text("staff_chat").notNull(),
    staffMessageId: text("staff_message_id").notNull(),
    /** the handoff_messages row (no foreign key: adding one would rebuild the table; both go with the hand-off) */
    messageId: integer("message_id"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("handoff_replies_handoff").on(t.handoffId)],
);

/** The organisation tree: the Department, offices under it, schools under those (or directly under it). */
export const units = sqliteTable(
  "units",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    code: text("code").notNull(),
    name: text("name").notNull(),
    /** lower case, no tone marks: for name search in the chat */
    nameFolded: text("name_folded").notNull(),
    type: text("type", { enum: ["department", "office", "school"] }).notNull(),
    level: text("level", { enum: ["mam_non", "tieu_hoc", "thcs", "thpt", "gdtx"] }),
    parentId: integer("parent_id"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("units_code").on(t.code), index("units_parent").on(t.parentId)],
);

/** Units a user follows (a parent following their child's school) or belongs to (staff). */
export const userUnits = sqliteTable(
  "user_units",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    unitId: integer("unit_id")
      .notNull()
      .references(() => units.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("user_units_pk").on(t.userId, t.unitId), index("user_units_unit").on(t.unitId)],
);

export const adminTokens = sqliteTable(
  "admin_tokens",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    role: text("role", { enum: ["department_admin", "office_admin", "viewer"] }).notNull(),
    /** office_admin only: the unit whose subtree the token may act on */
    unitId: integer("unit_id").references(() => units.id),
    /** sha256 of the token; the token itself is shown once and never stored */
    tokenHash: text("token_hash").notNull(),
    /** the holder's own chat, for test sends ("telegram:123456") */
    chatChannel: text("chat_channel"),
    chatAddress: text("chat_address"),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("admin_tokens_hash").on(t.tokenHash)],
);

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** "token:<id> <name>" or "cli" */
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    target: text("target"),
    detail: text("detail"),
    at: integer("at").notNull(),
  },
  (t) => [index("audit_log_at").on(t.at)],
);

export const broadcasts = sqliteTable(
  "broadcasts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    title: text("title").notNull(),
    textVi: text("text_vi").notNull(),
    textEn: text("text_en"),
    /** the audience filter as JSON */
    audience: text("audience").notNull(),
    urgent: integer("urgent", { mode: "boolean" }).notNull().default(false),
    sendAt: integer("send_at").notNull(),
    status: text("status", { enum: ["scheduled", "sending", "done", "cancelled"] }).notNull(),
    /** recipients counted at creation (and again when planned) */
    recipients: integer("recipients").notNull().default(0),
    plannedAt: integer("planned_at"),
    createdBy: text("created_by").notNull(),
    /** the office whose admin created it (it and the offices above see it); null: the Department's own */
    ownerUnitId: integer("owner_unit_id"),
    createdAt: integer("created_at").notNull(),
    cancelledAt: integer("cancelled_at"),
    finishedAt: integer("finished_at"),
  },
  (t) => [index("broadcasts_status_send_at").on(t.status, t.sendAt), index("broadcasts_owner").on(t.ownerUnitId, t.id)],
);

/**
 * Everything that goes out to many people is a row first. `dedupeKey` is unique per (cause, recipient
 * address), so a retried request, a double click or a second planner run cannot create a second copy.
 */
export const outbox = sqliteTable(
  "outbox",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    dedupeKey: text("dedupe_key").notNull(),
    causeType: text("cause_type", { enum: ["broadcast", "reminder", "handoff_reply"] }).notNull(),
    causeId: integer("cause_id").notNull(),
    userId: integer("user_id"),
    /** the registry person an e-mail row of a broadcast is for (a person with no chat has no user) */
    personId: integer("person_id"),
    /** the chats, and the registry's phone (ZNS) and e-mail for staff (the delivery ladder) */
    channel: text("channel", { enum: ["telegram", "web", "zalo", "zns", "email"] }).notNull(),
    address: text("address").notNull(),
    locale: text("locale", { enum: ["vi", "en"] }).notNull(),
    urgent: integer("urgent", { mode: "boolean" }).notNull().default(false),
    status: text("status", { enum: ["queued", "sending", "sent", "failed", "skipped", "cancelled"] }).notNull(),
    /** why a row was skipped or failed: not_subscribed, unreachable, no_push_channel, bad_request, ... */
    reason: text("reason"),
    notBefore: integer("not_before").notNull(),
    attempts: integer("attempts").notNull().default(0),
    claimedAt: integer("claimed_at"),
    /** the instance sending it (INSTANCE_ID); its claim lapses CLAIM_LEASE after claimedAt */
    claimedBy: text("claimed_by"),
    providerMessageId: text("provider_message_id"),
    createdAt: integer("created_at").notNull(),
    doneAt: integer("done_at"),
    /** ZNS: when Zalo said the message reached the phone (its delivery receipt, user_received_message) */
    deliveredAt: integer("delivered_at"),
    /** Zalo OA: the message type it went by (consultation, transaction, promotion; templates/zalo-message-types.yaml) */
    zaloType: text("zalo_type"),
  },
  (t) => [
    uniqueIndex("outbox_dedupe").on(t.dedupeKey),
    index("outbox_due").on(t.status, t.channel, t.notBefore),
    index("outbox_cause").on(t.causeType, t.causeId, t.status),
    // Zalo messages sent, by follower and by type (the monthly quotas). Partial: the rows of other channels,
    // almost all of them, cost nothing to insert (a full index here slowed reminder planning by a third).
    index("outbox_zalo_sent_by_address").on(t.address, t.doneAt).where(sql`zalo_type IS NOT NULL`),
    index("outbox_zalo_sent_by_type").on(t.zaloType, t.doneAt).where(sql`zalo_type IS NOT NULL`),
  ],
);

export const deliveryAttempts = sqliteTable(
  "delivery_attempts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    outboxId: integer("outbox_id")
      .notNull()
      .references(() => outbox.id, { onDelete: "cascade" }),
    at: integer("at").notNull(),
    outcome: text("outcome", { enum: ["sent", "retry", "failed", "unreachable"] }).notNull(),
    errorKind: text("error_kind"),
    description: text("description"),
  },
  (t) => [index("delivery_attempts_outbox").on(t.outboxId)],
);

/** People in the registry (the Department's own records): IT leads, school leaders, office and Department staff. */
export const people = sqliteTable(
  "people",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** the Department's stable id for the person */
    ref: text("ref").notNull(),
    name: text("name").notNull(),
    role: text("role", { enum: ["it_lead", "school_leader", "office_staff", "department_staff"] }).notNull(),
    unitId: integer("unit_id")
      .notNull()
      .references(() => units.id),
    phone: text("phone"),
    email: text("email"),
    /** the chat user bound by /link */
    userId: integer("user_id").references(() => users.id, { onDelete: "set null" }),
    linkedAt: integer("linked_at"),
    /** channels the person turned off with /settings (JSON array: "telegram", "zalo", "zns", "email"); null: none */
    reachOff: text("reach_off"),
    /** the order the person wants the ladder's channels tried in (JSON array, e.g. ["email","zalo","telegram","zns"]); null: the default */
    reachOrder: text("reach_order"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("people_ref").on(t.ref), index("people_unit_role").on(t.unitId, t.role), uniqueIndex("people_user").on(t.userId)],
);

/** One-time codes that bind a chat to a person; only a hash of the code is kept. */
export const linkCodes = sqliteTable(
  "link_codes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    codeHash: text("code_hash").notNull(),
    personId: integer("person_id")
      .notNull()
      .references(() => people.id, { onDelete: "cascade" }),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
    /** a code asked for from an already linked chat: it adds another chat to that user (null: a staff-issued code) */
    joinUserId: integer("join_user_id"),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("link_codes_hash").on(t.codeHash)],
);

/**
 * Wrong link codes per chat, for rate limiting guesses; rows with address "*" count every chat of a channel
 * (channel "*": of all channels), so many chats together are bounded too.
 */
export const linkFailures = sqliteTable(
  "link_failures",
  {
    channel: text("channel").notNull(),
    address: text("address").notNull(),
    count: integer("count").notNull(),
    windowStartedAt: integer("window_started_at").notNull(),
  },
  (t) => [uniqueIndex("link_failures_pk").on(t.channel, t.address)],
);

export const schoolYears = sqliteTable(
  "school_years",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** "2025-2026" */
    name: text("name").notNull(),
    startsOn: text("starts_on").notNull(),
    endsOn: text("ends_on").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("school_years_name").on(t.name)],
);

export const tasks = sqliteTable(
  "tasks",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    yearId: integer("year_id")
      .notNull()
      .references(() => schoolYears.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    section: text("section"),
    titleVi: text("title_vi").notNull(),
    titleEn: text("title_en").notNull(),
    instructionsVi: text("instructions_vi").notNull(),
    instructionsEn: text("instructions_en").notNull(),
    /** JSON arrays; levels null = every level */
    appliesTypes: text("applies_types").notNull(),
    appliesLevels: text("applies_levels"),
    /** YYYY-MM-DD, or null when the directive gives no date (listed, not reminded) */
    dueOn: text("due_on"),
    dueNoteVi: text("due_note_vi"),
    dueNoteEn: text("due_note_en"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("tasks_year_key").on(t.yearId, t.key), index("tasks_due").on(t.dueOn)],
);

/** A school's status per task; no row means todo. */
export const taskStatuses = sqliteTable(
  "task_statuses",
  {
    taskId: integer("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    unitId: integer("unit_id")
      .notNull()
      .references(() => units.id, { onDelete: "cascade" }),
    status: text("status", { enum: ["todo", "done", "not_applicable"] }).notNull(),
    changedBy: text("changed_by").notNull(),
    changedAt: integer("changed_at").notNull(),
    note: text("note"),
  },
  (t) => [uniqueIndex("task_statuses_pk").on(t.taskId, t.unitId)],
);

export const taskStatusHistory = sqliteTable(
  "task_status_history",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    taskId: integer("task_id").notNull(),
    unitId: integer("unit_id").notNull(),
    status: text("status").notNull(),
    changedBy: text("changed_by").notNull(),
    note: text("note"),
    at: integer("at").notNull(),
  },
  (t) => [index("task_status_history_task_unit").on(t.taskId, t.unitId)],
);

/** One reminder per (task, unit, person, step): the planner can run twice, or in two processes, safely. */
export const reminders = sqliteTable(
  "reminders",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    taskId: integer("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    /** the school; for office and Department summaries, the office or Department */
    unitId: integer("unit_id").notNull(),
    personId: integer("person_id")
      .notNull()
      .references(() => people.id, { onDelete: "cascade" }),
    step: text("step").notNull(),
    /** JSON list of late school ids for office/Department summaries */
    schools: text("schools"),
    scheduledFor: integer("scheduled_for").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("reminders_key").on(t.taskId, t.unitId, t.personId, t.step)],
);

export const reminderSnoozes = sqliteTable(
  "reminder_snoozes",
  {
    taskId: integer("task_id").notNull(),
    unitId: integer("unit_id").notNull(),
    personId: integer("person_id").notNull(),
    until: integer("until").notNull(),
  },
  (t) => [uniqueIndex("reminder_snoozes_pk").on(t.taskId, t.unitId, t.personId)],
);

/** (task, step) pairs the planner has fully written, so later runs in the same window skip them cheaply. */
export const plannedSteps = sqliteTable(
  "planned_steps",
  {
    taskId: integer("task_id").notNull(),
    step: text("step").notNull(),
    plannedAt: integer("planned_at").notNull(),
  },
  (t) => [uniqueIndex("planned_steps_pk").on(t.taskId, t.step)],
);

/** The Zalo OA token pair in use (one row); refresh tokens are single-use, so each new pair is saved first. */
export const zaloTokens = sqliteTable("zalo_tokens", {
  id: integer("id").primaryKey(),
  accessToken: text("access_token").notNull(),
  refreshToken: text("refresh_token").notNull(),
  expiresAt: integer("expires_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * Every update from Telegram and Zalo, written before the platform gets its 200 and handled from here (so a
 * crash loses nothing). The unique (channel, dedupe_key) stops a resent update from being answered twice:
 * Telegram `update_id`, Zalo `event_name:msg_id`. Handled rows are purged after a retention period.
 */
export const inboundEvents = sqliteTable(
  "inbound_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    channel: text("channel").notNull(),
    dedupeKey: text("dedupe_key").notNull(),
    /** events of one sender are handled one after another, in arrival order */
    sender: text("sender").notNull(),
    /** the event as the channel adapter needs it to handle it (JSON) */
    payload: text("payload").notNull(),
    receivedAt: integer("received_at").notNull(),
    state: text("state", { enum: ["pending", "done", "failed"] }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    handledAt: integer("handled_at"),
  },
  (t) => [
    uniqueIndex("inbound_events_dedupe").on(t.channel, t.dedupeKey),
    index("inbound_events_state").on(t.state, t.id),
    index("inbound_events_handled").on(t.handledAt),
  ],
);

/**
 * Chats that moved to a new id (a Telegram group upgraded to a supergroup answers with migrate_to_chat_id).
 * Configured ids such as STAFF_CHAT_ID are followed through this table, so the move survives restarts.
 */
export const chatMigrations = sqliteTable(
  "chat_migrations",
  {
    channel: text("channel").notNull(),
    fromAddress: text("from_address").notNull(),
    toAddress: text("to_address").notNull(),
    migratedAt: integer("migrated_at").notNull(),
  },
  (t) => [uniqueIndex("chat_migrations_from").on(t.channel, t.fromAddress)],
);

/** Staff who sign in to the console with a login and password (or a code sent to their linked chat). */
export const staffAccounts = sqliteTable(
  "staff_accounts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** lower-cased, so logins are unique whatever their case */
    login: text("login").notNull(),
    name: text("name").notNull(),
    role: text("role", { enum: ["department_admin", "office_admin", "viewer"] }).notNull(),
    /** office_admin only: the unit whose subtree the account may act on */
    unitId: integer("unit_id").references(() => units.id),
    /** the registry person (people.ref) whose linked chat receives sign-in codes */
    personRef: text("person_ref"),
    /** "scrypt$N$r$p$<salt>$<hash>"; null until the person sets one through their link */
    passwordHash: text("password_hash"),
    /** sha256 of the one-time set-password token, and when it expires */
    setTokenHash: text("set_token_hash"),
    setTokenExpiresAt: integer("set_token_expires_at"),
    failedAttempts: integer("failed_attempts").notNull().default(0),
    lockedUntil: integer("locked_until"),
    /** sha256 of the current sign-in code, its expiry, wrong tries so far and when it was sent */
    codeHash: text("code_hash"),
    codeExpiresAt: integer("code_expires_at"),
    codeTries: integer("code_tries").notNull().default(0),
    codeSentAt: integer("code_sent_at"),
    disabledAt: integer("disabled_at"),
    lastSignInAt: integer("last_sign_in_at"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("staff_accounts_login").on(t.login), uniqueIndex("staff_accounts_set_token").on(t.setTokenHash)],
);

/** Console sessions: the cookie holds a random id, only its sha256 is kept. */
export const staffSessions = sqliteTable(
  "staff_sessions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    idHash: text("id_hash").notNull(),
    accountId: integer("account_id")
      .notNull()
      .references(() => staffAccounts.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    /** the absolute end, whatever the activity */
    expiresAt: integer("expires_at").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("staff_sessions_id_hash").on(t.idHash), index("staff_sessions_account").on(t.accountId)],
);

/**
 * Groups of unanswered or unsure questions a Department admin has dealt with (console: Câu hỏi chưa trả lời).
 * `signatures` (JSON array) are the normalised token sets of the questions the group held; those questions,
 * asked up to `resolvedAt`, stay hidden, and the same question asked later shows again.
 */
export const reviewResolutions = sqliteTable(
  "review_resolutions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    key: text("key").notNull(),
    how: text("how", { enum: ["ignored", "taught"] }).notNull(),
    intent: text("intent"),
    version: text("version"),
    signatures: text("signatures").notNull(),
    questionCount: integer("question_count").notNull(),
    actor: text("actor").notNull(),
    resolvedAt: integer("resolved_at").notNull(),
  },
  (t) => [index("review_resolutions_at").on(t.resolvedAt), index("review_resolutions_key").on(t.key)],
);

/**
 * Knowledge edits made in the console: an overlay on intents/, templates/answers/ and locales/*\/topics.json.
 * Each row is one version (a change or a revert); the content in use is the files plus every change not reverted,
 * in version order. `npm run content:export` writes the overlay back into the files.
 */
export const knowledgeVersions = sqliteTable("knowledge_versions", {
  version: integer("version").primaryKey({ autoIncrement: true }),
  at: integer("at").notNull(),
  /** the actor's label, as the audit log records it */
  by: text("by").notNull(),
  kind: text("kind", { enum: ["add_examples", "new_intent", "edit_answer", "revert"] }).notNull(),
  /** the change as JSON; for a revert, {"reverts": <version>} */
  change: text("change").notNull(),
  summary: text("summary").notNull(),
  note: text("note"),
  /** a revert: the version it reverts */
  reverts: integer("reverts"),
  /** when a later revert undid this version, and which one */
  revertedAt: integer("reverted_at"),
  revertedBy: integer("reverted_by"),
});

/** Fixed-window rate limit counters (per client address), shared by every instance on this database. */
export const rateLimits = sqliteTable(
  "rate_limits",
  {
    bucket: text("bucket").notNull(),
    key: text("key").notNull(),
    count: integer("count").notNull(),
    resetAt: integer("reset_at").notNull(),
  },
  (t) => [uniqueIndex("rate_limits_bucket_key").on(t.bucket, t.key), index("rate_limits_reset_at").on(t.resetAt)],
);

/**
 * Named leases held by one instance at a time (the reminder planner's tick, the broadcast tick, the nightly
 * purge): the holder's id and when the lease lapses unless renewed. A dead instance's lease lapses by itself.
 */
export const leases = sqliteTable("leases", {
  name: text("name").primaryKey(),
  owner: text("owner").notNull(),
  expiresAt: integer("expires_at").notNull(),
});

/** E-mail addresses that asked for no more mail (the one-click unsubscribe link); the ladder skips them. */
export const emailUnsubscribes = sqliteTable("email_unsubscribes", {
  /** lower-cased */
  address: text("address").primaryKey(),
  at: integer("at").notNull(),
});

/** ZNS messages sent per calendar month (Vietnam time), against ZNS_MONTHLY_BUDGET; the staff alert is sent once. */
export const znsUsage = sqliteTable("zns_usage", {
  /** "2026-12" */
  month: text("month").primaryKey(),
  sent: integer("sent").notNull().default(0),
  alertedAt: integer("alerted_at"),
});
