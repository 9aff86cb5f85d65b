import { isIP } from "node:net";
import { z } from "zod";
import { hostname } from "node:os";
import cron from "node-cron";
import { parseOfficeHours } from "./core/time/office-hours.js";
import { parseQuietHours } from "./core/time/quiet-hours.js";
import { decodeKey } from "./infra/secret-box.js";

/**
 * The only module that reads process.env. Everything is validated once at start-up;
 * an invalid value stops the process with a message naming the variable.
 */

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const locale = z.enum(["vi", "en"]);

/** One entry of an express "trust proxy" list: a named range, an IP address or a CIDR block. */
function isProxyEntry(entry: string): boolean {
  if (["loopback", "linklocal", "uniquelocal"].includes(entry)) return true;
  const [address = "", prefix, ...rest] = entry.split("/");
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (version === 4 ? 32 : 128);
}

/**
 * express "trust proxy": false (the default: X-Forwarded-For is ignored), a number of proxy hops in front of
 * the service, or a comma-separated list of the proxies' addresses. `true` is refused: it would believe any
 * client's X-Forwarded-For and let it pick its own IP for rate limits.
 */
const trustProxy = z
  .string()
  .trim()
  .default("false")
  .transform((v, ctx): false | number | string => {
    if (v === "" || v === "false") return false;
    if (/^\d+$/.test(v) && Number(v) <= 10) return Number(v);
    const entries = v.split(",").map((e) => e.trim());
    if (v !== "true" && entries.every(isProxyEntry)) return entries.join(",");
    ctx.addIssue({
      code: "custom",
      message: "must be false, a number of proxy hops (0-10) or a comma-separated list of proxy addresses, CIDR blocks, loopback, linklocal or uniquelocal (true is refused: any client could then choose its IP)",
    });
    return z.NEVER;
  });
/** Telegram's setWebhook accepts only these ports (an https URL without a port means 443). */
const WEBHOOK_PORTS = new Set(["443", "80", "88", "8443"]);

const schema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().trim().min(1).default("127.0.0.1"),
    DATABASE_PATH: z.string().trim().min(1).default("./data/bot.db"),
    /** PostgreSQL (postgres://…): for db:migrate and db:copy today; the server itself still runs on SQLite */
    DATABASE_URL: optionalString.pipe(z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL").optional()),
    DEFAULT_LOCALE: locale.default("vi"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    TELEGRAM_BOT_TOKEN: optionalString.pipe(
      z.string().regex(/^\d+:[\w-]+$/, "must look like 123456:ABC-DEF (from @BotFather)").optional(),
    ),
    TELEGRAM_API_ROOT: z.url().default("https://api.telegram.org"),
    PUBLIC_URL: optionalString.pipe(
      z
        .url({ protocol: /^https$/, error: "must be an https:// URL (Telegram sends webhooks over HTTPS only)" })
        .refine(
          (v) => WEBHOOK_PORTS.has(new URL(v).port || "443"),
          "must use port 443, 80, 88 or 8443 (the only ports Telegram sends webhooks to)",
        )
        .optional(),
    ),
    TELEGRAM_WEBHOOK_SECRET: optionalString.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]*$/, "may hold only A-Z, a-z, 0-9, _ and - (a Telegram rule)")
        .min(16, "must be at least 16 characters (it is the only proof a webhook call comes from Telegram)")
        .max(256, "must be at most 256 characters (a Telegram rule)")
        .optional(),
    ),
    /** bearer token for GET /metrics; without it /metrics answers only direct loopback requests */
    METRICS_TOKEN: optionalString.pipe(z.string().min(16, "must be at least 16 characters").optional()),
    /** how long a broadcast or reminder keeps retrying network errors and 5xx before it is marked failed */
    DELIVERY_DEADLINE_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(60),
    STAFF_CHAT_ID: optionalString.pipe(z.string().regex(/^-?\d+$/, "must be a numeric Telegram chat id").optional()),
    LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
    NLU_THRESHOLD: z.coerce.number().min(0).max(1).default(0.45),
    CHAT_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(30),
    CHAT_RATE_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(120),
    CHAT_POLLS_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
    CHAT_SESSIONS_PER_IP_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(60),
    CHAT_IDLE_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    TRUST_PROXY: trustProxy,
    /** a console session ends after this many minutes without a request */
    SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
    /**
     * This instance's name in the shared database (its outbox claims and leases). A restarted process with the
     * same name takes back what it had in flight at once; two instances on one host need different names.
     */
    INSTANCE_ID: z.string().trim().min(1).max(100).default(hostname()),
    /** how often each instance looks for knowledge edits another instance applied (0 = never: one instance) */
    KNOWLEDGE_SYNC_SECONDS: z.coerce.number().int().min(0).max(3600).default(5),
    /** and after this many hours whatever the activity */
    SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(30 * 24).default(12),
    TZ_NAME: z
      .string()
      .default("Asia/Ho_Chi_Minh")
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat("en-US", { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, "must be an IANA time zone such as Asia/Ho_Chi_Minh"),
    QUIET_HOURS: z
      .string()
      .default("21:00-07:00")
      .superRefine((value, ctx) => {
        try {
          parseQuietHours(value, "UTC");
        } catch (error) {
          ctx.addIssue({ code: "custom", message: (error as Error).message });
        }
      }),
    /** when staff read hand-off requests, Monday to Friday; a request outside them is told when they will */
    OFFICE_HOURS: z
      .string()
      .default("07:30-17:00")
      .superRefine((value, ctx) => {
        try {
          parseOfficeHours(value, "UTC");
        } catch (error) {
          ctx.addIssue({ code: "custom", message: (error as Error).message });
        }
      }),
    TELEGRAM_RATE_PER_SEC: z.coerce.number().positive().max(1000).default(25),
    TELEGRAM_CHAT_RATE_PER_SEC: z.coerce.number().positive().max(100).default(1),
    TELEGRAM_GROUP_RATE_PER_MIN: z.coerce.number().positive().max(1000).default(20),
    TELEGRAM_SEND_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(1),
    MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
    TELEGRAM_BOT_USERNAME: optionalString.pipe(z.string().regex(/^\w{5,32}$/, "must be the bot's username without @").optional()),
    REMINDER_CRON: z
      .string()
      .default("*/15 * * * *")
      .refine((v) => cron.validate(v), "must be a cron expression such as */15 * * * *"),
    REMINDER_DAYS_BEFORE: z
      .string()
      .regex(/^\d{1,3}(,\d{1,3})*$/, "must be a comma-separated list of days, such as 7,3,1,0")
      .default("7,3,1,0"),
    REMINDER_LATE_EVERY_DAYS: z.coerce.number().int().min(1).max(60).default(2),
    REMINDER_OFFICE_AFTER_DAYS: z.coerce.number().int().min(0).max(365).default(3),
    REMINDER_DEPARTMENT_AFTER_DAYS: z.coerce.number().int().min(0).max(365).default(7),
    REMINDER_MAX_LATE_DAYS: z.coerce.number().int().min(1).max(365).default(60),
    REMINDER_TIME: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:MM, such as 08:00")
      .default("08:00"),
    ZALO_APP_ID: optionalString,
    ZALO_APP_SECRET: optionalString,
    ZALO_OA_SECRET_KEY: optionalString,
    ZALO_ACCESS_TOKEN: optionalString,
    ZALO_REFRESH_TOKEN: optionalString,
    /** the Official Account's public link (https://zalo.me/<OA id>), offered on the web chat */
    ZALO_OA_URL: optionalString.pipe(
      z
        .url()
        .refine((v) => v.startsWith("https://"), "must be an https URL such as https://zalo.me/1234567890")
        .optional(),
    ),
    ZALO_API_BASE: z.url().default("https://openapi.zalo.me"),
    ZALO_OAUTH_BASE: z.url().default("https://oauth.zaloapp.com"),
    ZALO_CS_WINDOW_DAYS: z.coerce.number().int().min(1).max(30).default(7),
    ZALO_RATE_PER_SEC: z.coerce.number().positive().max(1000).default(10),
    // Domain verification (Zalo for Developers): the code of the meta tag, or the whole file name given.
    ZALO_SITE_VERIFICATION: optionalString
      .transform((v) => v?.replace(/^zalo_verifier/, "").replace(/\.html$/, ""))
      .pipe(
        z
          .string()
          .regex(/^[A-Za-z0-9_-]{8,128}$/, "must be the code Zalo gives (zalo_verifier<code>.html or the meta tag's content)")
          .optional(),
      ),
    DATA_ENCRYPTION_KEY: optionalString.pipe(
      z
        .string()
        .refine((v) => decodeKey(v) !== undefined, "must be 32 random bytes as 64 hex characters or base64 (openssl rand -base64 32)")
        .optional(),
    ),
    /** the e-mail channel (the ladder's last step for registry staff): on when both SMTP_URL and MAIL_FROM are set */
    SMTP_URL: optionalString.pipe(z.string().regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL (nodemailer's form)").optional()),
    MAIL_FROM: optionalString.pipe(z.string().regex(/^.+@.+$|^.*<.+@.+>$/, "must be an address, such as Sở GDĐT <noreply@sogd.example.vn>").optional()),
    MAIL_RATE_PER_SEC: z.coerce.number().positive().max(100).default(5),
    /** ZNS messages a calendar month (Vietnam time) may use; 0 (the default) keeps ZNS off. ZNS needs the Zalo channel. */
    ZNS_MONTHLY_BUDGET: z.coerce.number().int().min(0).max(10_000_000).default(0),
    ZALO_BUSINESS_BASE: z.url().default("https://business.openapi.zalo.me"),
    REMINDER_SKIP_WEEKENDS: z
      .enum(["true", "false"])
      .default("true")
      .transform((v) => v === "true"),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.ZALO_APP_ID && cfg.ZALO_OA_SECRET_KEY && !cfg.ZALO_APP_SECRET) {
      ctx.addIssue({ code: "custom", path: ["ZALO_APP_SECRET"], message: "is required when the Zalo channel is on (it refreshes tokens)" });
    }
    if (Boolean(cfg.SMTP_URL) !== Boolean(cfg.MAIL_FROM)) {
      ctx.addIssue({ code: "custom", path: [cfg.SMTP_URL ? "MAIL_FROM" : "SMTP_URL"], message: "is required with the other: e-mail needs both SMTP_URL and MAIL_FROM" });
    }
    if (cfg.SMTP_URL && cfg.MAIL_FROM && !cfg.DATA_ENCRYPTION_KEY) {
      ctx.addIssue({ code: "custom", path: ["DATA_ENCRYPTION_KEY"], message: "is required when e-mail is on (it signs the unsubscribe links)" });
    }
    if (cfg.ZNS_MONTHLY_BUDGET > 0 && !(cfg.ZALO_APP_ID && cfg.ZALO_OA_SECRET_KEY && cfg.ZALO_APP_SECRET)) {
      ctx.addIssue({ code: "custom", path: ["ZNS_MONTHLY_BUDGET"], message: "needs the Zalo channel (ZNS is sent with the Official Account's token)" });
    }
    if (cfg.PUBLIC_URL && cfg.TELEGRAM_BOT_TOKEN && !cfg.TELEGRAM_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["TELEGRAM_WEBHOOK_SECRET"],
        message: "is required when PUBLIC_URL is set (Telegram then runs by webhook)",
      });
    }
  });

export type Config = z.infer<typeof schema>;

/** The Zalo OA channel is on (app id, OA secret key and app secret). */
export function zaloOn(config: Config): boolean {
  return Boolean(config.ZALO_APP_ID && config.ZALO_OA_SECRET_KEY && config.ZALO_APP_SECRET);
}

/** E-mail is on: SMTP_URL and MAIL_FROM (and the key that signs unsubscribe links, checked above). */
export function emailOn(config: Config): config is Config & { SMTP_URL: string; MAIL_FROM: string; DATA_ENCRYPTION_KEY: string } {
  return Boolean(config.SMTP_URL && config.MAIL_FROM && config.DATA_ENCRYPTION_KEY);
}

/** ZNS is on: the Zalo channel and a monthly budget above 0 (ZNS costs money per message; no budget, no ZNS). */
export function znsOn(config: Config): boolean {
  return zaloOn(config) && config.ZNS_MONTHLY_BUDGET > 0;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses an environment-like record. Throws ConfigError naming every bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.join(".") || "(environment)";
    return `  ${name}: ${issue.message}`;
  });
  throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
}

export function loadConfig(): Config {
  return parseConfig(process.env);
}
