/**
 * Where the web chat sends people for what it cannot do itself: announcements and staff reminders go out
 * only on Telegram and Zalo (broadcasts and reminders skip web chat addresses).
 */
export interface ChannelLinks {
  /** the Telegram bot's username without @, when known (configured or read from the running bot) */
  telegramBot(): string | undefined;
  /** the Zalo Official Account's public https link, when configured */
  zaloOaUrl: string | undefined;
}

/** Telegram deep-link payloads allow only A-Z a-z 0-9 _ - and at most 64 characters. */
const START_PAYLOAD = /^[A-Za-z0-9_-]{1,64}$/;
const BOT_USERNAME = /^\w{5,32}$/;

/** https://t.me/<bot>, or with ?start=<payload> (a one-tap move into the bot with that payload). */
export function telegramLink(links: ChannelLinks | undefined, startPayload?: string): string | undefined {
  const bot = links?.telegramBot();
  if (!bot || !BOT_USERNAME.test(bot)) return undefined;
  if (startPayload === undefined) return `https://t.me/${bot}`;
  return START_PAYLOAD.test(startPayload) ? `https://t.me/${bot}?start=${startPayload}` : undefined;
}
