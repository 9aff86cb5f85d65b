import { Router, type Request, type Response } from "express";
import { z } from "zod";
import type { Conversation } from "../../core/conversation.js";
import type { Clock } from "../../core/ports.js";
import { toPlainText } from "../../core/render.js";
import type { Reply } from "../../core/types.js";
import type { Metrics } from "../../infra/metrics.js";
import { RateLimiter } from "./rate-limiter.js";
import { chatPage } from "./chat-page.js";

const chatBody = z.object({
  user: z.string().trim().min(1, "user must be 1-64 characters").max(64, "user must be 1-64 characters"),
  text: z.string().max(2000, "text must be at most 2000 characters"),
});

export interface WebChatOptions {
  conversation: Conversation;
  clock: Clock;
  metrics: Metrics;
  ratePerMinute: number;
}

/** The web chat: the page at GET / and its JSON endpoint POST /api/chat. */
export function webChatRoutes(options: WebChatOptions): Router {
  const router = Router();
  const limiter = new RateLimiter(options.ratePerMinute, 60_000, () => options.clock.now().getTime());

  router.get("/", (_req, res) => {
    res.type("html").set("Content-Security-Policy", chatPage.csp).send(chatPage.html);
  });
  router.get("/chat.js", (_req, res) => {
    res.type("application/javascript").send(chatPage.script);
  });

  router.post("/api/chat", async (req: Request, res: Response) => {
    const started = process.hrtime.bigint();
    const parsed = chatBody.safeParse(req.body);
    if (!parsed.success) {
      options.metrics.rejected.inc({ channel: "web", reason: "bad_body" });
      const issue = parsed.error.issues[0];
      const field = issue?.path.join(".") || "body";
      res.status(400).json({ error: `${field}: ${issue?.message ?? "invalid"}` });
      return;
    }
    const text = parsed.data.text.normalize("NFC").trim();
    if (text === "") {
      options.metrics.rejected.inc({ channel: "web", reason: "bad_body" });
      res.status(400).json({ error: "text: must not be empty" });
      return;
    }
    if (!limiter.allow(parsed.data.user)) {
      options.metrics.rejected.inc({ channel: "web", reason: "rate_limited" });
      res
        .status(429)
        .set("Retry-After", "60")
        .json({ error: `too many messages: at most ${options.ratePerMinute} a minute per user` });
      return;
    }
    options.metrics.updates.inc({ channel: "web" });
    const reply = await options.conversation.handle({
      channel: "web",
      address: parsed.data.user,
      text,
      kind: "text",
      // No Accept-Language hint: many Vietnamese phones run in English, and the page is Vietnamese-first.
      receivedAt: options.clock.now(),
    });
    options.metrics.replyLatency.observe({ channel: "web" }, Number(process.hrtime.bigint() - started) / 1e9);
    res.json(toWebJson(reply));
  });

  return router;
}

export function toWebJson(reply: Reply): { replies: { text: string; buttons: { label: string; payload: string }[] }[] } {
  return {
    replies: reply.messages.map((m) => ({
      text: toPlainText(m.text),
      buttons: m.buttons.map((b) => ({ label: b.label, payload: b.payload })),
    })),
  };
}
