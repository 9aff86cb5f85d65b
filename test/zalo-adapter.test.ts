import express from "express";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { anonymousAddress } from "../src/adapters/zalo/zalo-address.js";
import { ZaloChannel } from "../src/adapters/zalo/zalo-channel.js";
import { ZaloClient, type TokenPair, type ZaloTokenStore } from "../src/adapters/zalo/zalo-client.js";
import { ZaloSender } from "../src/adapters/zalo/zalo-sender.js";
import { verifyZaloSignature, zaloSignatureHeader } from "../src/adapters/zalo/zalo-signature.js";
import {
  zaloEventHandler,
  zaloWebhookRoute,
  type ZaloEventHandlers,
  type ZaloTextEvent,
} from "../src/adapters/zalo/zalo-webhook.js";
import type { Logger } from "../src/core/conversation.js";
import { InboundQueue } from "../src/core/inbound/inbound-queue.js";
import { openDatabase, type OpenDatabase } from "../src/db/database.js";
import { SqliteInboundStore } from "../src/db/inbound-store.js";
import { SendError, type SendFailure } from "../src/core/delivery/send-error.js";
import { toPlainText } from "../src/core/render.js";
import type { Button, InboundEvent, OutboundMessage, Reply, RichText } from "../src/core/types.js";
import { I18nTranslator } from "../src/infra/translator.js";
import { startFakeZalo, type FakeZalo } from "./support/fake-zalo.js";
import { testDatabase } from "./support/engine.js";

// ───────────────────────────── helpers ─────────────────────────────

class MemoryTokenStore implements ZaloTokenStore {
  pair: TokenPair | undefined;
  saves: TokenPair[] = [];
  /** for every save: messages the fake had received with the new token when the save started and ended */
  usedBeforeSaved = 0;
  failSaves = 0;

  constructor(private readonly fake: FakeZalo) {}

  async load(): Promise<TokenPair | undefined> {
    return this.pair ? { ...this.pair } : undefined;
  }

  async save(pair: TokenPair): Promise<void> {
    const used = () => this.fake.sent.filter((m) => m.accessToken === pair.accessToken).length;
    this.usedBeforeSaved += used();
    await new Promise((r) => setTimeout(r, 30)); // a slow transaction: nothing may use the token meanwhile
    this.usedBeforeSaved += used();
    if (this.failSaves > 0) {
      this.failSaves--;
      throw new Error("database is locked");
    }
    this.pair = { ...pair };
    this.saves.push({ ...pair });
  }
}

class MemoryLogger implements Logger {
  lines: { level: string; msg: string; obj: object }[] = [];
  info(obj: object, msg: string): void {
    this.lines.push({ level: "info", msg, obj });
  }
  warn(obj: object, msg: string): void {
    this.lines.push({ level: "warn", msg, obj });
  }
  error(obj: object, msg: string): void {
    this.lines.push({ level: "error", msg, obj });
  }
}

const text = (...paragraphs: string[]): RichText => ({
  lines: paragraphs.flatMap((p, i) => (i === 0 ? [[{ text: p }]] : [[], [{ text: p }]])),
});

const message = (rich: RichText, buttons: Button[] = []): OutboundMessage => ({ text: rich, buttons });

async function failureOf(promise: Promise<unknown>): Promise<SendFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SendError) return error.failure;
    throw error;
  }
  throw new Error("expected the send to fail");
}

async function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/zalo` };
}

const close = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** Lets deferred webhook processing (setImmediate) and its sends run. */
const settle = (ms = 80): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await settle(10);
  }
}

/** The durable inbound queue on an in-memory database, handing Zalo events to `handlers`. */
function startQueue(handlers: ZaloEventHandlers): { queue: InboundQueue; database: OpenDatabase; stop(): Promise<void> } {
  const database = openDatabase(testDatabase(":memory:"));
  const queue = new InboundQueue({ store: new SqliteInboundStore(database.db), clock: { now: () => new Date() }, logger: new MemoryLogger() });
  queue.register("zalo", zaloEventHandler(handlers));
  queue.start();
  return { queue, database, stop: async () => { await queue.stop(); database.close(); } };
}

let fake: FakeZalo;
beforeAll(async () => {
  fake = await startFakeZalo();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.reset();
});

function clientFor(store: ZaloTokenStore, logger: Logger = new MemoryLogger()): ZaloClient {
  return new ZaloClient({
    appId: fake.appId,
    appSecret: fake.appSecret,
    apiBase: fake.apiBase,
    oauthBase: fake.oauthBase,
    tokens: store,
    logger,
  });
}

function freshStore(): MemoryTokenStore {
  const store = new MemoryTokenStore(fake);
  store.pair = fake.issueTokens();
  return store;
}

// ───────────────────────────── signature ─────────────────────────────

describe("Zalo webhook signature", () => {
  it("is sha256(app_id + raw body + timestamp + OA secret), compared as mac=<hex>", () => {
    const raw = Buffer.from('{"event_name":"follow","timestamp":"1700000000000"}');
    const header = zaloSignatureHeader("app1", raw, "1700000000000", "secret");
    expect(header).toMatch(/^mac=[0-9a-f]{64}$/);
    expect(verifyZaloSignature(header, "app1", raw, "1700000000000", "secret")).toBe(true);
    expect(verifyZaloSignature(header.toUpperCase().replace("MAC=", "mac="), "app1", raw, "1700000000000", "secret")).toBe(true);
    expect(verifyZaloSignature(header, "app1", raw, "1700000000001", "secret")).toBe(false);
    expect(verifyZaloSignature(header, "app1", raw, "1700000000000", "other")).toBe(false);
    expect(verifyZaloSignature(undefined, "app1", raw, "1700000000000", "secret")).toBe(false);
    expect(verifyZaloSignature("mac=abc", "app1", raw, "1700000000000", "secret")).toBe(false);
  });
});

// ───────────────────────────── webhook route ─────────────────────────────

describe("POST /webhooks/zalo (router in a bare express app)", () => {
  let server: Server;
  let url: string;
  const texts: ZaloTextEvent[] = [];
  const follows: string[] = [];
  const unfollows: string[] = [];
  const nonTexts: string[] = [];
  const handlers: ZaloEventHandlers = {
    onText: (e) => void texts.push(e),
    onFollow: (u) => void follows.push(u),
    onUnfollow: (u) => void unfollows.push(u),
    onNonText: (u) => void nonTexts.push(u),
  };
  const processed = () => texts.length + follows.length + unfollows.length + nonTexts.length;
  let inbound: ReturnType<typeof startQueue>;

  beforeAll(async () => {
    inbound = startQueue(handlers);
    const app = express();
    app.use(zaloWebhookRoute({ appId: fake.appId, oaSecretKey: fake.oaSecretKey, inbound: inbound.queue }));
    ({ server, url } = await listen(app));
  });
  afterAll(async () => {
    await close(server);
    await inbound.stop();
  });
  afterEach(() => {
    texts.length = follows.length = unfollows.length = nonTexts.length = 0;
  });

  it("answers a signed text event with 200 and hands it on afterwards", async () => {
    const event = fake.textEvent("u-100", "cho em hỏi chuyển trường", "m-100");
    const res = await fake.postEvent(url, event);
    expect(res.status).toBe(200);
    await until(() => texts.length === 1);
    expect(texts[0]).toEqual({ userId: "u-100", text: "cho em hỏi chuyển trường", msgId: "m-100" });
  });

  it("verifies the raw bytes, not re-serialised JSON", async () => {
    const raw = `{ "app_id": "${fake.appId}",  "event_name" : "user_send_text", "timestamp": "${Date.now()}",
      "sender": {"id": "u-101"}, "message": {"msg_id": "m-101", "text": "Ch\\u00e0o \\u003cb\\u003e"} }`;
    const res = await fake.postEvent(url, JSON.parse(raw) as Record<string, unknown>, { rawBody: raw });
    expect(res.status).toBe(200);
    await until(() => texts.length === 1);
    expect(texts[0]?.text).toBe("Chào <b>");
  });

  it("routes follow, unfollow and media events, and ignores the rest", async () => {
    for (const event of [
      fake.followEvent("u-102"),
      fake.unfollowEvent("u-103"),
      fake.mediaEvent("u-104", "user_send_image"),
      fake.mediaEvent("u-104", "user_send_sticker"),
      fake.mediaEvent("u-104", "user_send_location"),
      { app_id: fake.appId, event_name: "oa_send_text", timestamp: String(Date.now()), sender: { id: fake.oaId }, recipient: { id: "u-1" }, message: { text: "echo", msg_id: "x" } },
      { app_id: fake.appId, event_name: "user_seen_message", timestamp: String(Date.now()), sender: { id: "u-1" } },
    ]) {
      expect((await fake.postEvent(url, event)).status).toBe(200);
    }
    await until(() => processed() === 5);
    await settle();
    expect(follows).toEqual(["u-102"]);
    expect(unfollows).toEqual(["u-103"]);
    expect(nonTexts).toEqual(["u-104", "u-104", "u-104"]);
    expect(texts).toEqual([]);
  });

  it("refuses a wrong or missing signature with 401 and processes nothing", async () => {
    const wrong = await fake.postEvent(url, fake.textEvent("u-105", "xin chào"), { badSignature: true });
    expect(wrong.status).toBe(401);
    const missing = await fake.postEvent(url, fake.textEvent("u-105", "xin chào"), { omitSignature: true });
    expect(missing.status).toBe(401);
    const otherApp = await fake.postEvent(url, fake.textEvent("u-105", "xin chào"), { appId: "someone-else" });
    expect(otherApp.status).toBe(401);
    // Signed for another body: the signature covers the bytes.
    const event = fake.textEvent("u-105", "xin chào");
    const header = zaloSignatureHeader(fake.appId, JSON.stringify(event), String(event.timestamp), fake.oaSecretKey);
    const tampered = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-ZEvent-Signature": header },
      body: JSON.stringify({ ...event, message: { text: "tampered", msg_id: "t" } }),
    });
    expect(tampered.status).toBe(401);
    await settle();
    expect(processed()).toBe(0);
  });

  it("answers 400 to malformed JSON and to events missing their fields", async () => {
    const timestamp = String(Date.now());
    const garbage = await fake.postEvent(url, { timestamp }, { rawBody: `{"timestamp":"${timestamp}", nope` });
    expect(garbage.status).toBe(400);
    const noText = fake.textEvent("u-106", "x");
    delete (noText.message as Record<string, unknown>).text;
    expect((await fake.postEvent(url, noText)).status).toBe(400);
    const noSender = fake.textEvent("u-106", "x");
    delete noSender.sender;
    expect((await fake.postEvent(url, noSender)).status).toBe(400);
    const noName = fake.textEvent("u-106", "x");
    delete noName.event_name;
    expect((await fake.postEvent(url, noName)).status).toBe(400);
    expect((await fake.postEvent(url, { event_name: "follow" }, { rawBody: "[1,2,3]" })).status).toBe(400);
    await settle();
    expect(processed()).toBe(0);
  });

  it("reads the question typed with a link and the caption of a picture or file as text", async () => {
    await fake.postEvent(url, fake.linkEvent("u-110", "thủ tục chuyển trường ở link này là gì", "https://dichvucong.gov.vn/x", "m-110"));
    await fake.postEvent(url, fake.mediaEvent("u-111", "user_send_image", "m-111", "điểm thi lớp 10 xem ở đâu"));
    await fake.postEvent(url, fake.mediaEvent("u-112", "user_send_file", "m-112", "mẫu đơn này nộp ở đâu"));
    await fake.postEvent(url, fake.mediaEvent("u-113", "user_send_image", "m-113", "  "));
    await until(() => processed() === 4);
    expect(texts).toEqual([
      { userId: "u-110", text: "thủ tục chuyển trường ở link này là gì", msgId: "m-110" },
      { userId: "u-111", text: "điểm thi lớp 10 xem ở đâu", msgId: "m-111" },
      { userId: "u-112", text: "mẫu đơn này nộp ở đâu", msgId: "m-112" },
    ]);
    expect(nonTexts).toEqual(["u-113"]);
  });

  it("keeps a 20-digit id exact when Zalo sends it as a bare number", async () => {
    const event = fake.textEvent("18446744073709551615", "xin chào", "m-114");
    const raw = JSON.stringify(event).replace('"id":"18446744073709551615"', '"id": 18446744073709551615');
    expect(raw).toContain('"id": 18446744073709551615');
    expect((await fake.postEvent(url, event, { rawBody: raw })).status).toBe(200);
    await until(() => texts.length === 1);
    expect(texts[0]?.userId).toBe("18446744073709551615");
  });

  it("greets someone who taps Nhắn tin (user_click_chatnow) like a new follower", async () => {
    expect((await fake.postEvent(url, fake.chatNowEvent("u-115"))).status).toBe(200);
    await until(() => follows.length === 1);
    expect(follows).toEqual(["u-115"]);
  });

  it("hands on an anonymous chat's text with an address that names the conversation", async () => {
    await fake.postEvent(url, fake.anonymousTextEvent("anon-116", "conv-116", "học phí năm nay", "m-116"));
    await until(() => texts.length === 1);
    expect(texts[0]).toEqual({ userId: anonymousAddress("anon-116", "conv-116"), text: "học phí năm nay", msgId: "m-116" });
    const noConversation = fake.anonymousTextEvent("anon-117", "c", "x");
    delete (noConversation.message as Record<string, unknown>).conversation_id;
    expect((await fake.postEvent(url, noConversation)).status).toBe(400);
  });

  it("refuses a body over 256 kB", async () => {
    const res = await fake.postEvent(url, fake.textEvent("u-107", "a".repeat(300_000)));
    expect(res.status).toBe(413);
  });

  it("processes the same msg_id once however often Zalo resends it", async () => {
    const event = fake.textEvent("u-108", "điểm thi vào lớp 10", "m-dup-1");
    const answers = await Promise.all([fake.postEvent(url, event), fake.postEvent(url, event)]);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    expect((await fake.postEvent(url, { ...event, timestamp: String(Date.now() + 30_000) })).status).toBe(200);
    await until(() => texts.length >= 1);
    await settle();
    expect(texts.map((t) => t.msgId)).toEqual(["m-dup-1"]);
  });
});

// ───────────────────────────── client and sender ─────────────────────────────

describe("ZaloClient and ZaloSender against the fake Zalo over HTTP", () => {
  it("sends plain text with oa.query.hide buttons (the payload is not echoed) and returns Zalo's message id", async () => {
    const sender = new ZaloSender(clientFor(freshStore()));
    const rich: RichText = { lines: [[{ text: "Chuyển trường", bold: true }, { text: " — xem " }, { text: "cổng", href: "https://dvc.example.vn" }]] };
    const result = await sender.send("u-200", message(rich, [{ label: "Danh sách dịch vụ", payload: "#dvc.list" }]));
    const [sent] = fake.sentTo("u-200");
    expect(result.providerMessageId).toBe(sent?.messageId);
    expect(sent?.text).toBe("Chuyển trường — xem cổng (https://dvc.example.vn)");
    expect(sent?.buttons).toEqual([{ title: "Danh sách dịch vụ", type: "oa.query.hide", payload: "#dvc.list" }]);
  });

  it("refreshes once on -220 (access token expired or removed) and retries the send", async () => {
    const store = freshStore();
    const client = clientFor(store);
    fake.expireAccessTokens(-220);
    await new ZaloSender(client).send("u-220", message(text("Xin chào")));
    expect(fake.counters.expiredToken).toBe(1);
    expect(fake.counters.refreshes).toBe(1);
    expect(fake.sentTo("u-220")).toHaveLength(1);
    expect(fake.sentTo("u-220")[0]?.accessToken).toBe(store.pair?.accessToken);
    expect(client.health()).toBe("ok");
  });

  it("maps -244 (the user restricted this type of message) to unreachable", async () => {
    const sender = new ZaloSender(clientFor(freshStore()));
    fake.restricted("u-244");
    expect(await failureOf(sender.send("u-244", message(text("x"))))).toMatchObject({ kind: "unreachable" });
  });

  it("answers an anonymous chat through the anonymous endpoint, text only", async () => {
    const sender = new ZaloSender(clientFor(freshStore()));
    await sender.send(anonymousAddress("anon-1", "conv-1"), message(text("Dạ, học phí…"), [{ label: "Menu", payload: "#menu" }]));
    expect(fake.sent).toHaveLength(1);
    expect(fake.sent[0]).toMatchObject({ userId: "anon-1", conversationId: "conv-1", text: "Dạ, học phí…", buttons: [] });
  });

  it("refreshes an expired token once, saves the new pair first, and retries the send", async () => {
    const store = freshStore();
    const first = store.pair as TokenPair;
    const client = clientFor(store);
    fake.expireAccessTokens();
    await new ZaloSender(client).send("u-201", message(text("Xin chào")));
    expect(fake.counters.invalidToken).toBe(1);
    expect(fake.counters.refreshes).toBe(1);
    expect(store.saves).toHaveLength(1);
    expect(store.usedBeforeSaved).toBe(0);
    expect(fake.sentTo("u-201")[0]?.accessToken).toBe(store.pair?.accessToken);
    expect(store.pair?.refreshToken).not.toBe(first.refreshToken);
    expect(store.pair?.expiresAt).toBeGreaterThan(Date.now() + 24 * 3600_000);
    expect(client.health()).toBe("ok");
    // The refresh token was single-use: a second refresh with the old one is refused by the fake.
    const reuse = await fetch(`${fake.oauthBase}/v4/oa/access_token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", secret_key: fake.appSecret },
      body: new URLSearchParams({ app_id: fake.appId, grant_type: "refresh_token", refresh_token: first.refreshToken }),
    });
    expect(await reuse.json()).toMatchObject({ error: -14014 });
  });

  it("refreshes ahead of a known expiry without a failed send", async () => {
    const store = freshStore();
    store.pair = { ...(store.pair as TokenPair), expiresAt: Date.now() + 60_000 };
    await new ZaloSender(clientFor(store)).send("u-202", message(text("Xin chào")));
    expect(fake.counters.invalidToken).toBe(0);
    expect(fake.counters.refreshes).toBe(1);
    expect(store.usedBeforeSaved).toBe(0);
  });

  it("refreshes once when several sends race on an expired token (-216)", async () => {
    const store = freshStore();
    const sender = new ZaloSender(clientFor(store));
    fake.expireAccessTokens();
    fake.refreshDelayMs = 100;
    await Promise.all(["u-203", "u-204", "u-205", "u-206"].map((u) => sender.send(u, message(text(`Chào ${u}`)))));
    expect(fake.counters.refreshes).toBe(1);
    expect(fake.counters.refreshFailures).toBe(0);
    expect(fake.sent).toHaveLength(4);
    expect(store.saves).toHaveLength(1);
    expect(store.usedBeforeSaved).toBe(0);
  });

  it("refreshes once when several sends race on a token known to expire", async () => {
    const store = freshStore();
    store.pair = { ...(store.pair as TokenPair), expiresAt: Date.now() - 1000 };
    fake.expireAccessTokens();
    fake.refreshDelayMs = 100;
    const sender = new ZaloSender(clientFor(store));
    await Promise.all([sender.send("u-207", message(text("một"))), sender.send("u-208", message(text("hai")))]);
    expect(fake.counters.refreshes).toBe(1);
    expect(fake.counters.invalidToken).toBe(0);
    expect(fake.sent.map((m) => m.userId).sort()).toEqual(["u-207", "u-208"]);
  });

  it("sends a long answer as several plain-text messages of at most 2,000 characters, buttons on the last", async () => {
    const paragraphs = Array.from({ length: 14 }, (_, i) => `Đoạn ${i + 1}: ${"Phụ huynh nộp hồ sơ trên cổng dịch vụ công. ".repeat(9)}`);
    const rich: RichText = {
      lines: paragraphs.flatMap((p, i) => [
        ...(i === 0 ? [] : [[]]),
        [{ text: "Bước & lưu ý", bold: true }, { text: ` ${p}` }, { text: "cổng", href: "https://dvc.example.vn/?a=1&b=2" }],
      ]),
    };
    const buttons = Array.from({ length: 7 }, (_, i) => ({ label: `Chủ đề ${i + 1}`, payload: `#topic.${i + 1}` }));
    await new ZaloSender(clientFor(freshStore())).send("u-209", message(rich, buttons));
    const sent = fake.sentTo("u-209");
    const textPieces = sent.filter((m) => m.text !== "…");
    expect(textPieces.length).toBeGreaterThanOrEqual(3);
    for (const m of sent) {
      expect([...m.text].length).toBeLessThanOrEqual(2000);
      expect(m.text).not.toMatch(/<\/?[a-z][^>]*>|&amp;|\*\*/i);
    }
    // Cut between paragraphs: every piece starts with a paragraph's beginning.
    for (const m of textPieces) expect(m.text.startsWith("Bước & lưu ý Đoạn")).toBe(true);
    expect(textPieces.map((m) => m.text).join("\n\n")).toBe(toPlainText(rich));
    // Buttons ride on the last text piece, five at most; the rest follow in one more message.
    expect(textPieces.slice(0, -1).every((m) => m.buttons.length === 0)).toBe(true);
    expect(textPieces.at(-1)?.buttons.map((b) => b.payload)).toEqual(["#topic.1", "#topic.2", "#topic.3", "#topic.4", "#topic.5"]);
    expect(sent.at(-1)?.text).toBe("…");
    expect(sent.at(-1)?.buttons.map((b) => b.payload)).toEqual(["#topic.6", "#topic.7"]);
  });

  it("maps -230 and -232 to window_closed", async () => {
    const sender = new ZaloSender(clientFor(freshStore()));
    fake.outsideWindow("u-210");
    expect(await failureOf(sender.send("u-210", message(text("Nhắc lịch"))))).toMatchObject({ kind: "window_closed" });
    fake.outsideWindow("u-211", -232);
    expect(await failureOf(sender.send("u-211", message(text("Nhắc lịch"))))).toMatchObject({ kind: "window_closed" });
    expect(fake.sent).toHaveLength(0);
  });

  it("maps -213 (not following) and -227 (inactive) to unreachable", async () => {
    const sender = new ZaloSender(clientFor(freshStore()));
    fake.notFollowing("u-212");
    const notFollowing = await failureOf(sender.send("u-212", message(text("x"))));
    expect(notFollowing).toMatchObject({ kind: "unreachable" });
    expect(notFollowing.description).toContain("-213");
    fake.inactive("u-213");
    expect(await failureOf(sender.send("u-213", message(text("x"))))).toMatchObject({ kind: "unreachable" });
  });

  it("maps the per-minute limit (-32) to rate_limited with a one-minute wait", async () => {
    const sender = new ZaloSender(clientFor(freshStore()));
    fake.rateLimit(2);
    await sender.send("u-214", message(text("1")));
    await sender.send("u-214", message(text("2")));
    const failure = await failureOf(sender.send("u-214", message(text("3"))));
    expect(failure).toEqual({ kind: "rate_limited", retryAfterMs: 60_000, description: expect.stringContaining("-32") });
    expect(fake.counters.rateLimited).toBe(1);
  });

  it("maps other codes to bad_request with Zalo's message, and HTTP or network failures apart", async () => {
    const store = freshStore();
    const sender = new ZaloSender(clientFor(store));
    fake.failNext(-201, 1, "Parameters are invalid: something");
    const bad = await failureOf(sender.send("u-215", message(text("x"))));
    expect(bad).toEqual({ kind: "bad_request", description: "Zalo error -201: Parameters are invalid: something" });
    fake.failNextHttp(502);
    expect(await failureOf(sender.send("u-215", message(text("x"))))).toMatchObject({ kind: "server", status: 502 });
    const offline = new ZaloClient({
      appId: fake.appId,
      appSecret: fake.appSecret,
      apiBase: "http://127.0.0.1:9",
      oauthBase: "http://127.0.0.1:9",
      tokens: store,
      timeoutMs: 2000,
    });
    expect(await failureOf(new ZaloSender(offline).send("u-215", message(text("x"))))).toMatchObject({ kind: "network" });
  });

  it("gives token_invalid when a refreshed token is refused again", async () => {
    const sender = new ZaloSender(clientFor(freshStore()));
    fake.failNext(-216, 2);
    expect(await failureOf(sender.send("u-216", message(text("x"))))).toMatchObject({ kind: "token_invalid" });
    expect(fake.counters.refreshes).toBe(1);
    expect(fake.counters.messageRequests).toBe(2);
  });

  it("turns degraded when the refresh is refused, fails fast, and recovers when a new pair is stored", async () => {
    const store = freshStore();
    const logger = new MemoryLogger();
    const client = clientFor(store, logger);
    const sender = new ZaloSender(client);
    fake.expireAccessTokens();
    fake.revokeRefreshTokens();
    const failure = await failureOf(sender.send("u-217", message(text("x"))));
    expect(failure.kind).toBe("token_invalid");
    expect(client.health()).toBe("degraded");
    expect(client.healthReason()).toMatch(/refused/);
    expect(logger.lines.some((l) => l.level === "error" && /REJECTED/.test(l.msg))).toBe(true);
    expect(JSON.stringify(logger.lines)).not.toContain(store.pair?.refreshToken as string);

    const before = { ...fake.counters };
    for (let i = 0; i < 3; i++) {
      expect(await failureOf(sender.send("u-217", message(text("x"))))).toMatchObject({ kind: "token_invalid" });
    }
    expect(fake.counters.messageRequests).toBe(before.messageRequests);
    expect(fake.counters.refreshFailures).toBe(before.refreshFailures);

    store.pair = fake.issueTokens(); // an operator stored a newly authorised pair
    await sender.send("u-217", message(text("lại được rồi")));
    expect(client.health()).toBe("ok");
    expect(fake.sentTo("u-217").map((m) => m.text)).toEqual(["lại được rồi"]);
  });

  it("keeps a refreshed pair it could not save, shows degraded, and saves it on the next send", async () => {
    const store = freshStore();
    const client = clientFor(store);
    const sender = new ZaloSender(client);
    fake.expireAccessTokens();
    store.failSaves = 1;
    await sender.send("u-218", message(text("một")));
    expect(client.health()).toBe("degraded");
    expect(store.saves).toHaveLength(0);
    await sender.send("u-218", message(text("hai")));
    expect(client.health()).toBe("ok");
    expect(store.saves).toHaveLength(1);
    expect(fake.counters.refreshes).toBe(1);
    expect(fake.sentTo("u-218").every((m) => m.accessToken === store.pair?.accessToken)).toBe(true);
  });

  it("starts from the configured pair when the store is empty", async () => {
    const store = new MemoryTokenStore(fake);
    const initial = fake.issueTokens();
    const client = new ZaloClient({
      appId: fake.appId,
      appSecret: fake.appSecret,
      apiBase: fake.apiBase,
      oauthBase: fake.oauthBase,
      tokens: store,
      initialTokens: { accessToken: initial.accessToken, refreshToken: initial.refreshToken },
    });
    await client.sendText("u-219", "xin chào");
    expect(fake.sentTo("u-219")[0]?.accessToken).toBe(initial.accessToken);
    fake.expireAccessTokens();
    await client.sendText("u-219", "lần hai");
    expect(store.saves).toHaveLength(1);
    const empty = clientFor(new MemoryTokenStore(fake));
    await expect(empty.sendText("u-219", "x")).rejects.toThrow(/no Zalo access token/);
    expect(empty.health()).toBe("degraded");
  });
});

// ───────────────────────────── ZaloChannel end to end (with a stub conversation) ─────────────────────────────

describe("ZaloChannel: signed webhook → conversation → reply through the real client", () => {
  let server: Server;
  let url: string;
  let store: MemoryTokenStore;
  const events: InboundEvent[] = [];
  const inbound: { userId: string; at: Date }[] = [];
  const unreachable: string[] = [];
  const unfollowed: string[] = [];
  let queued: ReturnType<typeof startQueue>;

  /** A tiny stand-in for Conversation: /start greets with the menu, anything else is echoed at length. */
  const conversation = {
    async handle(event: InboundEvent): Promise<Reply> {
      events.push(event);
      if (event.text === "/start") {
        const menu = Array.from({ length: 11 }, (_, i) => ({ label: `Mục ${i + 1}`, payload: `#menu.${i + 1}` }));
        return { messages: [{ text: text("Xin chào! Trợ lý Sở GDĐT."), buttons: menu }], intent: "greeting", confidence: 1, locale: "vi" };
      }
      const long = Array.from({ length: 6 }, (_, i) => `Phần ${i + 1} về: ${event.text}. ${"Nội dung hướng dẫn. ".repeat(25)}`);
      return { messages: [{ text: text(...long), buttons: [{ label: "Menu", payload: "#menu" }] }], intent: "echo", confidence: 1, locale: "vi" };
    },
  };

  beforeAll(async () => {
    store = new MemoryTokenStore(fake);
    const translator = await I18nTranslator.load(join(import.meta.dirname, "..", "locales"), "vi");
    const channel = new ZaloChannel({
      sender: new ZaloSender(clientFor(store)),
      conversation,
      translator,
      clock: { now: () => new Date() },
      logger: new MemoryLogger(),
      defaultLocale: "vi",
      recordInbound: (userId, at) => void inbound.push({ userId, at }),
      markUnreachable: (userId) => void unreachable.push(userId),
      markUnfollowed: (userId) => void unfollowed.push(userId),
      sleep: async () => {},
    });
    queued = startQueue(channel.handlers());
    const app = express();
    app.use(zaloWebhookRoute({ appId: fake.appId, oaSecretKey: fake.oaSecretKey, inbound: queued.queue }));
    app.use(express.json());
    ({ server, url } = await listen(app));
  });
  beforeEach(() => {
    store.pair = fake.issueTokens();
  });
  afterAll(async () => {
    await close(server);
    await queued.stop();
  });

  it("answers a question as channel zalo, address = user id, in several ≤2,000-char messages", async () => {
    const res = await fake.postEvent(url, fake.textEvent("z-300", "chuyen truong cap 3"));
    expect(res.status).toBe(200);
    await fake.waitForSent((m) => m.userId === "z-300" && m.buttons.length > 0);
    const event = events.find((e) => e.address === "z-300");
    expect(event).toMatchObject({ channel: "zalo", address: "z-300", text: "chuyen truong cap 3", kind: "text" });
    expect(inbound.some((i) => i.userId === "z-300")).toBe(true);
    const sent = fake.sentTo("z-300");
    expect(sent.length).toBeGreaterThan(1);
    for (const m of sent) expect([...m.text].length).toBeLessThanOrEqual(2000);
    expect(sent.at(-1)?.buttons).toEqual([{ title: "Menu", type: "oa.query.hide", payload: "#menu" }]);
  });

  it("welcomes a new follower with /start in ONE message: four topics and the whole menu behind the fifth", async () => {
    await fake.postEvent(url, fake.followEvent("z-301"));
    await fake.waitForSent((m) => m.userId === "z-301");
    await settle(150);
    expect(events.filter((e) => e.address === "z-301").map((e) => e.text)).toEqual(["/start"]);
    const sent = fake.sentTo("z-301");
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toBe("Xin chào! Trợ lý Sở GDĐT.");
    expect(sent[0]?.buttons.map((b) => b.payload)).toEqual(["#menu.1", "#menu.2", "#menu.3", "#menu.4", "#menu"]);
    expect(sent[0]?.buttons.at(-1)?.title).toBe("Danh mục chủ đề");
    expect(inbound.some((i) => i.userId === "z-301")).toBe(true);
  });

  it("answers the question typed with a link, and a picture's caption, as questions", async () => {
    await fake.postEvent(url, fake.linkEvent("z-310", "hồ sơ tuyển sinh lớp 6", "https://example.vn/a"));
    await fake.postEvent(url, fake.mediaEvent("z-311", "user_send_image", undefined, "tra cứu văn bằng"));
    await fake.waitForSent((m) => m.userId === "z-310" && m.buttons.length > 0);
    await fake.waitForSent((m) => m.userId === "z-311" && m.buttons.length > 0);
    expect(events.find((e) => e.address === "z-310")?.text).toBe("hồ sơ tuyển sinh lớp 6");
    expect(events.find((e) => e.address === "z-311")?.text).toBe("tra cứu văn bằng");
    expect([...fake.sentTo("z-310"), ...fake.sentTo("z-311")].some((m) => m.text.includes("chỉ đọc được"))).toBe(false);
  });

  it("welcomes someone who taps Nhắn tin (user_click_chatnow)", async () => {
    await fake.postEvent(url, fake.chatNowEvent("z-312"));
    const reply = await fake.waitForSent((m) => m.userId === "z-312");
    expect(reply.text).toBe("Xin chào! Trợ lý Sở GDĐT.");
    expect(inbound.some((i) => i.userId === "z-312")).toBe(true);
  });

  it("replies to a 20-digit sender id sent as a bare number, to exactly that id", async () => {
    const event = fake.textEvent("18446744073709551615", "xin chào", "z-big");
    const raw = JSON.stringify(event).replace('"id":"18446744073709551615"', '"id":18446744073709551615');
    await fake.postEvent(url, event, { rawBody: raw });
    const reply = await fake.waitForSent((m) => m.text.includes("xin chào"));
    expect(reply.userId).toBe("18446744073709551615");
  });

  it("answers an anonymous chat in its conversation", async () => {
    await fake.postEvent(url, fake.anonymousTextEvent("anon-313", "conv-313", "học phí"));
    const reply = await fake.waitForSent((m) => m.userId === "anon-313");
    expect(reply.conversationId).toBe("conv-313");
    expect(events.find((e) => e.text === "học phí")?.address).toBe(anonymousAddress("anon-313", "conv-313"));
  });

  it("marks a user who restricted this type of message (-244) unreachable", async () => {
    fake.restricted("z-314");
    await fake.postEvent(url, fake.textEvent("z-314", "còn đó không"));
    await until(() => unreachable.includes("z-314"));
    expect(fake.sentTo("z-314")).toHaveLength(0);
  });

  it("says politely that it reads text only when sent a sticker", async () => {
    await fake.postEvent(url, fake.mediaEvent("z-302", "user_send_sticker"));
    const reply = await fake.waitForSent((m) => m.userId === "z-302");
    expect(reply.text).toContain("chỉ đọc được tin nhắn văn bản");
    expect(events.some((e) => e.address === "z-302")).toBe(false);
  });

  it("answers one msg_id once, and nothing for a bad signature", async () => {
    const event = fake.textEvent("z-303", "hỏi lại", "z-dup");
    await Promise.all([fake.postEvent(url, event), fake.postEvent(url, event)]);
    await fake.waitForSent((m) => m.userId === "z-303" && m.buttons.length > 0);
    await settle(150);
    expect(events.filter((e) => e.address === "z-303")).toHaveLength(1);
    const count = fake.sentTo("z-303").length;
    expect((await fake.postEvent(url, event)).status).toBe(200);
    expect((await fake.postEvent(url, fake.textEvent("z-304", "giả mạo"), { badSignature: true })).status).toBe(401);
    await settle(150);
    expect(fake.sentTo("z-303")).toHaveLength(count);
    expect(fake.sentTo("z-304")).toHaveLength(0);
    expect(events.some((e) => e.address === "z-304")).toBe(false);
  });

  it("marks a user who no longer follows unreachable, and records an unfollow", async () => {
    fake.notFollowing("z-305");
    await fake.postEvent(url, fake.textEvent("z-305", "còn đó không"));
    await until(() => unreachable.includes("z-305"));
    await fake.postEvent(url, fake.unfollowEvent("z-306"));
    await until(() => unfollowed.includes("z-306"));
    expect(fake.sentTo("z-306")).toHaveLength(0);
  });

  it("waits out a -32 and delivers the reply", async () => {
    fake.failNext(-32, 1);
    await fake.postEvent(url, fake.textEvent("z-307", "điểm thi"));
    await fake.waitForSent((m) => m.userId === "z-307" && m.buttons.length > 0);
    expect(fake.counters.rateLimited).toBe(1);
  });
});
