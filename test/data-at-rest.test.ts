import Database from "better-sqlite3";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { Writable } from "node:stream";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ZaloClient } from "../src/adapters/zalo/zalo-client.js";
import { createApp } from "../src/app.js";
import { parseConfig } from "../src/config.js";
import { openDatabase, type OpenDatabase } from "../src/db/database.js";
import { SqliteZaloTokens } from "../src/adapters/zalo/sqlite-zalo-tokens.js";
import { createLogger } from "../src/infra/logger.js";
import { SecretBox } from "../src/infra/secret-box.js";
import { importPeople } from "../src/registry/people-import.js";
import { importUnits } from "../src/registry/units-import.js";
import { Linking } from "../src/registry/linking.js";
import { startFakeTelegram, type FakeTelegram } from "./support/fake-telegram.js";
import { startFakeZalo, type FakeZalo } from "./support/fake-zalo.js";
import { chat, startTestApp, type RunningApp } from "./support/test-app.js";
import { sqliteOf } from "./support/engine.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
const START = new Date("2026-01-13T03:00:00Z"); // 10:00 in Vietnam, a Tuesday
const KEY = Buffer.alloc(32, 7).toString("base64");

const mode = (path: string): number => statSync(path).mode & 0o777;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "sogd-rest-"));
}

/** Every value in every table (found through sqlite_master, so a table added later is covered too) holding `needle`. */
function rowsContaining(path: string, needle: string): string[] {
  const conn = new Database(path, { readonly: true });
  try {
    const tables = conn
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != '__drizzle_migrations'")
      .all() as { name: string }[];
    expect(tables.length).toBeGreaterThan(15);
    const hits: string[] = [];
    for (const { name } of tables) {
      for (const row of conn.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]) {
        for (const [column, value] of Object.entries(row)) {
          if (value !== null && String(value).includes(needle)) hits.push(`${name}.${column}`);
        }
      }
    }
    return hits;
  } finally {
    conn.close();
  }
}

/** The database's bytes on disk, main file and WAL. */
function fileBytes(path: string): Buffer {
  const parts = [readFileSync(path)];
  if (existsSync(`${path}-wal`)) parts.push(readFileSync(`${path}-wal`));
  return Buffer.concat(parts);
}

describe("the database file", () => {
  let dir: string;
  let database: OpenDatabase | undefined;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => {
    database?.close();
    database = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it("is readable by the service's user only, with its -wal, -shm and the folder it creates", () => {
    const path = join(dir, "data", "bot.db");
    database = openDatabase(path);
    database.client.prepare("INSERT INTO unanswered (normalized_text, locale, first_seen_at, last_seen_at) VALUES ('x', 'vi', 1, 1)").run();
    expect(existsSync(`${path}-wal`)).toBe(true);
    expect(mode(path)).toBe(0o600);
    expect(mode(`${path}-wal`)).toBe(0o600);
    expect(mode(`${path}-shm`)).toBe(0o600);
    expect(mode(join(dir, "data"))).toBe(0o700);
  });

  it("takes the world-readable mode away from a file an older version created", () => {
    const path = join(dir, "bot.db");
    writeFileSync(path, "");
    chmodSync(path, 0o644);
    database = openDatabase(path);
    expect(mode(path)).toBe(0o600);
  });

  it("overwrites deleted rows (secure_delete)", () => {
    database = openDatabase(join(dir, "bot.db"));
    expect(sqliteOf(database).pragma("secure_delete", { simple: true })).toBe(1);
  });
});

describe("/forget", () => {
  let fake: FakeTelegram;
  let running: RunningApp;
  let linking: Linking;

  beforeAll(async () => {
    fake = await startFakeTelegram();
    running = await startTestApp({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot }, START);
    expect(importUnits(running.app.database, readFileSync(join(FIXTURES, "units-sample.csv"), "utf8"), { dryRun: false, now: START }).ok).toBe(true);
    expect(importPeople(running.app.database, readFileSync(join(FIXTURES, "people-sample.csv"), "utf8"), { dryRun: false, now: START }).ok).toBe(true);
    linking = new Linking(running.app.database.db);
  });

  afterAll(async () => {
    await running.stop();
    await fake.stop();
  });

  /** Sends a message from a Telegram chat and waits for the bot's answer. */
  async function say(chatId: number, text: string): Promise<string> {
    const before = fake.sent.filter((m) => m.chatId === chatId).length;
    fake.pushUpdate(fake.textUpdate(chatId, text, { languageCode: "vi" }));
    await fake.waitForSent((m) => m.chatId === chatId && fake.sent.filter((s) => s.chatId === chatId).length > before, 8000);
    return fake.sent.filter((m) => m.chatId === chatId)[before]?.visibleText ?? "";
  }

  const query = <T>(sql: string, ...params: unknown[]): T[] => {
    const conn = new Database(running.dbPath, { readonly: true });
    try {
      return conn.prepare(sql).all(...params) as T[];
    } finally {
      conn.close();
    }
  };

  it("leaves no trace of the chat id in any table, nor of its messages in the file or its WAL", async () => {
    const chatId = 7700123451;
    const question = "Dạ cho em hỏi giá vé xe buýt ra Côn Đảo tuần này ạ";
    await say(chatId, "/start");
    await say(chatId, "/subscribe");
    await say(chatId, question);
    await say(chatId, "cho tôi gặp cán bộ tư vấn");
    const { code } = linking.issue("CB0013", "test", START);
    expect(await say(chatId, `/link ${code}`)).toMatch(/liên kết/i);
    await say(chatId, "/link ZZZZ9999"); // a wrong code: counted against this chat
    const admin = running.app.tokens.create({ name: "Phòng TCCB-CNTT", role: "department_admin", chat: `telegram:${chatId}` }, "test", START).token;
    const created = await fetch(`${running.url}/api/admin/broadcasts`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${admin}` },
      body: JSON.stringify({ title: "Lịch nghỉ Tết", text: { vi: "Học sinh nghỉ Tết từ ngày 14/2." } }),
    });
    expect(created.status).toBe(201);
    await fake.waitForSent((m) => m.chatId === chatId && m.text.includes("nghỉ Tết"), 8000);
    await new Promise((r) => setTimeout(r, 200)); // the dispatcher records the attempt after the send

    // Everything this test expects gone was really there.
    const before = rowsContaining(running.dbPath, String(chatId));
    expect(before).toEqual(expect.arrayContaining(["channel_addresses.address", "outbox.address", "link_failures.address", "audit_log.actor", "admin_tokens.chat_address"]));
    expect(query("SELECT * FROM delivery_attempts")).not.toHaveLength(0);
    expect(rowsContaining(running.dbPath, "buyt")).toContain("unanswered.normalized_text");

    expect(await say(chatId, "/forget")).toMatch(/đã xóa/);

    // The /forget update itself is cleared from the inbound queue once it is marked handled.
    await expect.poll(() => rowsContaining(running.dbPath, String(chatId)), { timeout: 3000 }).toEqual([]);
    expect(rowsContaining(running.dbPath, "buyt")).toEqual([]);
    expect(query("SELECT * FROM people WHERE ref = 'CB0013' AND user_id IS NOT NULL")).toHaveLength(0);
    const bytes = fileBytes(running.dbPath);
    expect(bytes.includes(Buffer.from(question, "utf8"))).toBe(false);
    expect(bytes.includes(Buffer.from("Côn Đảo", "utf8"))).toBe(false);
    // The broadcast keeps its count; the row no longer says to whom.
    expect(query<{ status: string; address: string }>("SELECT status, address FROM outbox")).toEqual([{ status: "sent", address: "" }]);
  });

  it("from a second linked chat deletes that chat only: the first chat and the person's link stay", async () => {
    const first = 7700223451;
    const second = 7700223452;
    await say(first, "/start");
    expect(await say(first, `/link ${linking.issue("CB0014", "test", START).code}`)).toMatch(/liên kết/i);
    await say(first, "tra cứu điểm thi");
    // A second chat joins with a one-time code asked for in the first one.
    const joinCode = /: ([A-Z2-9]{8})/.exec(await say(first, "/link"))?.[1];
    expect(await say(second, `/link ${String(joinCode)}`)).toMatch(/Đã thêm cuộc trò chuyện này/);
    const [owner] = query<{ user_id: number }>("SELECT user_id FROM channel_addresses WHERE address = ?", String(first));
    expect(query("SELECT * FROM channel_addresses WHERE user_id = ?", owner?.user_id)).toHaveLength(2);

    expect(await say(second, "/forget")).toMatch(/cuộc trò chuyện này/);

    expect(query("SELECT address FROM channel_addresses WHERE user_id = ?", owner?.user_id)).toEqual([{ address: String(first) }]);
    expect(query("SELECT ref FROM people WHERE user_id = ?", owner?.user_id)).toEqual([{ ref: "CB0014" }]);
    expect(query("SELECT * FROM user_units WHERE user_id = ?", owner?.user_id)).toHaveLength(1);
    await expect.poll(() => rowsContaining(running.dbPath, String(second)), { timeout: 3000 }).toEqual([]);
    // The first chat still works as the linked staff member.
    expect(await say(first, "/tasks")).not.toMatch(/chưa liên kết/i);
  });

  it("never writes a link code into the conversation log", async () => {
    const code = linking.issue("CB0015", "test", START).code;
    const typed = [`/link ${code}`, `/start ${code}`, code.toLowerCase(), `${code.slice(0, 4)}-${code.slice(4)}`, `mã của em là ${code} ạ`];
    for (const [i, text] of typed.entries()) await chat(running.url, `web-code-${i}`, text);
    const logged = query<{ text: string | null }>("SELECT text FROM conversation_log WHERE text IS NOT NULL").map((r) => r.text ?? "");
    expect(logged).toEqual(expect.arrayContaining(["/link ••••", "/start ••••", "••••", "mã của em là •••• ạ"]));
    const bare = (s: string): string => s.toUpperCase().replace(/[\s-]/g, "");
    expect(logged.filter((t) => bare(t).includes(code))).toEqual([]);
    expect(rowsContaining(running.dbPath, code)).toEqual([]);
    expect(rowsContaining(running.dbPath, code.toLowerCase())).toEqual([]);
  });
});

describe("Zalo tokens at rest", () => {
  let fake: FakeZalo;
  let dir: string;
  let database: OpenDatabase;
  beforeAll(async () => {
    fake = await startFakeZalo();
  });
  afterAll(async () => {
    await fake.stop();
  });
  beforeEach(() => {
    fake.reset();
    dir = tempDir();
    database = openDatabase(join(dir, "bot.db"));
  });
  afterEach(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const clientFor = (tokens: SqliteZaloTokens): ZaloClient =>
    new ZaloClient({ appId: fake.appId, appSecret: fake.appSecret, apiBase: fake.apiBase, oauthBase: fake.oauthBase, tokens });

  it("are sealed with DATA_ENCRYPTION_KEY and still refresh and send", async () => {
    const tokens = new SqliteZaloTokens(database.db, SecretBox.fromKey(KEY));
    const issued = fake.issueTokens();
    await tokens.save(issued);
    const client = clientFor(tokens);
    const refreshed = await client.refreshNow();
    await client.sendText("u-rest-1", "xin chào");
    expect(fake.sent.map((m) => m.accessToken)).toEqual([refreshed.accessToken]);
    sqliteOf(database).pragma("wal_checkpoint(TRUNCATE)");
    const bytes = fileBytes(join(dir, "bot.db"));
    for (const secret of [issued.accessToken, issued.refreshToken, refreshed.accessToken, refreshed.refreshToken]) {
      expect(bytes.includes(Buffer.from(secret))).toBe(false);
    }
    // A restart with the same key reads them back.
    expect(await new SqliteZaloTokens(database.db, SecretBox.fromKey(KEY)).load()).toMatchObject({ accessToken: refreshed.accessToken });
  });

  it("seals a pair stored in clear before the key was set, as soon as it is read", async () => {
    const issued = fake.issueTokens();
    await new SqliteZaloTokens(database.db).save(issued);
    const tokens = new SqliteZaloTokens(database.db, SecretBox.fromKey(KEY));
    expect(await tokens.load()).toMatchObject({ accessToken: issued.accessToken, refreshToken: issued.refreshToken });
    const row = database.client.prepare("SELECT access_token, refresh_token FROM zalo_tokens").get() as Record<string, string>;
    expect(row.access_token).not.toContain(issued.accessToken);
    expect(row.refresh_token).not.toContain(issued.refreshToken);
    await clientFor(tokens).sendText("u-rest-2", "xin chào");
    expect(fake.sent).toHaveLength(1);
  });

  it("says plainly when the key is missing or wrong, without printing a token", async () => {
    const issued = fake.issueTokens();
    await new SqliteZaloTokens(database.db, SecretBox.fromKey(KEY)).save(issued);
    await expect(new SqliteZaloTokens(database.db).load()).rejects.toThrow(/DATA_ENCRYPTION_KEY/);
    const other = SecretBox.fromKey(Buffer.alloc(32, 9).toString("hex"));
    const failure = await new SqliteZaloTokens(database.db, other).load().catch((e: Error) => e.message);
    expect(failure).toMatch(/DATA_ENCRYPTION_KEY/);
    expect(failure).not.toContain(issued.accessToken);
  });

  it("accepts only a 32-byte key, naming the variable but not its value", () => {
    expect(parseConfig({ DATA_ENCRYPTION_KEY: KEY }).DATA_ENCRYPTION_KEY).toBe(KEY);
    expect(parseConfig({ DATA_ENCRYPTION_KEY: "ab".repeat(32) }).DATA_ENCRYPTION_KEY).toBe("ab".repeat(32));
    expect(parseConfig({ DATA_ENCRYPTION_KEY: "" }).DATA_ENCRYPTION_KEY).toBeUndefined();
    for (const bad of ["too-short-secret", Buffer.alloc(16, 1).toString("base64"), "zz".repeat(32)]) {
      let message = "";
      try {
        parseConfig({ DATA_ENCRYPTION_KEY: bad });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/DATA_ENCRYPTION_KEY: must be 32 random bytes/);
      expect(message).not.toContain(bad);
    }
  });
});

describe("Zalo through the whole product", () => {
  let zalo: FakeZalo;
  beforeAll(async () => {
    // Event timestamps on the app's clock (it starts at START), or the freshness window drops them.
    zalo = await startFakeZalo({ now: () => START.getTime() });
  });
  afterAll(async () => {
    await zalo.stop();
  });


  it("keeps refreshed tokens sealed, and /forget leaves no trace of the Zalo user id", async () => {
    const running = await startTestApp({ ...zalo.productEnv(), DATA_ENCRYPTION_KEY: KEY }, START);
    try {
      const webhook = `${running.url}/webhooks/zalo`;
      const userId = "5512093847661234";
      await zalo.postEvent(webhook, zalo.followEvent(userId));
      zalo.expireAccessTokens(); // the reply needs a refresh, which the store saves
      await zalo.postEvent(webhook, zalo.textEvent(userId, "tra cứu điểm thi ở đâu", "rest-m1"));
      const answer = await zalo.waitForSent((m) => m.userId === userId, 8000);
      expect(rowsContaining(running.dbPath, userId)).toEqual(expect.arrayContaining(["channel_addresses.address", "inbound_events.dedupe_key"]));

      await zalo.postEvent(webhook, zalo.textEvent(userId, "/forget", "rest-m2"));
      await zalo.waitForSent((m) => m.userId === userId && /đã xóa/.test(m.text), 8000);
      await expect.poll(() => rowsContaining(running.dbPath, userId), { timeout: 3000 }).toEqual([]);
      const conn = new Database(running.dbPath, { readonly: true });
      const stored = conn.prepare("SELECT access_token FROM zalo_tokens").all() as { access_token: string }[];
      conn.close();
      expect(stored).toHaveLength(1); // the refreshed pair was saved, sealed
      expect(fileBytes(running.dbPath).includes(Buffer.from(answer.accessToken))).toBe(false);
      expect(rowsContaining(running.dbPath, answer.accessToken)).toEqual([]);
    } finally {
      await running.stop();
    }
  });

  it("warns once at start when DATA_ENCRYPTION_KEY is not set", async () => {
    const dir = tempDir();
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const tokens = zalo.issueTokens();
    const config = parseConfig({ PORT: "0", DATABASE_PATH: join(dir, "bot.db"), QUIET_HOURS: "", ...zalo.productEnv(tokens) });
    const app = await createApp({ config, logger: createLogger("warn", sink), clock: { now: () => START } });
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
    expect(lines.filter((l) => l.includes("DATA_ENCRYPTION_KEY is not set"))).toHaveLength(1);
    expect(lines.join("")).not.toContain(tokens.accessToken);
  });
});
