import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeTelegram, type FakeTelegram } from "./fake-telegram.js";

interface Envelope {
  ok: boolean;
  result?: unknown;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
}

let fake: FakeTelegram;

beforeEach(async () => {
  fake = await startFakeTelegram({ username: "sogd_test_bot" });
});

afterEach(async () => {
  await fake.stop();
});

async function call(method: string, body?: Record<string, unknown>, token = fake.token): Promise<{ status: number; json: Envelope }> {
  const res = await fetch(`${fake.apiRoot}/bot${token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  return { status: res.status, json: (await res.json()) as Envelope };
}

function resultOf(envelope: Envelope): Record<string, unknown> {
  const { result } = envelope;
  if (typeof result !== "object" || result === null || Array.isArray(result)) throw new Error("result is not an object");
  return result as Record<string, unknown>;
}

function updatesOf(envelope: Envelope): { update_id: number }[] {
  if (!Array.isArray(envelope.result)) throw new Error("result is not an array");
  return envelope.result as { update_id: number }[];
}

describe("envelopes and routing", () => {
  it("answers getMe with the bot user", async () => {
    const { status, json } = await call("getMe");
    expect(status).toBe(200);
    expect(json.ok).toBe(true);
    expect(json.result).toMatchObject({ is_bot: true, username: "sogd_test_bot", can_join_groups: true, supports_inline_queries: false });
    expect(resultOf(json).id).toBe(Number(fake.token.split(":")[0]));
  });

  it("rejects an unknown token with 401 and an unknown method with 404", async () => {
    const bad = await call("getMe", {}, "42:nope");
    expect(bad).toEqual({ status: 401, json: { ok: false, error_code: 401, description: "Unauthorized" } });
    const missing = await call("sendTelepathy");
    expect(missing).toEqual({ status: 404, json: { ok: false, error_code: 404, description: "Not Found" } });
    const offRoute = await fetch(`${fake.apiRoot}/nothing`);
    expect(offRoute.status).toBe(404);
  });

  it("accepts query strings and urlencoded forms, method names case-insensitively", async () => {
    const viaQuery = await fetch(`${fake.apiRoot}/bot${fake.token}/sendmessage?chat_id=7&text=hi`);
    expect(viaQuery.status).toBe(200);
    const viaForm = await fetch(`${fake.apiRoot}/bot${fake.token}/sendMessage`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ chat_id: "7", text: "<b>yo</b>", parse_mode: "HTML", reply_markup: JSON.stringify({ inline_keyboard: [[{ text: "A", callback_data: "a" }]] }) }),
    });
    const json = (await viaForm.json()) as Envelope;
    expect(json.result).toMatchObject({ message_id: 2, chat: { id: 7, type: "private" }, text: "yo", entities: [{ type: "bold", offset: 0, length: 2 }] });
    expect(fake.sent.map((m) => m.visibleText)).toEqual(["hi", "yo"]);
    expect(fake.sent[1]?.replyMarkup?.inline_keyboard?.[0]?.[0]?.callback_data).toBe("a");
    expect(fake.requests.map((r) => r.method)).toEqual(["sendmessage", "sendMessage"]);
  });

  it("validates chat_id and text", async () => {
    expect(await call("sendMessage", { text: "hi" })).toEqual({
      status: 400,
      json: { ok: false, error_code: 400, description: "Bad Request: chat_id is empty" },
    });
    const empty = await call("sendMessage", { chat_id: 1, text: "" });
    expect(empty.json.description).toBe("Bad Request: message text is empty");
    const blank = await call("sendMessage", { chat_id: 1, text: "<b> </b>", parse_mode: "HTML" });
    expect(blank.json.description).toBe("Bad Request: message text is empty");
    expect(fake.sent).toHaveLength(0);
  });

  it("returns realistic messages with ids increasing per chat", async () => {
    const first = resultOf((await call("sendMessage", { chat_id: 10, text: "one" })).json);
    const second = resultOf((await call("sendMessage", { chat_id: 10, text: "two" })).json);
    const other = resultOf((await call("sendMessage", { chat_id: 11, text: "three" })).json);
    expect([first.message_id, second.message_id, other.message_id]).toEqual([1, 2, 1]);
    expect(first.from).toEqual(fake.botUser);
    expect(typeof first.date).toBe("number");
  });
});

describe("getUpdates", () => {
  it("long-polls until an update is pushed", async () => {
    const started = Date.now();
    const poll = call("getUpdates", { timeout: 10 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const pushed = fake.pushUpdate(fake.textUpdate(5, "/start"));
    const { json } = await poll;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(updatesOf(json)).toEqual([pushed]);
    expect(json.result).toMatchObject([
      { message: { text: "/start", from: { id: 5, is_bot: false, language_code: "vi" }, entities: [{ type: "bot_command", offset: 0, length: 6 }] } },
    ]);
  });

  it("returns an empty list when the timeout passes", async () => {
    const started = Date.now();
    const { json } = await call("getUpdates", { timeout: 1 });
    expect(json.result).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("confirms updates below the offset and honours limit", async () => {
    const ids = [1, 2, 3].map((n) => fake.pushUpdate(fake.textUpdate(5, `m${n}`)).update_id);
    const limited = updatesOf((await call("getUpdates", { limit: 2 })).json);
    expect(limited.map((u) => u.update_id)).toEqual(ids.slice(0, 2));
    const again = updatesOf((await call("getUpdates", {})).json);
    expect(again).toHaveLength(3); // nothing confirmed yet
    const rest = updatesOf((await call("getUpdates", { offset: (ids[1] ?? 0) + 1 })).json);
    expect(rest.map((u) => u.update_id)).toEqual([ids[2]]);
    expect(fake.pendingUpdates).toHaveLength(1);
    await call("getUpdates", { offset: (ids[2] ?? 0) + 1 });
    expect(fake.pendingUpdates).toHaveLength(0);
  });

  it("keeps an explicit update_id and conflicts with an active webhook", async () => {
    expect(fake.pushUpdate({ ...fake.textUpdate(5, "x"), update_id: 99 }).update_id).toBe(99);
    expect(fake.pushUpdate(fake.textUpdate(5, "y")).update_id).toBeGreaterThan(99);
    await call("setWebhook", { url: "https://bot.example.test/hook", secret_token: "s3cret" });
    const { status, json } = await call("getUpdates");
    expect(status).toBe(409);
    expect(json.description).toMatch(/^Conflict: can't use getUpdates method while webhook is active/);
  });
});

describe("HTML parse mode", () => {
  const send = (text: string): Promise<{ status: number; json: Envelope }> =>
    call("sendMessage", { chat_id: 3, text, parse_mode: "HTML" });

  it("accepts valid markup and records the visible text", async () => {
    const html = '<b>Bold</b> <i>it</i> &lt;tag&gt; &amp; &quot;q&quot; &#65;&#x42; <a href="https://x.test/?a=1&amp;b=2">link</a> <span class="tg-spoiler">s</span> <pre><code class="language-ts">x</code></pre>';
    const { status, json } = await send(html);
    expect(status).toBe(200);
    const visible = 'Bold it <tag> & "q" AB link s x';
    expect(resultOf(json).text).toBe(visible);
    expect(fake.sent[0]).toMatchObject({ text: html, parseMode: "HTML", visibleText: visible, method: "sendMessage", chatId: 3 });
    expect(resultOf(json).entities).toEqual([
      { type: "bold", offset: 0, length: 4 },
      { type: "italic", offset: 5, length: 2 },
      { type: "text_link", offset: 23, length: 4, url: "https://x.test/?a=1&b=2" },
      { type: "spoiler", offset: 28, length: 1 },
      { type: "pre", offset: 30, length: 1, language: "ts" },
    ]);
  });

  it("rejects unsupported tags, bare '<' and '&', and broken nesting", async () => {
    const cases: [string, RegExp][] = [
      ["<div>x</div>", /^Bad Request: can't parse entities: Unsupported start tag "div" at byte offset 0$/],
      ["Xin chào <br> bạn", /Unsupported start tag "br" at byte offset 10$/],
      ["1 < 2", /Unsupported start tag "" at byte offset 2$/],
      ["Tom & Jerry", /can't parse entities: Character "&" at byte offset 4/],
      ["&nbsp;", /can't parse entities: Character "&"/],
      ["<b>bold", /Can't find end tag corresponding to start tag "b"/],
      ["<b><i>x</b></i>", /Unmatched end tag at byte offset 7, expected "<\/i>", found "<\/b>"/],
      ["x</b>", /Unexpected end tag at byte offset 1/],
      ['<span class="x">y</span>', /Tag "span" must have class "tg-spoiler"/],
    ];
    for (const [text, expected] of cases) {
      const { status, json } = await send(text);
      expect(status, text).toBe(400);
      expect(json.error_code).toBe(400);
      expect(json.description, text).toMatch(expected);
    }
    expect(fake.sent).toHaveLength(0);
  });

  it("counts length after entity parsing, in UTF-16 code units", async () => {
    expect((await send(`<b>${"a".repeat(4096)}</b>`)).status).toBe(200);
    expect((await send("&lt;".repeat(4096))).status).toBe(200); // 16384 raw characters, 4096 visible
    const tooLong = await send(`<i>${"&amp;".repeat(4097)}</i>`);
    expect(tooLong).toEqual({ status: 400, json: { ok: false, error_code: 400, description: "Bad Request: message is too long" } });
    const emoji = await call("sendMessage", { chat_id: 3, text: "😀".repeat(2049) }); // 4098 UTF-16 units
    expect(emoji.json.description).toBe("Bad Request: message is too long");
  });
});

describe("faults", () => {
  it("answers 403 for a blocked chat", async () => {
    fake.blockChat(77);
    const { status, json } = await call("sendMessage", { chat_id: 77, text: "hello" });
    expect(status).toBe(403);
    expect(json).toEqual({ ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" });
    expect((await call("sendMessage", { chat_id: 78, text: "hello" })).status).toBe(200);
    expect(fake.counters.forbidden).toBe(1);
  });

  it("rate-limits sendMessage with 429 and retry_after", async () => {
    fake.rateLimit({ perSecond: 2 });
    const statuses: number[] = [];
    let limited: Envelope | undefined;
    for (let i = 0; i < 4; i += 1) {
      const { status, json } = await call("sendMessage", { chat_id: 1, text: `n${i}` });
      statuses.push(status);
      if (status === 429) limited = json;
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
    expect(limited).toEqual({ ok: false, error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } });
    expect(fake.counters.tooManyRequests).toBe(2);
    expect(fake.sent).toHaveLength(2);
  });

  it("injects failures for the next calls of a method", async () => {
    fake.failNext("sendMessage", { status: 429, description: "Too Many Requests: retry after 7", retryAfter: 7 });
    fake.failNext("getMe", { status: 500, description: "Internal Server Error" }, 2);
    const limited = await call("sendMessage", { chat_id: 1, text: "x" });
    expect(limited.status).toBe(429);
    expect(limited.json.parameters).toEqual({ retry_after: 7 });
    expect((await call("sendMessage", { chat_id: 1, text: "x" })).status).toBe(200);
    expect((await call("getMe")).status).toBe(500);
    expect((await call("getMe")).status).toBe(500);
    expect((await call("getMe")).status).toBe(200);
    expect(fake.counters.tooManyRequests).toBe(1);
  });

  it("rejects callback_data over 64 bytes of UTF-8", async () => {
    const markup = (data: string): Record<string, unknown> => ({ inline_keyboard: [[{ text: "Go", callback_data: data }]] });
    const ok = await call("sendMessage", { chat_id: 1, text: "x", reply_markup: markup("a".repeat(64)) });
    expect(ok.status).toBe(200);
    expect(resultOf(ok.json).reply_markup).toEqual(markup("a".repeat(64)));
    const tooLong = await call("sendMessage", { chat_id: 1, text: "x", reply_markup: markup("a".repeat(65)) });
    expect(tooLong).toEqual({ status: 400, json: { ok: false, error_code: 400, description: "Bad Request: BUTTON_DATA_INVALID" } });
    const vietnamese = "đ".repeat(33); // 33 characters, 66 bytes
    expect((await call("sendMessage", { chat_id: 1, text: "x", reply_markup: markup(vietnamese) })).json.description).toBe(
      "Bad Request: BUTTON_DATA_INVALID",
    );
    expect(fake.sent).toHaveLength(1);
  });
});

describe("other methods and test helpers", () => {
  it("edits messages and refuses no-op edits", async () => {
    const keyboard = { inline_keyboard: [[{ text: "Yes", callback_data: "y" }]] };
    const sent = resultOf((await call("sendMessage", { chat_id: 9, text: "Pick", reply_markup: keyboard })).json);
    const edited = await call("editMessageText", { chat_id: 9, message_id: sent.message_id, text: "<b>Picked</b>", parse_mode: "HTML" });
    expect(edited.json.result).toMatchObject({ text: "Picked", message_id: sent.message_id });
    expect(resultOf(edited.json).reply_markup).toBeUndefined(); // no reply_markup → keyboard removed
    const again = await call("editMessageText", { chat_id: 9, message_id: sent.message_id, text: "<b>Picked</b>", parse_mode: "HTML" });
    expect(again.json.description).toMatch(/^Bad Request: message is not modified/);
    const markup = await call("editMessageReplyMarkup", { chat_id: 9, message_id: sent.message_id, reply_markup: keyboard });
    expect(markup.status).toBe(200);
    expect((await call("editMessageText", { chat_id: 9, message_id: 999, text: "x" })).json.description).toBe(
      "Bad Request: message to edit not found",
    );
    expect(fake.sent.map((m) => m.method)).toEqual(["sendMessage", "editMessageText", "editMessageReplyMarkup"]);
  });

  it("builds callback updates and records answers once", async () => {
    await call("sendMessage", { chat_id: 4, text: "Menu" });
    const update = fake.callbackUpdate(4, "menu:1");
    expect(update.callback_query).toMatchObject({ data: "menu:1", from: { id: 4, is_bot: false }, message: { message_id: 1, text: "Menu" } });
    expect(typeof update.callback_query.chat_instance).toBe("string");
    const id = update.callback_query.id;
    expect((await call("answerCallbackQuery", { callback_query_id: id, text: "Done" })).status).toBe(200);
    expect(fake.answeredCallbacks).toEqual([{ callbackQueryId: id, text: "Done", showAlert: false, url: undefined, cacheTime: undefined }]);
    const twice = await call("answerCallbackQuery", { callback_query_id: id });
    expect(twice.json.description).toMatch(/query is too old/);
  });

  it("stores commands per scope and language, webhook, menu button and chat actions", async () => {
    await call("setMyCommands", { commands: [{ command: "start", description: "Bắt đầu" }], language_code: "vi" });
    await call("setMyCommands", { commands: [{ command: "help", description: "Help" }], scope: { type: "all_private_chats" } });
    expect(fake.commands).toHaveLength(2);
    expect((await call("getMyCommands", { language_code: "vi" })).json.result).toEqual([{ command: "start", description: "Bắt đầu" }]);
    expect((await call("getMyCommands")).json.result).toEqual([]);
    expect((await call("setMyCommands", { commands: [{ command: "Bad Command", description: "x" }] })).json.description).toBe(
      "Bad Request: BOT_COMMAND_INVALID",
    );

    const http = await call("setWebhook", { url: "http://insecure.test/hook" });
    expect(http.json.description).toBe("Bad Request: bad webhook: An HTTPS URL must be provided for webhook");
    const set = await call("setWebhook", { url: "https://bot.example.test/hook", secret_token: "abc_123" });
    expect(set.json).toEqual({ ok: true, result: true, description: "Webhook was set" });
    expect(fake.webhook).toEqual({ url: "https://bot.example.test/hook", secretToken: "abc_123" });
    expect((await call("getWebhookInfo")).json.result).toMatchObject({ url: "https://bot.example.test/hook", pending_update_count: 0 });
    expect((await call("deleteWebhook")).json.description).toBe("Webhook was deleted");
    expect(fake.webhook.url).toBe("");

    expect((await call("setChatMenuButton", { menu_button: { type: "commands" } })).json.result).toBe(true);
    expect(fake.menuButtons.get("default")).toEqual({ type: "commands" });
    expect((await call("sendChatAction", { chat_id: 4, action: "typing" })).json.result).toBe(true);
    expect((await call("sendChatAction", { chat_id: 4, action: "dancing" })).status).toBe(400);
    expect(fake.chatActions.map((a) => a.action)).toEqual(["typing"]);
  });

  it("posts updates to a webhook with the secret header", async () => {
    const received: { secret: string | undefined; body: string }[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      req.on("end", () => {
        const header = req.headers["x-telegram-bot-api-secret-token"];
        received.push({ secret: typeof header === "string" ? header : undefined, body });
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const update = fake.textUpdate(6, "hello", { languageCode: "en", firstName: "Lan" });
      const res = await fake.postToWebhook(`http://127.0.0.1:${port}/hook`, update, "abc_123");
      expect(res.status).toBe(200);
      expect(received[0]?.secret).toBe("abc_123");
      expect(JSON.parse(received[0]?.body ?? "{}")).toEqual(update);
      expect(update.message.from).toEqual({ id: 6, is_bot: false, first_name: "Lan", language_code: "en" });
      expect(update.message.chat).toEqual({ id: 6, type: "private", first_name: "Lan" });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("waits for sent messages and resets", async () => {
    const byCount = fake.waitForSent(2);
    const byPredicate = fake.waitForSent((m) => m.visibleText.includes("second"));
    setTimeout(() => void call("sendMessage", { chat_id: 1, text: "first" }).then(() => call("sendMessage", { chat_id: 1, text: "second" })), 20);
    expect((await byCount).map((m) => m.text)).toEqual(["first", "second"]);
    expect((await byPredicate).text).toBe("second");
    await expect(fake.waitForSent(3, 100)).rejects.toThrow(/Timed out after 100 ms/);

    fake.blockChat(1);
    fake.reset();
    expect(fake.sent).toEqual([]);
    expect(fake.requests).toEqual([]);
    const afterReset = resultOf((await call("sendMessage", { chat_id: 1, text: "again" })).json);
    expect(afterReset.message_id).toBe(1);
  });
});
