/**
 * A fake Zalo Official Account server for tests.
 *
 * Real HTTP on 127.0.0.1 (random port), answering like openapi.zalo.me and oauth.zaloapp.com: every reply of
 * the message API is HTTP 200 with the `{"error": <code>, "message": ...}` envelope (0 = success). Point the
 * client's apiBase and oauthBase at `fake.baseUrl`.
 *
 * - `POST /v3.0/oa/message/cs` checks the `access_token` header (unknown → -216; expired → -216, or -220
 *   "expired or removed" after `expireAccessTokens(-220)`), the body (text ≤ 2,000 characters, ≤ 5
 *   buttons), injected errors, a per-minute rate limit (-32), and the user's state: not following (-213),
 *   inactive (-227), outside the consultation window (-230/-232), restricted this message type (-244).
 * - `POST /v2.0/oa/message` answers an anonymous chat: recipient {anonymous_id, conversation_id}, text only.
 * - `POST /v3.0/oa/message/transaction` and `/promotion` take a template message (attachment type "template",
 *   payload template_type transaction_… or promotion, language VI/EN, elements header ≤ 100 / text ≤ 1,000 /
 *   table ≤ 5 rows, ≤ 4 buttons): the consultation window does not apply, following does (-213, -227, -244);
 *   each follower gets at most `promotionQuota` promotions a calendar month (Vietnam time), then -218 "Out of
 *   quota receive"; `oaOutOfQuota` answers -211 "Out of quota" for the whole OA.
 * - `POST /v4/oa/access_token` (form body app_id, grant_type=refresh_token, refresh_token; header
 *   secret_key) rotates single-use refresh tokens: a reused, revoked or unknown one gets an error body.
 * - `postEvent` signs and POSTs webhook events the way Zalo does.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

// ───────────────────────────── Public types ─────────────────────────────

export interface FakeZaloOptions {
  appId?: string;
  /** the app secret (the `secret_key` header of token refreshes) */
  appSecret?: string;
  /** the OA secret key that signs webhooks */
  oaSecretKey?: string;
  oaId?: string;
  /** lifetime of issued access tokens (Zalo: 90000 s) */
  tokenTtlSeconds?: number;
  /** the clock that dates webhook events (`timestamp`); the app's fake clock when the test moves time */
  now?: () => number;
}

export interface SentButton {
  title: string;
  type: string;
  payload: unknown;
}

export interface ZaloSentMessage {
  /** the user id, or the anonymous id for an anonymous chat */
  userId: string;
  /** which endpoint took it: consultation (/cs and the anonymous chat), transaction, promotion */
  type: "consultation" | "transaction" | "promotion";
  /** a template message's template_type, header and language */
  template?: { templateType: string; header: string; language: string };
  /** set for a message to an anonymous chat (POST /v2.0/oa/message) */
  conversationId?: string;
  text: string;
  buttons: SentButton[];
  messageId: string;
  accessToken: string;
  time: number;
}

export interface ZaloRequestRecord {
  path: string;
  /** the Zalo error code answered (0 = success), or the HTTP status for injected HTTP failures */
  error: number;
  status: number;
  time: number;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  /** epoch ms */
  expiresAt: number;
}

export interface ZaloCounters {
  /** message API calls, successful or not */
  messageRequests: number;
  /** successful refreshes */
  refreshes: number;
  /** refused refresh calls */
  refreshFailures: number;
  /** answers with error -216 */
  invalidToken: number;
  /** answers with error -220 */
  expiredToken: number;
  /** answers with error -32 */
  rateLimited: number;
}

export interface SignOptions {
  appId: string;
  secretKey: string;
  /** sign with a wrong key */
  badSignature?: boolean;
  /** send no X-ZEvent-Signature header at all */
  omitSignature?: boolean;
  /** the exact bytes to send (signed as they are) instead of JSON.stringify(event) */
  rawBody?: string;
}

export type ZaloEvent = Record<string, unknown>;

export type UserState = "not_following" | "inactive" | "outside_window" | "outside_window_232" | "restricted";

/** A ZNS template message the fake accepted (POST /message/template). */
export interface ZnsSent {
  phone: string;
  templateId: string;
  templateData: Record<string, string>;
  trackingId: string;
  msgId: string;
  time: number;
}

export interface FakeZalo {
  /** e.g. http://127.0.0.1:PORT, for both ZALO_API_BASE and ZALO_OAUTH_BASE */
  readonly baseUrl: string;
  readonly apiBase: string;
  readonly oauthBase: string;
  readonly appId: string;
  readonly appSecret: string;
  readonly oaSecretKey: string;
  readonly oaId: string;
  readonly sent: ZaloSentMessage[];
  readonly requests: ZaloRequestRecord[];
  readonly counters: ZaloCounters;
  /** delays every refresh answer (to make racing refreshes visible) */
  refreshDelayMs: number;

  /** promotion messages one follower may get in a calendar month before -218 (Zalo: a few; default 4) */
  promotionQuota: number;
  /** the OA's own quota of template messages is spent: every transaction/promotion message gets -211 */
  oaOutOfQuota: boolean;

  /** A fresh valid pair, as if the OA admin had just authorised the app. */
  issueTokens(ttlSeconds?: number): IssuedTokens;
  /** The product's configuration for this fake: app id, secrets, endpoints and a token pair (fresh unless given). */
  productEnv(tokens?: IssuedTokens): Record<string, string>;
  /** Every access token issued so far stops working (answered -216, or -220 if asked); refresh tokens stay valid. */
  expireAccessTokens(answer?: -216 | -220): void;
  /** Every refresh token issued so far is refused (as after a reuse or a revoked authorisation). */
  revokeRefreshTokens(): void;
  /** The next `times` message calls answer `{error: code, message}` instead of sending. */
  failNext(code: number, times?: number, message?: string): void;
  /** The next `times` message calls answer with this HTTP status (a proxy or outage). */
  failNextHttp(status: number, times?: number): void;
  /** Accepted messages per rolling minute over the whole OA; beyond it -32. `null` removes the limit. */
  rateLimit(perMinute: number | null): void;
  setUserState(userId: string, state: UserState | null): void;
  notFollowing(userId: string): void;
  inactive(userId: string): void;
  outsideWindow(userId: string, code?: -230 | -232): void;
  /** The user turned off this type of message from the OA (-244). */
  restricted(userId: string): void;

  textEvent(userId: string, text: string, msgId?: string): ZaloEvent;
  followEvent(userId: string): ZaloEvent;
  unfollowEvent(userId: string): ZaloEvent;
  /** user_send_image, user_send_sticker, …; `caption` goes in message.text as Zalo sends it */
  mediaEvent(userId: string, eventName: string, msgId?: string, caption?: string): ZaloEvent;
  /** user_send_link: the words typed with the link in message.text, the link in attachments */
  linkEvent(userId: string, text: string, url: string, msgId?: string): ZaloEvent;
  /** user_click_chatnow: top-level user_id, no message */
  chatNowEvent(userId: string): ZaloEvent;
  /** anonymous_send_text: sender.id is the anonymous id, message.conversation_id the conversation */
  anonymousTextEvent(anonymousId: string, conversationId: string, text: string, msgId?: string): ZaloEvent;
  /**
   * user_received_message for a ZNS message (Zalo's delivery receipt): `message.msg_id`, `message.tracking_id`
   * and `message.delivery_time` (ms, as digits), sender the OA, recipient a user id by app.
   */
  znsReceiptEvent(message: { msgId: string; trackingId: string }, deliveredAt?: number): ZaloEvent;
  /** Signs (with this fake's app id and OA secret unless given) and POSTs an event to a webhook URL. */
  postEvent(url: string, event: ZaloEvent, options?: Partial<SignOptions>): Promise<Response>;

  /** ZNS: accepted template messages, the OA's daily quota (remaining), phones with a refusal code */
  readonly zns: { sent: ZnsSent[]; quota: { daily: number; remaining: number }; phones: Map<string, number>; templates: Set<string> };

  sentTo(userId: string): ZaloSentMessage[];
  /** Resolves with the first `count` sent messages once that many exist. */
  waitForSent(count: number, timeoutMs?: number): Promise<ZaloSentMessage[]>;
  /** Resolves with the first sent message (past or future) matching the predicate. */
  waitForSent(predicate: (m: ZaloSentMessage) => boolean, timeoutMs?: number): Promise<ZaloSentMessage>;

  /** Forgets messages, records, faults, limits and user states; issued tokens stay valid. */
  reset(): void;
  stop(): Promise<void>;
}

// ───────────────────────────── Signing ─────────────────────────────

/** `mac=` + sha256(app_id + raw body + timestamp + oa secret key), as Zalo signs webhooks. */
export function signZaloEvent(appId: string, rawBody: string, timestamp: string, secretKey: string): string {
  return `mac=${createHash("sha256").update(appId + rawBody + timestamp + secretKey, "utf8").digest("hex")}`;
}

/** POSTs a webhook event the way Zalo does: JSON body, X-ZEvent-Signature over the exact bytes sent. */
export async function postEvent(url: string, event: ZaloEvent, options: SignOptions): Promise<Response> {
  const body = options.rawBody ?? JSON.stringify(event);
  const timestamp = String(event.timestamp ?? "");
  const headers: Record<string, string> = { "Content-Type": "application/json", "User-Agent": "ZaloWebhook/fake" };
  if (!options.omitSignature) {
    const key = options.badSignature ? `${options.secretKey}-wrong` : options.secretKey;
    headers["X-ZEvent-Signature"] = signZaloEvent(options.appId, body, timestamp, key);
  }
  return fetch(url, { method: "POST", headers, body });
}

// ───────────────────────────── The server ─────────────────────────────

const TEXT_LIMIT = 2000;
const MAX_BUTTONS = 5;
/** Zalo's transaction template types. */
const TRANSACTION_TYPES = new Set([
  "transaction_billing", "transaction_order", "transaction_reward", "transaction_contract", "transaction_booking",
  "transaction_membership", "transaction_event", "transaction_transaction", "transaction_account",
  "transaction_internal", "transaction_partnership", "transaction_education", "transaction_rating",
]);
const BUTTON_TYPES = new Set(["oa.query.show", "oa.query.hide", "oa.open.url", "oa.open.sms", "oa.open.phone"]);
const USER_ERRORS: Record<UserState, { error: number; message: string }> = {
  not_following: { error: -213, message: "User has not followed OA" },
  inactive: { error: -227, message: "User has been banned or inactive for more than 45 days" },
  outside_window: { error: -230, message: "User has not interacted with the OA in the past 7 days" },
  outside_window_232: { error: -232, message: "User has not interacted with the OA recently; consultation messages are not allowed" },
  restricted: { error: -244, message: "User has restricted receiving this type of message from the OA" },
};

class HttpFailure extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

export async function startFakeZalo(options: FakeZaloOptions = {}): Promise<FakeZalo> {
  const appId = options.appId ?? "3608465249409039670";
  const appSecret = options.appSecret ?? "fake-app-secret-Zx9";
  const oaSecretKey = options.oaSecretKey ?? "fake-oa-secret-key-Qw7";
  const oaId = options.oaId ?? "388613280878808645";
  const defaultTtl = options.tokenTtlSeconds ?? 90_000;

  const accessTokens = new Map<string, { expiresAt: number; expiredAnswer: -216 | -220 }>();
  const refreshTokens = new Map<string, { state: "valid" | "used" | "revoked" }>();
  const sent: ZaloSentMessage[] = [];
  const requests: ZaloRequestRecord[] = [];
  const counters: ZaloCounters = { messageRequests: 0, refreshes: 0, refreshFailures: 0, invalidToken: 0, expiredToken: 0, rateLimited: 0 };
  const users = new Map<string, UserState>();
  const injected: { code: number; message: string }[] = [];
  const injectedHttp: number[] = [];
  let perMinute: number | null = null;
  let acceptedTimes: number[] = [];
  const waiters = new Set<() => void>();
  let msgSeq = 0;

  const token = (prefix: string): string => `${prefix}${randomBytes(18).toString("base64url")}`;
  const issueTokens = (ttlSeconds = defaultTtl): IssuedTokens => {
    const accessToken = token("at_");
    const refreshToken = token("rt_");
    const expiresAt = Date.now() + ttlSeconds * 1000;
    accessTokens.set(accessToken, { expiresAt, expiredAnswer: -216 });
    refreshTokens.set(refreshToken, { state: "valid" });
    return { accessToken, refreshToken, expiresAt };
  };
  const notify = (): void => {
    for (const wake of [...waiters]) wake();
  };

  const promotionsByMonth = new Map<string, number>();
  const handleMessage = (req: IncomingMessage, raw: string, anonymous: boolean, kind: ZaloSentMessage["type"] = "consultation"): Record<string, unknown> => {
    counters.messageRequests++;
    const httpStatus = injectedHttp.shift();
    if (httpStatus !== undefined) throw new HttpFailure(httpStatus);
    const header = req.headers["access_token"];
    const accessToken = Array.isArray(header) ? header[0] : header;
    const known = accessToken ? accessTokens.get(accessToken) : undefined;
    if (known && known.expiresAt <= Date.now() && known.expiredAnswer === -220) {
      counters.expiredToken++;
      return { error: -220, message: "Access token has expired or has been removed" };
    }
    if (!accessToken || !known || known.expiresAt <= Date.now()) {
      counters.invalidToken++;
      return { error: -216, message: "Access token is invalid" };
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return { error: -201, message: "Parameters are invalid: body is not JSON" };
    }
    const problem = anonymous ? invalidAnonymousMessage(body) : kind === "consultation" ? invalidMessage(body) : invalidTemplateMessage(body, kind);
    if (typeof problem === "string") return { error: -201, message: `Parameters are invalid: ${problem}` };
    const fault = injected.shift();
    if (fault) {
      if (fault.code === -32) counters.rateLimited++;
      if (fault.code === -216) counters.invalidToken++;
      if (fault.code === -220) counters.expiredToken++;
      return { error: fault.code, message: fault.message };
    }
    const now = Date.now();
    if (perMinute !== null) {
      acceptedTimes = acceptedTimes.filter((t) => now - t < 60_000);
      if (acceptedTimes.length >= perMinute) {
        counters.rateLimited++;
        return { error: -32, message: "Request exceeded the rate limit" };
      }
    }
    const state = users.get(problem.userId);
    // The window binds consultation messages only; transaction and promotion messages reach any follower.
    if (state && (kind === "consultation" || !state.startsWith("outside_window"))) return { ...USER_ERRORS[state] };
    if (kind !== "consultation" && fake.oaOutOfQuota) return { error: -211, message: "Out of quota" };
    const monthKey = `${problem.userId}:${new Date(now + 7 * 3_600_000).toISOString().slice(0, 7)}`;
    if (kind === "promotion") {
      const got = promotionsByMonth.get(monthKey) ?? 0;
      if (got >= fake.promotionQuota) return { error: -218, message: "Out of quota receive" };
      promotionsByMonth.set(monthKey, got + 1);
    }
    acceptedTimes.push(now);
    const messageId = `${(++msgSeq).toString(16).padStart(8, "0")}${randomBytes(8).toString("hex")}`;
    sent.push({ ...problem, type: kind, messageId, accessToken, time: now });
    notify();
    return { data: { message_id: messageId, user_id: problem.userId }, error: 0, message: "Success" };
  };

  // ZNS (business.openapi.zalo.me/message/template): the same access tokens as the OA API; phones in 84… form;
  // approved templates only; the daily quota comes back with every accepted message.
  const zns: FakeZalo["zns"] = { sent: [], quota: { daily: 500, remaining: 500 }, phones: new Map(), templates: new Set(["100001", "100002", "100003"]) };
  const handleTemplate = (req: IncomingMessage, raw: string): Record<string, unknown> => {
    counters.messageRequests++;
    const httpStatus = injectedHttp.shift();
    if (httpStatus !== undefined) throw new HttpFailure(httpStatus);
    const header = req.headers["access_token"];
    const accessToken = Array.isArray(header) ? header[0] : header;
    const known = accessToken ? accessTokens.get(accessToken) : undefined;
    if (!accessToken || !known || known.expiresAt <= Date.now()) {
      counters.invalidToken++;
      return { error: -124, message: "Access token is invalid" };
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return { error: -121, message: "Body data empty or not JSON" };
    }
    const fault = injected.shift();
    if (fault) return { error: fault.code, message: fault.message };
    const phone = typeof body.phone === "string" ? body.phone : "";
    if (!/^84\d{9}$/.test(phone)) return { error: -108, message: "Phone number invalid" };
    const templateId = typeof body.template_id === "string" ? body.template_id : String(body.template_id ?? "");
    if (!zns.templates.has(templateId)) return { error: -109, message: "Template ID invalid" };
    const data = body.template_data;
    if (typeof data !== "object" || data === null || Object.keys(data).length === 0) return { error: -111, message: "Template data empty" };
    const refusal = zns.phones.get(phone);
    if (refusal !== undefined) return { error: refusal, message: refusal === -118 ? "Zalo account not existed" : "User can not receive ZNS" };
    if (zns.quota.remaining <= 0) return { error: -144, message: "OA has exceeded daily quota" };
    zns.quota.remaining--;
    const msgId = randomBytes(16).toString("hex");
    zns.sent.push({ phone, templateId, templateData: data as Record<string, string>, trackingId: String(body.tracking_id ?? ""), msgId, time: Date.now() });
    notify();
    return {
      error: 0,
      message: "Success",
      data: { msg_id: msgId, sent_time: String(Date.now()), quota: { dailyQuota: String(zns.quota.daily), remainingQuota: String(zns.quota.remaining) } },
    };
  };

  const handleRefresh = async (req: IncomingMessage, raw: string): Promise<Record<string, unknown>> => {
    if (fake.refreshDelayMs > 0) await new Promise((r) => setTimeout(r, fake.refreshDelayMs));
    const form = new URLSearchParams(raw);
    const secret = req.headers["secret_key"];
    const refuse = (error: number, name: string, description: string): Record<string, unknown> => {
      counters.refreshFailures++;
      return { error, error_name: name, error_reason: name, error_description: description };
    };
    if (secret !== appSecret) return refuse(-14004, "Invalid secret key", "secret_key is wrong or missing");
    if (form.get("app_id") !== appId) return refuse(-14003, "Invalid app id", "app_id is wrong or missing");
    if (form.get("grant_type") !== "refresh_token") return refuse(-14001, "Invalid grant type", "grant_type must be refresh_token");
    const given = form.get("refresh_token") ?? "";
    const known = refreshTokens.get(given);
    if (!known) return refuse(-14014, "Invalid refresh token", "refresh_token is unknown");
    if (known.state === "used") return refuse(-14014, "Invalid refresh token", "refresh_token was already used");
    if (known.state === "revoked") return refuse(-14014, "Invalid refresh token", "refresh_token was revoked");
    known.state = "used";
    const pair = issueTokens(defaultTtl);
    counters.refreshes++;
    return { access_token: pair.accessToken, refresh_token: pair.refreshToken, expires_in: String(defaultTtl) };
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const path = new URL(req.url ?? "/", "http://fake").pathname;
      const reply = async (): Promise<Record<string, unknown>> => {
        if (req.method === "POST" && path === "/v3.0/oa/message/cs") return handleMessage(req, raw, false);
        if (req.method === "POST" && path === "/v2.0/oa/message") return handleMessage(req, raw, true);
        if (req.method === "POST" && path === "/v3.0/oa/message/transaction") return handleMessage(req, raw, false, "transaction");
        if (req.method === "POST" && path === "/v3.0/oa/message/promotion") return handleMessage(req, raw, false, "promotion");
        if (req.method === "POST" && path === "/v4/oa/access_token") return handleRefresh(req, raw);
        if (req.method === "POST" && path === "/message/template") return handleTemplate(req, raw);
        throw new HttpFailure(404);
      };
      reply().then(
        (body) => {
          requests.push({ path, error: typeof body.error === "number" ? body.error : 0, status: 200, time: Date.now() });
          res.writeHead(200, { "Content-Type": "application/json; charset=utf-8" });
          res.end(JSON.stringify(body));
        },
        (error: unknown) => {
          const status = error instanceof HttpFailure ? error.status : 500;
          requests.push({ path, error: status, status, time: Date.now() });
          res.writeHead(status, { "Content-Type": "text/html" });
          res.end(`<html><body>${status}</body></html>`);
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  let nextMsg = 0;
  const msgIdFor = (): string => `msg${Date.now().toString(16)}${(++nextMsg).toString(16).padStart(6, "0")}`;
  const envelope = (eventName: string, extra: Record<string, unknown>): ZaloEvent => ({
    app_id: appId,
    user_id_by_app: `app-${randomBytes(6).toString("hex")}`,
    event_name: eventName,
    timestamp: String((options.now ?? Date.now)()),
    ...extra,
  });

  function waitForSent(count: number, timeoutMs?: number): Promise<ZaloSentMessage[]>;
  function waitForSent(predicate: (m: ZaloSentMessage) => boolean, timeoutMs?: number): Promise<ZaloSentMessage>;
  function waitForSent(
    what: number | ((m: ZaloSentMessage) => boolean),
    timeoutMs = 5000,
  ): Promise<ZaloSentMessage[] | ZaloSentMessage> {
    const check = (): ZaloSentMessage[] | ZaloSentMessage | undefined =>
      typeof what === "number" ? (sent.length >= what ? sent.slice(0, what) : undefined) : sent.find(what);
    return new Promise((resolve, reject) => {
      const done = check();
      if (done) return resolve(done);
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`fake Zalo: no matching message within ${timeoutMs} ms (${sent.length} sent)`));
      }, timeoutMs);
      const wake = (): void => {
        const found = check();
        if (!found) return;
        clearTimeout(timer);
        waiters.delete(wake);
        resolve(found);
      };
      waiters.add(wake);
    });
  }

  const fake: FakeZalo = {
    baseUrl,
    apiBase: baseUrl,
    oauthBase: baseUrl,
    appId,
    appSecret,
    oaSecretKey,
    oaId,
    sent,
    requests,
    counters,
    refreshDelayMs: 0,
    promotionQuota: 4,
    oaOutOfQuota: false,
    zns,
    issueTokens,
    productEnv: (tokens = issueTokens()) => ({
      ZALO_APP_ID: appId,
      ZALO_APP_SECRET: appSecret,
      ZALO_OA_SECRET_KEY: oaSecretKey,
      ZALO_ACCESS_TOKEN: tokens.accessToken,
      ZALO_REFRESH_TOKEN: tokens.refreshToken,
      ZALO_API_BASE: baseUrl,
      ZALO_OAUTH_BASE: baseUrl,
    }),
    expireAccessTokens(answer = -216) {
      for (const t of accessTokens.values()) Object.assign(t, { expiresAt: 0, expiredAnswer: answer });
    },
    revokeRefreshTokens() {
      for (const t of refreshTokens.values()) t.state = "revoked";
    },
    failNext(code, times = 1, message) {
      const text = message ?? Object.values(USER_ERRORS).find((e) => e.error === code)?.message ?? defaultMessage(code);
      for (let i = 0; i < times; i++) injected.push({ code, message: text });
    },
    failNextHttp(status, times = 1) {
      for (let i = 0; i < times; i++) injectedHttp.push(status);
    },
    rateLimit(limit) {
      perMinute = limit;
      acceptedTimes = [];
    },
    setUserState(userId, state) {
      if (state === null) users.delete(userId);
      else users.set(userId, state);
    },
    notFollowing: (userId) => users.set(userId, "not_following"),
    inactive: (userId) => users.set(userId, "inactive"),
    outsideWindow: (userId, code = -230) => users.set(userId, code === -230 ? "outside_window" : "outside_window_232"),
    restricted: (userId) => users.set(userId, "restricted"),
    textEvent: (userId, text, msgId) =>
      envelope("user_send_text", {
        sender: { id: userId },
        recipient: { id: oaId },
        message: { text, msg_id: msgId ?? msgIdFor() },
      }),
    followEvent: (userId) => envelope("follow", { oa_id: oaId, follower: { id: userId }, source: "oa_profile" }),
    unfollowEvent: (userId) => envelope("unfollow", { oa_id: oaId, follower: { id: userId }, source: "oa_profile" }),
    mediaEvent: (userId, eventName, msgId, caption) =>
      envelope(eventName, {
        sender: { id: userId },
        recipient: { id: oaId },
        message: {
          ...(caption !== undefined ? { text: caption } : {}),
          msg_id: msgId ?? msgIdFor(),
          attachments: [{ type: eventName.replace(/^user_send_/, ""), payload: { url: "https://example.invalid/x" } }],
        },
      }),
    linkEvent: (userId, text, url, msgId) =>
      envelope("user_send_link", {
        sender: { id: userId },
        recipient: { id: oaId },
        message: {
          text,
          msg_id: msgId ?? msgIdFor(),
          attachments: [{ type: "link", payload: { url, description: "", thumbnail: "https://example.invalid/t.jpg" } }],
        },
      }),
    chatNowEvent: (userId) => envelope("user_click_chatnow", { oa_id: oaId, user_id: userId }),
    anonymousTextEvent: (anonymousId, conversationId, text, msgId) =>
      envelope("anonymous_send_text", {
        sender: { id: anonymousId },
        recipient: { id: oaId },
        message: { text, msg_id: msgId ?? msgIdFor(), conversation_id: conversationId },
      }),
    znsReceiptEvent: (message, deliveredAt) =>
      envelope("user_received_message", {
        sender: { id: oaId },
        recipient: { id: `app-user-${randomBytes(4).toString("hex")}` },
        message: {
          msg_id: message.msgId,
          tracking_id: message.trackingId,
          delivery_time: String(deliveredAt ?? (options.now ?? Date.now)()),
        },
      }),
    postEvent: (url, event, sign) =>
      postEvent(url, event, { appId, secretKey: oaSecretKey, ...sign }),
    sentTo: (userId) => sent.filter((m) => m.userId === userId),
    waitForSent,
    reset() {
      sent.length = 0;
      requests.length = 0;
      Object.assign(counters, { messageRequests: 0, refreshes: 0, refreshFailures: 0, invalidToken: 0, expiredToken: 0, rateLimited: 0 });
      users.clear();
      zns.sent.length = 0;
      zns.phones.clear();
      zns.quota.remaining = zns.quota.daily;
      injected.length = 0;
      injectedHttp.length = 0;
      perMinute = null;
      acceptedTimes = [];
      fake.refreshDelayMs = 0;
      fake.promotionQuota = 4;
      fake.oaOutOfQuota = false;
      promotionsByMonth.clear();
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return fake;
}

/** The recipient and content of a valid message body, or what is wrong with it. */
function invalidMessage(body: unknown): { userId: string; text: string; buttons: SentButton[] } | string {
  const record = asRecord(body);
  const userId = asRecord(record?.recipient)?.user_id;
  if (typeof userId !== "string" || userId === "") return "recipient.user_id is required";
  const message = asRecord(record?.message);
  if (!message) return "message is required";
  const text = message.text;
  if (typeof text !== "string" || text.trim() === "") return "message.text is required";
  if ([...text].length > TEXT_LIMIT) return `message.text is longer than ${TEXT_LIMIT} characters`;
  const buttons: SentButton[] = [];
  if (message.attachment !== undefined) {
    const attachment = asRecord(message.attachment);
    if (attachment?.type !== "template") return "message.attachment.type must be template";
    const list = asRecord(attachment.payload)?.buttons;
    if (!Array.isArray(list) || list.length === 0) return "message.attachment.payload.buttons is required";
    if (list.length > MAX_BUTTONS) return `at most ${MAX_BUTTONS} buttons`;
    for (const item of list) {
      const b = asRecord(item);
      if (!b || typeof b.title !== "string" || b.title === "" || [...b.title].length > 100) return "button.title is invalid";
      if (typeof b.type !== "string" || !BUTTON_TYPES.has(b.type)) return "button.type is invalid";
      if (b.type === "oa.query.show" || b.type === "oa.query.hide") {
        if (typeof b.payload !== "string" || b.payload === "" || b.payload.length > 1000) return "button.payload is invalid";
      }
      buttons.push({ title: b.title, type: b.type, payload: b.payload });
    }
  }
  return { userId, text, buttons };
}

/**
 * A transaction or promotion message: attachment type "template" whose payload has the endpoint's
 * template_type, a language, a header element and ≤ 1,000-character text elements, at most 4 buttons.
 */
function invalidTemplateMessage(
  body: unknown,
  kind: "transaction" | "promotion",
): { userId: string; text: string; buttons: SentButton[]; template: { templateType: string; header: string; language: string } } | string {
  const record = asRecord(body);
  const userId = asRecord(record?.recipient)?.user_id;
  if (typeof userId !== "string" || userId === "") return "recipient.user_id is required";
  const attachment = asRecord(asRecord(record?.message)?.attachment);
  if (attachment?.type !== "template") return "message.attachment.type must be template";
  const payload = asRecord(attachment.payload);
  const templateType = payload?.template_type;
  if (typeof templateType !== "string") return "template_type is required";
  if (kind === "promotion" ? templateType !== "promotion" : !TRANSACTION_TYPES.has(templateType)) return `template_type ${templateType} is invalid for ${kind}`;
  const language = payload?.language ?? "VI";
  if (language !== "VI" && language !== "EN") return "language must be VI or EN";
  const elements = payload?.elements;
  if (!Array.isArray(elements) || elements.length === 0) return "elements is required";
  let header: string | undefined;
  const texts: string[] = [];
  for (const item of elements) {
    const e = asRecord(item);
    if (e?.type === "header") {
      if (typeof e.content !== "string" || e.content === "" || [...e.content].length > 100) return "header.content is invalid";
      header = e.content;
    } else if (e?.type === "text") {
      if (typeof e.content !== "string" || e.content === "" || [...e.content].length > 1000) return "text.content is invalid";
      texts.push(e.content);
    } else if (e?.type === "table") {
      if (!Array.isArray(e.content) || e.content.length === 0 || e.content.length > 5) return "table.content is invalid";
    } else if (e?.type !== "banner") return "element.type is invalid";
  }
  if (header === undefined) return "a header element is required";
  const buttons: SentButton[] = [];
  const list = payload?.buttons;
  if (list !== undefined) {
    if (!Array.isArray(list) || list.length > 4) return "at most 4 buttons";
    for (const item of list) {
      const b = asRecord(item);
      if (!b || typeof b.title !== "string" || b.title === "" || [...b.title].length > 100) return "button.title is invalid";
      if (typeof b.type !== "string" || !BUTTON_TYPES.has(b.type)) return "button.type is invalid";
      buttons.push({ title: b.title, type: b.type, payload: b.payload });
    }
  }
  return { userId, text: texts.join("\n"), buttons, template: { templateType, header, language } };
}

/** An anonymous-chat message: recipient {anonymous_id, conversation_id} and text only. */
function invalidAnonymousMessage(body: unknown): { userId: string; conversationId: string; text: string; buttons: SentButton[] } | string {
  const record = asRecord(body);
  const recipient = asRecord(record?.recipient);
  const anonymousId = recipient?.anonymous_id;
  const conversationId = recipient?.conversation_id;
  if (typeof anonymousId !== "string" || anonymousId === "") return "recipient.anonymous_id is required";
  if (typeof conversationId !== "string" || conversationId === "") return "recipient.conversation_id is required";
  const message = asRecord(record?.message);
  const text = message?.text;
  if (typeof text !== "string" || text.trim() === "") return "message.text is required";
  if ([...text].length > TEXT_LIMIT) return `message.text is longer than ${TEXT_LIMIT} characters`;
  if (message?.attachment !== undefined) return "message.attachment is not supported for anonymous chats";
  return { userId: anonymousId, conversationId, text, buttons: [] };
}

function defaultMessage(code: number): string {
  switch (code) {
    case -32:
      return "Request exceeded the rate limit";
    case -216:
      return "Access token is invalid";
    case -220:
      return "Access token has expired or has been removed";
    case -201:
      return "Parameters are invalid";
    default:
      return `Error ${code}`;
  }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
