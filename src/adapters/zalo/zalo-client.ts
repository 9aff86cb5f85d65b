import axios, { type AxiosInstance, type AxiosResponse } from "axios";
import type { Logger } from "../../core/conversation.js";
import { anonymousRecipient } from "./zalo-address.js";

/** One access token with the single-use refresh token issued with it; `expiresAt` in epoch milliseconds. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
}

/**
 * Where token pairs live (the database). Refresh tokens are single-use, so `save` must store the new pair
 * durably (one transaction) before it resolves: the client awaits it before it uses the new access token.
 */
export interface ZaloTokenStore {
  load(): Promise<TokenPair | undefined>;
  save(pair: TokenPair): Promise<void>;
}

/** A button that sends its payload back as the user's text (`oa.query.hide`: not echoed into the chat). */
export interface ZaloQueryButton {
  title: string;
  payload: string;
}

export type ZaloHealth = "ok" | "degraded";

export interface ZaloClientOptions {
  appId: string;
  /** the app's secret key, sent as the `secret_key` header when refreshing tokens */
  appSecret: string;
  /** https://openapi.zalo.me */
  apiBase: string;
  /** https://oauth.zaloapp.com */
  oauthBase: string;
  /** https://business.openapi.zalo.me (ZNS template messages) */
  businessBase?: string;
  tokens: ZaloTokenStore;
  /** the first pair (from configuration), used only while the store holds none; expiry unknown unless given */
  initialTokens?: { accessToken: string; refreshToken: string; expiresAt?: number } | undefined;
  logger?: Logger | undefined;
  /** epoch milliseconds; tests may move time */
  now?: () => number;
  /** refresh this long before the access token expires (default 5 minutes) */
  refreshAheadMs?: number;
  /** per-request timeout (default 10 s) */
  timeoutMs?: number;
  http?: AxiosInstance;
}

/** Zalo refused the request: HTTP 200 with `{"error": <non-zero>, "message": ...}`. */
export class ZaloApiError extends Error {
  override name = "ZaloApiError";
  constructor(
    readonly code: number,
    readonly zaloMessage: string,
  ) {
    super(`Zalo error ${code}: ${zaloMessage}`);
  }
}

/** The request itself failed: `status` is the HTTP status, undefined for network errors and timeouts. */
export class ZaloHttpError extends Error {
  override name = "ZaloHttpError";
  constructor(
    readonly status: number | undefined,
    description: string,
  ) {
    super(description);
  }
}

/**
 * No usable access token. `rejected`: Zalo refused the refresh (used or revoked refresh token, wrong app
 * secret); `missing`: no token pair anywhere; `degraded`: a send failed fast because of an earlier
 * rejection; `unavailable`: the refresh could not be made (network, 5xx, store unreadable) and may work later.
 */
export class ZaloTokenError extends Error {
  override name = "ZaloTokenError";
  constructor(
    readonly reason: "rejected" | "missing" | "degraded" | "unavailable",
    description: string,
  ) {
    super(description);
  }
  get transient(): boolean {
    return this.reason === "unavailable";
  }
}

export const ZALO_INVALID_TOKEN = -216;
/** "Access token has expired or has been removed": refreshed like -216. */
export const ZALO_EXPIRED_TOKEN = -220;
/** -124: the ZNS API's own "access token invalid" */
const TOKEN_REFUSED: ReadonlySet<number> = new Set([ZALO_INVALID_TOKEN, ZALO_EXPIRED_TOKEN, -124]);
const DEFAULT_TTL_SECONDS = 90_000; // Zalo's access tokens live 25 hours
const NO_LOGGER: Logger = { info: () => {}, warn: () => {}, error: () => {} };

interface Envelope {
  error: number;
  message: string;
  messageId: string | undefined;
  data: Record<string, unknown> | undefined;
}

/** A ZNS template message: our delivery id as `tracking_id`, so a retried send is recognisable in Zalo's reports. */
export interface ZnsMessage {
  /** 84xxxxxxxxx (see reach/phone.ts) */
  phone: string;
  templateId: string;
  templateData: Record<string, string>;
  trackingId: string;
}

/** What Zalo says is left of the OA's ZNS quota after a send. */
export interface ZnsQuota {
  daily: number;
  remaining: number;
}

/**
 * The Zalo Official Account Open API, as far as the bot needs it: consultation text messages with
 * buttons, and the access-token life cycle (refresh ahead of expiry, one refresh at a time, the new pair
 * saved before it is used, one refresh and one retry on -216 or -220). A refused refresh turns health() to
 * "degraded" and later sends fail fast until a new pair appears in the store.
 */
export class ZaloClient {
  private readonly http: AxiosInstance;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly refreshAheadMs: number;
  private pair: TokenPair | undefined;
  private loading: Promise<void> | undefined;
  private loaded = false;
  private refreshing: Promise<TokenPair> | undefined;
  /** Zalo refused the refresh (or there is no pair): sticky until a new pair shows up in the store */
  private rejected = false;
  /** the last refresh attempt failed for any reason */
  private lastRefreshFailed = false;
  /** a refreshed pair the store could not save yet (kept in memory: the old refresh token is spent) */
  private unsaved: TokenPair | undefined;
  /** the access token Zalo last called invalid or expired (-216, -220) */
  private knownInvalid: string | undefined;
  private reason: string | undefined;
  private refreshes = 0;

  constructor(private readonly options: ZaloClientOptions) {
    this.http = options.http ?? axios.create({ timeout: options.timeoutMs ?? 10_000 });
    this.logger = options.logger ?? NO_LOGGER;
    this.now = options.now ?? Date.now;
    this.refreshAheadMs = options.refreshAheadMs ?? 5 * 60_000;
  }

  /** "degraded" after a failed refresh (or while a refreshed pair is not saved); /healthz shows it. */
  health(): ZaloHealth {
    return this.rejected || this.lastRefreshFailed || this.unsaved !== undefined ? "degraded" : "ok";
  }

  /** Why health() is degraded, without any secret; undefined when it is ok. */
  healthReason(): string | undefined {
    return this.health() === "ok" ? undefined : this.reason;
  }

  /** Successful refreshes made by this client. */
  get refreshCount(): number {
    return this.refreshes;
  }

  /**
   * Sends a consultation text message (`POST /v3.0/oa/message/cs`) and returns Zalo's message id; an
   * anonymous address (see zalo-address.ts) goes to the anonymous-chat endpoint (`POST /v2.0/oa/message`).
   * Throws ZaloApiError (Zalo's error code), ZaloHttpError (HTTP or network) or ZaloTokenError.
   */
  async sendText(userId: string, text: string, buttons?: ZaloQueryButton[]): Promise<{ messageId: string }> {
    const path = anonymousRecipient(userId) ? "/v2.0/oa/message" : "/v3.0/oa/message/cs";
    return this.sendMessage(path, messageBody(userId, text, buttons));
  }

  /**
   * Sends a transaction or promotion message (`POST /v3.0/oa/message/transaction` or `/promotion`: the
   * endpoint comes from templates/zalo-message-types.yaml) with the same token rules as sendText. Throws
   * ZaloApiError with Zalo's code (-213 not a follower, -218 the follower's quota, -211 the OA's quota, -32).
   */
  async sendTemplateMessage(endpoint: string, userId: string, template: ZaloTemplateMessage): Promise<{ messageId: string }> {
    return this.sendMessage(endpoint, templateMessageBody(userId, template));
  }

  private async sendMessage(path: string, body: object): Promise<{ messageId: string }> {
    let pair = await this.validPair();
    let reply = await this.postMessage(pair.accessToken, path, body);
    if (TOKEN_REFUSED.has(reply.error)) {
      this.logger.warn({ zaloError: reply.error }, "zalo access token rejected; refreshing once and retrying");
      pair = await this.refreshAfterInvalid(pair);
      reply = await this.postMessage(pair.accessToken, path, body);
    }
    if (reply.error !== 0) throw new ZaloApiError(reply.error, reply.message);
    return { messageId: reply.messageId ?? "" };
  }

  /**
   * Sends a ZNS template message (`POST <business>/message/template`) with the same access token and refresh
   * rules as the chat; returns Zalo's message id and the quota it reports. Throws ZaloApiError with ZNS's code.
   */
  async sendTemplate(message: ZnsMessage): Promise<{ messageId: string; quota: ZnsQuota | undefined }> {
    const url = `${trimSlash(this.options.businessBase ?? "https://business.openapi.zalo.me")}/message/template`;
    const body = { phone: message.phone, template_id: message.templateId, template_data: message.templateData, tracking_id: message.trackingId };
    let pair = await this.validPair();
    let reply = await this.post(pair.accessToken, url, body);
    if (TOKEN_REFUSED.has(reply.error)) {
      this.logger.warn({ zaloError: reply.error }, "zalo access token rejected by ZNS; refreshing once and retrying");
      pair = await this.refreshAfterInvalid(pair);
      reply = await this.post(pair.accessToken, url, body);
    }
    if (reply.error !== 0) throw new ZaloApiError(reply.error, reply.message);
    const quota = reply.data?.quota as { dailyQuota?: unknown; remainingQuota?: unknown } | undefined;
    const msgId = reply.data?.msg_id;
    return {
      messageId: typeof msgId === "string" || typeof msgId === "number" ? String(msgId) : "",
      quota: quota && quota.dailyQuota !== undefined ? { daily: Number(quota.dailyQuota), remaining: Number(quota.remainingQuota) } : undefined,
    };
  }

  /** Refreshes now (single-flight), whatever the expiry; resolves with the saved new pair. */
  async refreshNow(): Promise<TokenPair> {
    await this.ensureLoaded();
    return this.refresh();
  }

  // ───────────────────────────── tokens ─────────────────────────────

  private async ensureLoaded(): Promise<void> {
    if (this.loaded) return;
    this.loading ??= (async () => {
      try {
        const stored = await this.options.tokens.load();
        const initial = this.options.initialTokens;
        this.pair =
          stored ??
          (initial
            ? {
                accessToken: initial.accessToken,
                refreshToken: initial.refreshToken,
                // Unknown expiry: use it until Zalo says -216, then refresh.
                expiresAt: initial.expiresAt ?? Number.MAX_SAFE_INTEGER,
              }
            : undefined);
        this.loaded = true;
      } catch (error) {
        throw new ZaloTokenError("unavailable", `could not load Zalo tokens: ${describe(error)}`);
      } finally {
        this.loading = undefined;
      }
    })();
    await this.loading;
  }

  private usable(pair: TokenPair | undefined): pair is TokenPair {
    return pair !== undefined && pair.expiresAt > this.now() && pair.accessToken !== this.knownInvalid;
  }

  /** The pair to send with: refreshed ahead of expiry; fails fast while degraded. */
  private async validPair(): Promise<TokenPair> {
    await this.ensureLoaded();
    if (this.unsaved) await this.persist(this.unsaved);
    if (this.rejected || this.pair === undefined) {
      if (await this.recoverFromStore()) return this.validPair();
      if (this.pair === undefined) {
        this.markRejected("no Zalo token pair: set ZALO_ACCESS_TOKEN and ZALO_REFRESH_TOKEN");
        throw new ZaloTokenError("missing", "no Zalo access token is configured");
      }
      if (this.usable(this.pair)) return this.pair;
      throw new ZaloTokenError("degraded", `Zalo token refresh failed earlier (${this.reason ?? "unknown"}); not sending`);
    }
    const pair = this.pair;
    if (pair.expiresAt - this.now() > this.refreshAheadMs && pair.accessToken !== this.knownInvalid) return pair;
    try {
      return await this.refresh();
    } catch (error) {
      // Refreshing ahead failed, but the current token still works for a while: use it.
      if (error instanceof ZaloTokenError && this.usable(pair)) return pair;
      throw error;
    }
  }

  /** After -216/-220 with `stale`: another send may already have refreshed; otherwise refresh once. */
  private async refreshAfterInvalid(stale: TokenPair): Promise<TokenPair> {
    if (this.pair && this.pair.accessToken !== stale.accessToken) return this.pair;
    this.knownInvalid = stale.accessToken;
    if (this.rejected) {
      if (await this.recoverFromStore()) return this.validPair();
      throw new ZaloTokenError("degraded", `Zalo token refresh failed earlier (${this.reason ?? "unknown"}); not sending`);
    }
    return this.refresh();
  }

  /** One refresh at a time: every caller waiting meanwhile gets the same new pair (or the same error). */
  private refresh(): Promise<TokenPair> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<TokenPair> {
    const current = this.pair;
    if (!current) {
      this.markRejected("no Zalo token pair to refresh");
      throw new ZaloTokenError("missing", "no Zalo refresh token is configured");
    }
    const url = `${trimSlash(this.options.oauthBase)}/v4/oa/access_token`;
    const form = new URLSearchParams({
      app_id: this.options.appId,
      grant_type: "refresh_token",
      refresh_token: current.refreshToken,
    }).toString();
    let response: AxiosResponse<unknown>;
    try {
      response = await this.http.post(url, form, {
        headers: { secret_key: this.options.appSecret, "Content-Type": "application/x-www-form-urlencoded" },
        validateStatus: () => true,
      });
    } catch (error) {
      throw this.refreshFailed("unavailable", `token refresh request failed: ${describe(error)}`);
    }
    if (response.status >= 500 || response.status === 429) {
      throw this.refreshFailed("unavailable", `token refresh answered HTTP ${response.status}`);
    }
    const data = asRecord(response.data);
    const accessToken = data?.access_token;
    const refreshToken = data?.refresh_token;
    if (response.status !== 200 || typeof accessToken !== "string" || accessToken === "" || typeof refreshToken !== "string" || refreshToken === "") {
      throw this.refreshFailed("rejected", `Zalo refused the token refresh: ${oauthError(data, response.status)}`);
    }
    const seconds = Number(data?.expires_in);
    const pair: TokenPair = {
      accessToken,
      refreshToken,
      expiresAt: this.now() + (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_TTL_SECONDS) * 1000,
    };
    // The old refresh token is spent now: store the new pair before anything uses it.
    await this.persist(pair);
    this.pair = pair;
    this.rejected = false;
    this.lastRefreshFailed = false;
    this.knownInvalid = undefined;
    if (this.unsaved === undefined) this.reason = undefined;
    this.refreshes++;
    this.logger.info({ expiresAt: new Date(pair.expiresAt).toISOString() }, "zalo access token refreshed");
    return pair;
  }

  private async persist(pair: TokenPair): Promise<void> {
    try {
      await this.options.tokens.save(pair);
      if (this.unsaved === pair) this.reason = undefined;
      this.unsaved = undefined;
    } catch (error) {
      // The old refresh token is already spent: keep the new pair in memory, retry the save on the next send.
      this.unsaved = pair;
      this.reason = `refreshed Zalo tokens could not be saved: ${describe(error)}`;
      this.logger.error({ err: error }, "ZALO TOKENS NOT SAVED: the refreshed pair lives only in memory until a save succeeds");
    }
  }

  /** While degraded: a different pair in the store (put there by an operator) ends the degradation. */
  private async recoverFromStore(): Promise<boolean> {
    let stored: TokenPair | undefined;
    try {
      stored = await this.options.tokens.load();
    } catch {
      return false;
    }
    if (!stored) return false;
    const current = this.pair;
    if (current && stored.accessToken === current.accessToken && stored.refreshToken === current.refreshToken) return false;
    this.pair = stored;
    this.rejected = false;
    this.lastRefreshFailed = false;
    this.knownInvalid = undefined;
    this.reason = undefined;
    this.logger.info({}, "zalo: a new token pair was found in the store; the channel is healthy again");
    return true;
  }

  private markRejected(reason: string): void {
    if (!this.rejected) this.logger.error({ reason }, "ZALO CHANNEL DEGRADED: no usable token");
    this.rejected = true;
    this.reason = reason;
  }

  private refreshFailed(reason: "rejected" | "unavailable", description: string): ZaloTokenError {
    this.lastRefreshFailed = true;
    this.reason = description;
    if (reason === "rejected") this.rejected = true;
    this.logger.error(
      { reason: description },
      reason === "rejected"
        ? "ZALO TOKEN REFRESH REJECTED: the channel is degraded and sends fail until a new token pair is stored"
        : "zalo token refresh failed; will try again on the next send",
    );
    return new ZaloTokenError(reason, description);
  }

  // ───────────────────────────── HTTP ─────────────────────────────

  private postMessage(accessToken: string, path: string, body: object): Promise<Envelope> {
    return this.post(accessToken, `${trimSlash(this.options.apiBase)}${path}`, body);
  }

  private async post(accessToken: string, url: string, body: object): Promise<Envelope> {
    let response: AxiosResponse<unknown>;
    try {
      response = await this.http.post(url, body, {
        headers: { access_token: accessToken, "Content-Type": "application/json" },
        validateStatus: () => true,
      });
    } catch (error) {
      throw new ZaloHttpError(undefined, describe(error));
    }
    if (response.status < 200 || response.status >= 300) {
      throw new ZaloHttpError(response.status, `Zalo answered HTTP ${response.status}`);
    }
    const data = asRecord(response.data);
    if (!data || typeof data.error !== "number") {
      throw new ZaloHttpError(502, "Zalo answered without an error envelope");
    }
    const payload = asRecord(data.data);
    const messageId = payload?.message_id;
    return {
      error: data.error,
      message: typeof data.message === "string" ? data.message : "",
      messageId: typeof messageId === "string" || typeof messageId === "number" ? String(messageId) : undefined,
      data: payload,
    };
  }
}

/**
 * The JSON body of a message. Buttons become `oa.query.hide`: a tap sends the payload back as the user's
 * text (user_send_text) without showing it in the chat, so "#dvc.list" is never echoed to the person.
 * Anonymous chats get plain text (the anonymous endpoint documents text only).
 */
export function messageBody(userId: string, text: string, buttons?: ZaloQueryButton[]): object {
  const message: Record<string, unknown> = { text };
  const anonymous = anonymousRecipient(userId);
  if (anonymous) {
    return { recipient: { anonymous_id: anonymous.anonymousId, conversation_id: anonymous.conversationId }, message };
  }
  if (buttons && buttons.length > 0) {
    message.attachment = {
      type: "template",
      payload: { buttons: buttons.map((b) => ({ title: b.title, type: "oa.query.hide", payload: b.payload })) },
    };
  }
  return { recipient: { user_id: userId }, message };
}

/**
 * A transaction or promotion message: a header, text paragraphs, an optional table of fields, and buttons.
 * `templateType` is Zalo's `template_type` (transaction_education, transaction_event, …, or promotion).
 */
export interface ZaloTemplateMessage {
  templateType: string;
  language: "VI" | "EN";
  header: string;
  texts: string[];
  table?: { key: string; value: string }[];
  buttons: ZaloQueryButton[];
}

/**
 * The JSON body of a transaction or promotion message, as Zalo's OA API v3 documents it ("Gửi tin Giao dịch"
 * and "Gửi tin Truyền thông", developers.zalo.me/docs/official-account/tin-nhan/…; checked against the
 * published request examples of eSMS's "Tin Zalo giao dịch" and the v3 promotion migration notes of
 * @warriorteam/redai-zalo-sdk): `message.attachment` of type "template" whose payload holds `template_type`,
 * `language` (VI or EN) and `elements` — header (≤ 100 characters), text (≤ 1,000 each), table (≤ 5 rows) —
 * plus `buttons` (≤ 4 for these types), each with an `image_icon` ("" for Zalo's default).
 */
export function templateMessageBody(userId: string, template: ZaloTemplateMessage): object {
  const elements: Record<string, unknown>[] = [{ type: "header", content: template.header, align: "left" }];
  for (const text of template.texts) elements.push({ type: "text", content: text, align: "left" });
  if (template.table && template.table.length > 0) elements.push({ type: "table", content: template.table });
  const payload: Record<string, unknown> = { template_type: template.templateType, language: template.language, elements };
  if (template.buttons.length > 0) {
    payload.buttons = template.buttons.map((b) => ({ title: b.title, image_icon: "", type: "oa.query.hide", payload: b.payload }));
  }
  return { recipient: { user_id: userId }, message: { attachment: { type: "template", payload } } };
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function oauthError(data: Record<string, unknown> | undefined, status: number): string {
  if (!data) return `HTTP ${status}, no JSON body`;
  const parts = [data.error, data.error_name, data.error_reason, data.error_description, data.message]
    .filter((p) => typeof p === "string" || typeof p === "number")
    .map(String);
  return parts.length > 0 ? parts.join(" ") : `HTTP ${status}`;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

/** An error's message; axios messages carry no headers, so no token can leak through them. */
function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
