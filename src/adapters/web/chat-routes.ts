import express, { Router, type Request, type Response } from "express";
import { join } from "node:path";
import { z } from "zod";
import type { Conversation } from "../../core/conversation.js";
import type { Clock, Translator } from "../../core/ports.js";
import { toPlainText } from "../../core/render.js";
import type { Locale, Reply } from "../../core/types.js";
import type { SqliteWebSessions } from "../../db/web-sessions.js";
import type { Metrics } from "../../infra/metrics.js";
import { perIpLimit } from "./ip-limit.js";
import type { RateCounter } from "../../core/rate-counter.js";
import { RateLimiter } from "./rate-limiter.js";

const chatBody = z.object({
  user: z.string().trim().min(1, "user must be 1-64 characters").max(64, "user must be 1-64 characters"),
  text: z.string().max(2000, "text must be at most 2000 characters"),
});

/** The page, its script and its style: static files, no inline script or style. */
const PAGE_DIR = join(import.meta.dirname, "..", "..", "web-chat");
export const CHAT_PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface WebChatOptions {
  conversation: Conversation;
  sessions: SqliteWebSessions;
  clock: Clock;
  metrics: Metrics;
  /** the page's own strings (locales/<lng>/translation.json, `web.*`) */
  translator: Translator;
  /** messages per session per minute */
  ratePerMinute: number;
  /** messages per client IP per minute (a school behind one NAT shares it) */
  ratePerIpPerMinute: number;
  /** new sessions per client IP per hour */
  sessionsPerIpPerHour: number;
  /** GET /api/chat/messages per client IP per minute (open pages poll every 5 s) */
  pollsPerIpPerMinute?: number;
  /** per-IP counters shared by every instance (the database); in memory when absent */
  rateCounter?: RateCounter;
  /** staff answers to the person's hand-offs, which the page fetches (the web chat cannot be pushed to) */
  staffReplies?: { webReplies(address: string, after: number): { messages: { id: number; text: string; at: string }[]; cursor: number } };
}

/** The web chat: the page at GET /, POST /api/chat/session for an identity and POST /api/chat to talk. */
export function webChatRoutes(options: WebChatOptions): Router {
  const router = Router();
  const { metrics, clock } = options;
  const perSession = new RateLimiter(options.ratePerMinute, 60_000, () => clock.now().getTime());
  /** Seconds to wait when the session is over its limit; undefined when it may talk. Shared by every instance with a counter. */
  const sessionWait = (address: string): number | undefined => {
    const counter = options.rateCounter;
    if (!counter) return perSession.allow(address) ? undefined : 60;
    const now = clock.now().getTime();
    const { count, resetAt } = counter.hit("chat-session", address, 60_000, now);
    return count <= options.ratePerMinute ? undefined : Math.max(1, Math.ceil((resetAt - now) / 1000));
  };
  const messagesPerIp = perIpLimit({
    ...(options.rateCounter ? { shared: { counter: options.rateCounter, bucket: "chat-messages" } } : {}),
    limit: options.ratePerIpPerMinute,
    windowMs: 60_000,
    clock,
    error: `too many messages from this network: at most ${options.ratePerIpPerMinute} a minute per IP address; try again in a minute`,
    onLimited: () => metrics.rejected.inc({ channel: "web", reason: "ip_rate_limited" }),
  });
  const sessionsPerIp = perIpLimit({
    ...(options.rateCounter ? { shared: { counter: options.rateCounter, bucket: "chat-sessions" } } : {}),
    limit: options.sessionsPerIpPerHour,
    windowMs: 3_600_000,
    clock,
    error: `too many new chat sessions from this network: at most ${options.sessionsPerIpPerHour} an hour per IP address; keep using the one you have`,
    onLimited: () => metrics.rejected.inc({ channel: "web", reason: "session_rate_limited" }),
  });

  const pollsLimit = options.pollsPerIpPerMinute ?? 600;
  const pollsPerIp = perIpLimit({
    ...(options.rateCounter ? { shared: { counter: options.rateCounter, bucket: "chat-polls" } } : {}),
    limit: pollsLimit,
    windowMs: 60_000,
    clock,
    error: `too many requests for new messages from this network: at most ${pollsLimit} a minute per IP address; try again in a minute`,
    onLimited: () => metrics.rejected.inc({ channel: "web", reason: "poll_rate_limited" }),
  });

  router.use(
    express.static(PAGE_DIR, {
      index: "index.html",
      setHeaders: (res) => res.set("Content-Security-Policy", CHAT_PAGE_CSP),
    }),
  );

  // The page's own strings in both languages, so it can follow the conversation's language without a reload.
  const pageStrings = JSON.stringify(
    Object.fromEntries((["vi", "en"] as const).map((lng) => [lng, webPageStrings(options.translator, lng)])),
  );
  router.get("/api/chat/strings", (_req: Request, res: Response) => {
    res.type("application/json").set("Cache-Control", "no-cache").send(pageStrings);
  });

  router.post("/api/chat/session", sessionsPerIp, (_req: Request, res: Response) => {
    const user = options.sessions.issue(clock.now());
    res.status(201).set("Cache-Control", "no-store").json({ user });
  });

  // Staff answers to the person's hand-offs after `after` (the id of the last one the page showed).
  router.get("/api/chat/messages", pollsPerIp, (req: Request, res: Response) => {
    const user = typeof req.query.user === "string" ? req.query.user : "";
    const afterText = typeof req.query.after === "string" && req.query.after !== "" ? req.query.after : "0";
    const after = /^\d{1,15}$/.test(afterText) ? Number(afterText) : NaN;
    if (user === "" || user.length > 64 || !Number.isSafeInteger(after)) {
      metrics.rejected.inc({ channel: "web", reason: "bad_body" });
      res.status(400).json({ error: user === "" || user.length > 64 ? "user must be 1-64 characters" : "after: must be a message id (a whole number)" });
      return;
    }
    const address = options.sessions.addressOf(user);
    if (address === undefined) {
      metrics.rejected.inc({ channel: "web", reason: "unknown_user" });
      res.status(401).json({ error: "user: unknown session; get one from POST /api/chat/session" });
      return;
    }
    res.json(options.staffReplies ? options.staffReplies.webReplies(address, after) : { messages: [], cursor: after });
  });

  router.post("/api/chat", messagesPerIp, async (req: Request, res: Response) => {
    const started = process.hrtime.bigint();
    const parsed = chatBody.safeParse(req.body);
    if (!parsed.success) {
      metrics.rejected.inc({ channel: "web", reason: "bad_body" });
      const issue = parsed.error.issues[0];
      const field = issue?.path.join(".") || "body";
      res.status(400).json({ error: `${field}: ${issue?.message ?? "invalid"}` });
      return;
    }
    const text = parsed.data.text.normalize("NFC").trim();
    if (text === "") {
      metrics.rejected.inc({ channel: "web", reason: "bad_body" });
      res.status(400).json({ error: "text: must not be empty" });
      return;
    }
    const address = options.sessions.addressOf(parsed.data.user);
    if (address === undefined) {
      metrics.rejected.inc({ channel: "web", reason: "unknown_user" });
      res.status(401).json({ error: "user: unknown session; get one from POST /api/chat/session" });
      return;
    }
    const waitSeconds = sessionWait(address);
    if (waitSeconds !== undefined) {
      metrics.rejected.inc({ channel: "web", reason: "rate_limited" });
      res
        .status(429)
        .set("Retry-After", String(waitSeconds))
        .json({ error: `too many messages: at most ${options.ratePerMinute} a minute per user` });
      return;
    }
    metrics.updates.inc({ channel: "web" });
    const reply = await options.conversation.handle({
      channel: "web",
      address,
      text,
      kind: "text",
      // No Accept-Language hint: many Vietnamese phones run in English, and the page is Vietnamese-first.
      receivedAt: clock.now(),
    });
    metrics.replyLatency.observe({ channel: "web" }, Number(process.hrtime.bigint() - started) / 1e9);
    res.json(toWebJson(reply));
  });

  return router;
}

const PAGE_STRING_KEYS = ["staff", "title", "subtitle", "label", "placeholder", "send", "error", "rate_limited", "session_renewed"];

function webPageStrings(translator: Translator, locale: Locale): Record<string, string> {
  return Object.fromEntries(PAGE_STRING_KEYS.map((key) => [key, translator.t(`web.${key}`, locale)]));
}

export function toWebJson(reply: Reply): {
  locale: Locale;
  replies: { text: string; buttons: { label: string; payload: string }[] }[];
} {
  return {
    locale: reply.locale,
    replies: reply.messages.map((m) => ({
      text: toPlainText(m.text),
      buttons: m.buttons.map((b) => ({ label: b.label, payload: b.payload })),
    })),
  };
}
