import pino, { type Logger } from "pino";

/** Bot tokens appear in Bot API URLs (".../bot123:ABC/sendMessage"); they must never reach a log line. */
const TOKEN_IN_TEXT = /\d{5,}:[A-Za-z0-9_-]{20,}/g;

export function scrubSecrets<T>(value: T, depth = 0): T {
  if (typeof value === "string") return value.replace(TOKEN_IN_TEXT, "<redacted-token>") as T;
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => scrubSecrets(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubSecrets(v, depth + 1);
  return out as T;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: [
          "token",
          "*.token",
          "password",
          "*.password",
          "headers.authorization",
          "req.headers.authorization",
          'req.headers["x-telegram-bot-api-secret-token"]',
          "config.TELEGRAM_BOT_TOKEN",
          "config.TELEGRAM_WEBHOOK_SECRET",
        ],
        censor: "<redacted>",
      },
      serializers: {
        err: (err: Error) => scrubSecrets(pino.stdSerializers.err(err)),
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, scrubSecrets(args) as typeof args);
        },
      },
    },
    destination,
  );
}
