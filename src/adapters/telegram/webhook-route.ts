import { timingSafeEqual } from "node:crypto";
import { Router } from "express";
import type { Update } from "telegraf/types";
import type { Logger } from "../../core/conversation.js";
import type { Metrics } from "../../infra/metrics.js";
import type { TelegramChannel } from "./telegram-channel.js";

/**
 * POST /webhooks/telegram. The secret header is compared in constant time (401 otherwise); a body that is
 * not an update gets 400; a valid update is processed and acknowledged with 200 even if handling failed,
 * because a non-2xx makes Telegram resend the same update again and again.
 */
export function telegramWebhookRoute(channel: TelegramChannel, secret: string, metrics: Metrics, logger: Logger): Router {
  const router = Router();
  const expected = Buffer.from(secret);
  router.post("/webhooks/telegram", async (req, res) => {
    const given = Buffer.from(req.get("x-telegram-bot-api-secret-token") ?? "");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      metrics.rejected.inc({ channel: "telegram", reason: "bad_secret" });
      res.status(401).json({ error: "invalid secret token" });
      return;
    }
    const update: unknown = req.body;
    if (!isUpdate(update)) {
      metrics.rejected.inc({ channel: "telegram", reason: "bad_body" });
      res.status(400).json({ error: "body must be a Telegram Update with a numeric update_id" });
      return;
    }
    try {
      await channel.handleUpdate(update);
    } catch (error) {
      logger.error({ err: error, updateId: update.update_id }, "telegram webhook update failed");
    }
    res.status(200).json({ ok: true });
  });
  return router;
}

function isUpdate(body: unknown): body is Update {
  return typeof body === "object" && body !== null && Number.isInteger((body as { update_id?: unknown }).update_id);
}
