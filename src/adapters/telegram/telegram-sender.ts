import { TelegramError, type Telegram } from "telegraf";
import type { InlineKeyboardButton } from "telegraf/types";
import { SendError, type SendFailure, type SendResult } from "../../core/delivery/send-error.js";
import { splitRich, telegramVisibleLength, toTelegramHtml } from "../../core/render.js";
import type { Button, OutboundMessage, RichText } from "../../core/types.js";

/** Telegram's limit on a message's text after entity parsing, in UTF-16 code units. */
export const TELEGRAM_TEXT_LIMIT = 4096;
const BUTTONS_PER_ROW = 2;

/** What Telegram counts: the visible text (tags and entities are not counted). */
export const telegramLength = telegramVisibleLength;

/**
 * Sends one OutboundMessage to a chat, as HTML, split at paragraph boundaries under 4,096 characters;
 * the buttons ride on the last piece. Every failure comes out as a typed SendError.
 */
export class TelegramSender {
  constructor(private readonly telegram: Telegram) {}

  async send(chatId: string, message: OutboundMessage, limit = TELEGRAM_TEXT_LIMIT): Promise<SendResult> {
    const pieces = splitRich(message.text, limit, telegramLength);
    let lastId = "";
    for (let i = 0; i < pieces.length; i++) {
      const isLast = i === pieces.length - 1;
      const keyboard = isLast && message.buttons.length > 0 ? inlineKeyboard(message.buttons) : undefined;
      lastId = await this.sendHtml(chatId, toTelegramHtml(pieces[i] as RichText), keyboard);
    }
    return { providerMessageId: lastId };
  }

  async sendHtml(chatId: string, html: string, keyboard?: InlineKeyboardButton[][], replyTo?: number): Promise<string> {
    try {
      const sent = await this.telegram.sendMessage(chatId, html, {
        parse_mode: "HTML",
        link_preview_options: { is_disabled: true },
        ...(keyboard ? { reply_markup: { inline_keyboard: keyboard } } : {}),
        ...(replyTo ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {}),
      });
      return String(sent.message_id);
    } catch (error) {
      throw new SendError(toFailure(error));
    }
  }
}

export function inlineKeyboard(buttons: Button[]): InlineKeyboardButton[][] {
  const rows: InlineKeyboardButton[][] = [];
  for (let i = 0; i < buttons.length; i += BUTTONS_PER_ROW) {
    rows.push(buttons.slice(i, i + BUTTONS_PER_ROW).map((b) => ({ text: b.label, callback_data: b.payload })));
  }
  return rows;
}

/** Telegram's refusals by error_code; anything without one is a failed request. */
export function toFailure(error: unknown): SendFailure {
  if (error instanceof TelegramError) {
    const description = error.description;
    if (error.code === 429) {
      return { kind: "rate_limited", retryAfterMs: (error.parameters?.retry_after ?? 1) * 1000, description };
    }
    if (error.code === 403) return { kind: "unreachable", description };
    if (error.code >= 500) return { kind: "server", status: error.code, description };
    const movedTo = error.parameters?.migrate_to_chat_id;
    return movedTo !== undefined ? { kind: "bad_request", description, movedTo: String(movedTo) } : { kind: "bad_request", description };
  }
  const description = error instanceof Error ? error.message : String(error);
  return { kind: "network", description };
}
