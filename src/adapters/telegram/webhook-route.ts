import { timingSafeEqual } from "node:crypto";
import { Router } from "express";
import type { Update } from "telegraf/types";
import type { Logger } from "../../core/conversation.js";
import type { InboundIntake } from "../../core/inbound/inbound-queue.js";
import type { Metrics } from "../../infra/metrics.js";
import { telegramInbound } from "./telegram-inbound.js";

/**
 * POST /webhooks/telegram. The secret header is compared in constant time (401 otherwise); a body that is
 * not an update gets 400. A valid update is written to the inbound queue and acknowledged with 200 at once;
 * the queue answers it afterwards (TelegramChannel.handleUpdate). Replying inside the request would keep it
 * open through 429 waits, and Telegram gives up on a webhook after about 60 s and resends the update. A
 * resent update_id is acknowledged and dropped. Only if the update cannot be stored is the answer 500, so
 * that Telegram resends it.
 */
export function telegramWebhookRoute(inbound: InboundIntake, secret: string, metrics: Metrics, logger: Logger): Router {
  const router = Router();
  const expected = Buffer.from(secret);
  router.post("/webhooks/telegram", (req, res) => {
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
      if (inbound.accept(telegramInbound(update)) === "duplicate") {
        logger.info({ updateId: update.update_id }, "telegram update already received; ignoring the resend");
      }
    } catch (error) {
      logger.error({ err: error, updateId: update.update_id }, "telegram update could not be stored");
      res.status(500).json({ error: "internal error" });
      return;
    }
    res.status(200).json({ ok: true });
  });
  return router;
}

function isUpdate(body: unknown): body is Update {
  return typeof body === "object" && body !== null && Number.isInteger((body as { update_id?: unknown }).update_id);
}
