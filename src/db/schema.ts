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

/** Questions the bot could not answer, aggregated by normalised text (no user id kept). */
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
    status: text("status", { enum: ["open", "closed"] }).notNull().default("open"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("handoffs_status").on(t.status, t.createdAt)],
);

