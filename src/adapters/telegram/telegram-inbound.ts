import type { Update } from "telegraf/types";
import type { NewInboundEvent } from "../../core/inbound/inbound-queue.js";

/**
 * A Telegram update as an inbound-queue event: de-duplicated by update_id (Telegram resends an update
 * whose webhook request failed or took over about 60 s), ordered per chat. No freshness window: Telegram
 * itself keeps undelivered updates for 24 hours, and a late answer is still an answer.
 */
export function telegramInbound(update: Update): NewInboundEvent {
  return { channel: "telegram", dedupeKey: String(update.update_id), sender: chatOf(update), payload: update };
}

function chatOf(update: Update): string {
  const u = update as {
    message?: { chat?: { id?: unknown } };
    callback_query?: { message?: { chat?: { id?: unknown } }; from?: { id?: unknown } };
  };
  const id = u.message?.chat?.id ?? u.callback_query?.message?.chat?.id ?? u.callback_query?.from?.id;
  return typeof id === "number" || typeof id === "string" ? String(id) : "-";
}
