import pino, { type Logger } from "pino";

/** Bot tokens appear in Bot API URLs (".../bot123:ABC/sendMessage"); they must never reach a log line. */
const TOKEN_IN_TEXT = /\d{5,}:[A-Za-z0-9_-]{20,}/g;

export function scrubSecrets<T>(value: T, depth = 0): T {
  if (typeof value === "string") return value.replace(TOKEN_IN_TEXT, "<redacted-token>") as T;
  if (depth > 6 || value === null || typeof value !== "object") return value;
  // Errors are left whole for the err serializer, which keeps their message and stack and then scrubs them.
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => scrubSecrets(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubSecrets(v, depth + 1);
  return out as T;
}

/**
 * HTTP client errors (axios) carry the request they failed on, headers included: Zalo's access_token and
 * secret_key would end up in the log. Only the message, code and stack are worth keeping.
 */
function withoutRequestDetails<T extends Record<string, unknown>>(serialized: T): T {
  const copy: Record<string, unknown> = { ...serialized };
  delete copy.config;
  delete copy.request;
  delete copy.response;
  delete copy.headers;
  return copy as T;
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
          "access_token",
          "*.access_token",
          "refresh_token",
          "*.refresh_token",
          "*.accessToken",
          "*.refreshToken",
        ],
        censor: "<redacted>",
      },
      serializers: {
        err: (err: Error) => scrubSecrets(withoutRequestDetails(pino.stdSerializers.err(err))),
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
