import express, { Router, type ErrorRequestHandler, type Request, type Response } from "express";
import type { Logger } from "../../core/conversation.js";
import type { Acceptance, InboundIntake } from "../../core/inbound/inbound-queue.js";
import type { Metrics } from "../../infra/metrics.js";
import { anonymousAddress } from "./zalo-address.js";
import { ZALO_SIGNATURE_HEADER, verifyZaloSignature } from "./zalo-signature.js";

export { ZaloChannel, type ZaloChannelOptions } from "./zalo-channel.js";

export const ZALO_WEBHOOK_PATH = "/webhooks/zalo";

export interface ZaloTextEvent {
  /** the user id, or an anonymous address (zalo-address.ts) */
  userId: string;
  text: string;
  msgId: string;
}

/** Zalo's word that a ZNS message reached the person's phone (user_received_message with delivery_time). */
export interface ZnsReceipt {
  msgId: string;
  /** the tracking_id we sent: the outbox row id */
  trackingId?: string | undefined;
  /** ms since the epoch */
  deliveredAt: number;
}

/** What the webhook does with each kind of event (ZaloChannel.handlers() provides them). */
export interface ZaloEventHandlers {
  onText(event: ZaloTextEvent): Promise<void> | void;
  onFollow(userId: string): Promise<void> | void;
  onUnfollow(userId: string): Promise<void> | void;
  onNonText(userId: string): Promise<void> | void;
  onZnsReceipt?(receipt: ZnsReceipt): Promise<void> | void;
}

export interface ZaloWebhookDeps {
  appId: string;
  /** ZALO_OA_SECRET_KEY: verifies the X-ZEvent-Signature header */
  oaSecretKey: string;
  /** the durable inbound queue: stores, de-duplicates and dates each event before the 200 */
  inbound: InboundIntake;
  logger?: Logger | undefined;
  metrics?: Metrics | undefined;
}

/**
 * Events that carry something other than typed text. Zalo puts a caption (image, file, video, gif) or the
 * words typed around a link (user_send_link) in `message.text`: when there is one it is answered as the
 * question; otherwise the answer is "I can read text only".
 */
export const NON_TEXT_EVENTS: ReadonlySet<string> = new Set([
  "user_send_image",
  "user_send_sticker",
  "user_send_file",
  "user_send_gif",
  "user_send_audio",
  "user_send_video",
  "user_send_location",
  "user_send_link",
  "user_send_business_card",
]);

/**
 * A person chatting without following the OA or sharing their id (Zalo's anonymous chat): sender.id is an
 * anonymous id and `message.conversation_id` names the conversation; replies go to both (zalo-address.ts).
 */
export const ANONYMOUS_EVENTS: ReadonlySet<string> = new Set([
  "anonymous_send_text",
  "anonymous_send_image",
  "anonymous_send_file",
  "anonymous_send_sticker",
  "anonymous_send_gif",
  "anonymous_send_link",
  "anonymous_send_audio",
  "anonymous_send_video",
  "anonymous_send_location",
]);

/** `name` is Zalo's event_name; `key` identifies the event for the de-duplication of resends. */
export type ParsedEvent =
  | { kind: "text"; name: string; userId: string; text: string; msgId: string; key: string }
  | { kind: "follow" | "unfollow" | "non_text"; name: string; userId: string; key: string }
  | { kind: "zns_receipt"; name: string; userId: string; msgId: string; trackingId?: string; deliveredAt: number; key: string }
  | { kind: "ignored"; name: string };

const NO_LOGGER: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/**
 * POST /webhooks/zalo. Zalo signs the raw body, so this route reads it raw (it must be mounted BEFORE any
 * app-wide express.json(), which would consume the body first). A missing or wrong signature gets 401 and
 * nothing is processed; malformed JSON or a known event without its fields gets 400. A valid event is
 * written to the inbound queue, and only then answered 200 (Zalo wants an answer within 2 seconds); the queue
 * handles it afterwards (zaloEventHandler), once per event name + msg_id, in arrival order per user. A resend
 * and an event outside the freshness window get 200 and are dropped (a non-2xx only makes Zalo resend); if
 * the row cannot be written the answer is 500, so Zalo resends. Unknown events (including the echoes of the
 * OA's own messages) are acknowledged and ignored.
 */
export function zaloWebhookRoute(deps: ZaloWebhookDeps): Router {
  const router = Router();
  const logger = deps.logger ?? NO_LOGGER;

  const reject = (res: Response, status: number, reason: string, error: string): void => {
    deps.metrics?.rejected.inc({ channel: "zalo", reason });
    res.status(status).json({ error });
  };

  const handle = (req: Request, res: Response): void => {
    const signature = req.get(ZALO_SIGNATURE_HEADER);
    if (signature === undefined || signature.trim() === "") {
      reject(res, 401, "bad_signature", "missing X-ZEvent-Signature");
      return;
    }
    const raw: unknown = req.body;
    if (raw === undefined) {
      reject(res, 400, "bad_body", "body is required");
      return;
    }
    if (!Buffer.isBuffer(raw)) {
      // Another body parser ran first: the raw bytes Zalo signed are gone.
      logger.error({}, "zalo webhook got no raw body: mount zaloWebhookRoute before express.json()");
      res.status(500).json({ error: "webhook misconfigured" });
      return;
    }
    let body: unknown;
    try {
      body = parseZaloJson(raw.toString("utf8"));
    } catch {
      reject(res, 400, "bad_body", "body is not JSON");
      return;
    }
    const record = asRecord(body);
    const timestamp = record?.timestamp;
    if (!record || (typeof timestamp !== "string" && typeof timestamp !== "number")) {
      reject(res, 400, "bad_body", "timestamp: is required");
      return;
    }
    if (!verifyZaloSignature(signature, deps.appId, raw, String(timestamp), deps.oaSecretKey)) {
      reject(res, 401, "bad_signature", "invalid X-ZEvent-Signature");
      return;
    }
    const parsed = parseEvent(record);
    if (typeof parsed === "string") {
      reject(res, 400, "bad_body", parsed);
      return;
    }
    if (parsed.kind === "ignored") {
      res.status(200).json({ ok: true });
      return;
    }
    let acceptance: Acceptance;
    try {
      acceptance = deps.inbound.accept({
        channel: "zalo",
        dedupeKey: dedupeKeyOf(record, parsed),
        sender: parsed.userId,
        payload: parsed,
        sentAt: Number(timestamp),
      });
    } catch (error) {
      logger.error({ err: error }, "zalo event could not be stored; Zalo will resend it");
      res.status(500).json({ error: "internal error" });
      return;
    }
    if (acceptance === "accepted") deps.metrics?.updates.inc({ channel: "zalo" });
    else if (acceptance === "stale") deps.metrics?.rejected.inc({ channel: "zalo", reason: "stale" });
    else logger.info({ event: parsed.kind }, "zalo event already received; ignoring the resend");
    res.status(200).json({ ok: true });
  };

  const errors: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    const status = (error as { status?: unknown }).status;
    if (status === 413) {
      reject(res, 413, "too_large", "body too large");
      return;
    }
    if (typeof status === "number" && status >= 400 && status < 500) {
      reject(res, 400, "bad_body", "unreadable body");
      return;
    }
    logger.error({ err: error }, "zalo webhook failed");
    res.status(500).json({ error: "internal error" });
  };

  router.post(ZALO_WEBHOOK_PATH, express.raw({ type: () => true, limit: "256kb" }), handle, errors);
  return router;
}

/** Zalo's id fields, which it sometimes sends as bare numbers. */
// An id key (not escaped inside a string) followed by bare digits.
const BARE_ID =
  /(?<!\\)"(id|user_id|user_id_by_app|msg_id|tracking_id|oa_id|app_id|conversation_id|anonymous_id|quote_msg_id|admin_id)"(\s*):(\s*)(-?\d+)(?=\s*[,}\]])/g;

/**
 * JSON.parse for webhook bodies, keeping ids exact. Zalo ids are 64-bit numbers (up to 20 digits): sent bare,
 * JSON.parse would round one above 2^53 to a different person's id, and a reviver only sees the rounded
 * number. So bare digits after an id key are quoted in the text first. (The signature is checked on the
 * original bytes; this only changes what is parsed.)
 */
export function parseZaloJson(text: string): unknown {
  return JSON.parse(text.replace(BARE_ID, '"$1"$2:$3"$4"'));
}

type HandledEvent = Exclude<ParsedEvent, { kind: "ignored" }>;

/**
 * Zalo's console test tool sends every event type with one msg_id, so the key is the event name + msg_id;
 * events without a msg_id keep the parser's key (name, user, timestamp).
 */
function dedupeKeyOf(body: Record<string, unknown>, parsed: HandledEvent): string {
  const msgId = nonEmpty(asRecord(body.message)?.msg_id);
  return msgId === undefined ? parsed.key : `${String(body.event_name)}:${msgId}`;
}

/** The inbound queue's handler for Zalo: one stored event (the webhook's parse) to its channel handler. */
export function zaloEventHandler(handlers: ZaloEventHandlers): (payload: unknown) => Promise<void> {
  return async (payload) => {
    const event = payload as HandledEvent;
    switch (event.kind) {
      case "text":
        return handlers.onText({ userId: event.userId, text: event.text, msgId: event.msgId });
      case "follow":
        return handlers.onFollow(event.userId);
      case "unfollow":
        return handlers.onUnfollow(event.userId);
      case "non_text":
        return handlers.onNonText(event.userId);
      case "zns_receipt":
        return handlers.onZnsReceipt?.({ msgId: event.msgId, trackingId: event.trackingId, deliveredAt: event.deliveredAt });
    }
  };
}

/** The event's meaning, or a `field: problem` message for a 400. */
export function parseEvent(body: Record<string, unknown>): ParsedEvent | string {
  const name = body.event_name;
  if (typeof name !== "string" || name === "") return "event_name: is required";
  const stamp = String(body.timestamp);
  const message = asRecord(body.message);
  const msgId = nonEmpty(message?.msg_id);
  const senderId = nonEmpty(asRecord(body.sender)?.id);
  const typed = typeof message?.text === "string" && message.text.trim() !== "" ? message.text : undefined;
  if (name === "user_send_text") {
    if (!senderId) return "sender.id: is required";
    if (!message) return "message: is required";
    if (typeof message.text !== "string") return "message.text: is required";
    if (!msgId) return "message.msg_id: is required";
    return { kind: "text", name, userId: senderId, text: message.text, msgId, key: msgId };
  }
  if (name === "follow" || name === "unfollow") {
    // Zalo names the person `follower`; accept `sender` as well.
    const userId = nonEmpty(asRecord(body.follower)?.id) ?? senderId;
    if (!userId) return "follower.id: is required";
    return { kind: name, name, userId, key: `${name}:${userId}:${stamp}` };
  }
  if (name === "user_click_chatnow") {
    // Sent once, when someone taps "Nhắn tin" on the OA before ever writing to it: greet them like a follower.
    const userId = nonEmpty(body.user_id) ?? senderId;
    if (!userId) return "user_id: is required";
    return { kind: "follow", name, userId, key: `${name}:${userId}` };
  }
  if (name === "user_received_message") return parseReceipt(name, message, body.timestamp);
  const anonymous = ANONYMOUS_EVENTS.has(name);
  if (NON_TEXT_EVENTS.has(name) || anonymous) {
    if (!senderId) return "sender.id: is required";
    let userId = senderId;
    if (anonymous) {
      const conversationId = nonEmpty(message?.conversation_id);
      if (!conversationId) return "message.conversation_id: is required";
      userId = anonymousAddress(senderId, conversationId);
    }
    const key = msgId ?? `${name}:${userId}:${stamp}`;
    if (typed !== undefined) return { kind: "text", name, userId, text: typed, msgId: msgId ?? key, key };
    return { kind: "non_text", name, userId, key };
  }
  return { kind: "ignored", name };
}

/**
 * user_received_message is two events under one name: for a ZNS message Zalo puts `delivery_time` (and our
 * `tracking_id`) in `message`; for an OA chat message it has neither, and the event is ignored. A ZNS receipt
 * that cannot be read (no msg_id) is acknowledged and ignored too: a 400 would only make Zalo resend it. The
 * queue's "sender" for a receipt is the message, so receipts never wait behind a person's conversation.
 */
function parseReceipt(name: string, message: Record<string, unknown> | undefined, timestamp: unknown): ParsedEvent {
  if (!message || (message.delivery_time === undefined && message.tracking_id === undefined)) return { kind: "ignored", name };
  const msgId = nonEmpty(message.msg_id);
  const deliveredAt = epochMs(message.delivery_time) ?? epochMs(timestamp);
  if (!msgId || deliveredAt === undefined) return { kind: "ignored", name };
  const trackingId = nonEmpty(message.tracking_id);
  return {
    kind: "zns_receipt",
    name,
    userId: `zns:${msgId}`,
    msgId,
    ...(trackingId !== undefined ? { trackingId } : {}),
    deliveredAt,
    key: `${name}:${msgId}`,
  };
}

/** Zalo's times: ms since the epoch, as a number or as digits. */
function epochMs(value: unknown): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" && /^\d{10,15}$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** An id as text; a number that JSON could not hold exactly (parseZaloJson missed it) counts as missing. */
function nonEmpty(value: unknown): string | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) ? String(value) : undefined;
  return typeof value === "string" && value !== "" ? value : undefined;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
