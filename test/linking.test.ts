import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Linking } from "../src/registry/linking.js";
import { importPeople } from "../src/registry/people-import.js";
import { importUnits } from "../src/registry/units-import.js";
import { startFakeTelegram, type FakeTelegram, type SentMessage } from "./support/fake-telegram.js";
import { FakeClock, startTestApp, type RunningApp } from "./support/test-app.js";
import { connectTestDatabase } from "./support/engine.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
/** The documented bounds on wrong link codes: per channel and over all channels, each per hour. */
const CHANNEL_MAX = 100;
const GLOBAL_MAX = 200;
const HOUR = 60 * 60_000;

describe("linking a chat to a staff member", () => {
  let fake: FakeTelegram;
  let running: RunningApp;
  let clock: FakeClock;
  let admin: string;
  const victim = 9001; // Ngô Thị Bích Ngọc's own chat (CB0013)
  const attacker = 9002;
  const secondPhone = 9003;

  const sentTo = (chatId: number) => fake.sent.filter((m) => m.chatId === chatId);
  const say = async (chatId: number, text: string): Promise<string> => {
    const before = sentTo(chatId).length;
    fake.pushUpdate(fake.textUpdate(chatId, text));
    await fake.waitForSent((m) => m.chatId === chatId && sentTo(chatId).length > before, 8000);
    return (sentTo(chatId)[sentTo(chatId).length - 1] as SentMessage).visibleText;
  };
  const staffCode = (ref: string) => new Linking(running.app.database.db).issue(ref, "test", clock.now()).code;
  /** The user each Telegram chat belongs to, and the person linked to that user. */
  const owner = (chatId: number) => {
    const conn = connectTestDatabase(running.dbPath, { readonly: true });
    const row = conn
      .prepare(
        `SELECT a.user_id AS "userId", p.ref FROM channel_addresses a LEFT JOIN people p ON p.user_id = a.user_id
         WHERE a.channel = 'telegram' AND a.address = ?`,
      )
      .get(String(chatId)) as { userId: number; ref: string | null } | undefined;
    conn.close();
    return row;
  };

  beforeAll(async () => {
    fake = await startFakeTelegram();
    clock = new FakeClock(new Date("2026-01-12T03:00:00Z"));
    running = await startTestApp({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot }, clock);
    const now = clock.now();
    expect(importUnits(running.app.database, readFileSync(join(FIXTURES, "units-sample.csv"), "utf8"), { dryRun: false, now }).ok).toBe(true);
    expect(importPeople(running.app.database, readFileSync(join(FIXTURES, "people-sample.csv"), "utf8"), { dryRun: false, now }).ok).toBe(true);
    admin = running.app.tokens.create({ name: "Sở", role: "department_admin" }, "test", now).token;
    expect(await say(victim, `/link ${staffCode("CB0013")}`)).toMatch(/Đã liên kết: Ngô Thị Bích Ngọc/);
  });
  afterAll(async () => {
    await running.stop();
    await fake.stop();
  });

  it("refuses a second chat with a staff code for an already linked person: it gains no power over the first", async () => {
    const code = staffCode("CB0013");
    expect(await say(attacker, `/link ${code}`)).toMatch(/đã được liên kết ở một cuộc trò chuyện khác/);
    expect(owner(attacker)?.userId).not.toBe(owner(victim)?.userId);
    expect(owner(attacker)?.ref).toBeNull();
    expect(await say(attacker, "/unlink")).toMatch(/chưa liên kết/);
    await say(attacker, "/forget");
    expect(owner(victim)?.ref).toBe("CB0013");
    expect(await say(victim, "/tasks")).not.toMatch(/chưa liên kết/);
  });

  it("adds a second chat only with a code asked for from the linked chat; /unlink there removes only that chat", async () => {
    const answer = await say(victim, "/link");
    const join = /Mã thêm cuộc trò chuyện của anh\/chị: ([A-Z2-9]{8})/.exec(answer)?.[1];
    expect(join).toBeDefined();
    expect(await say(secondPhone, `/link ${String(join)}`)).toMatch(/Đã thêm cuộc trò chuyện này vào tài khoản của Ngô Thị Bích Ngọc/);
    expect(owner(secondPhone)?.userId).toBe(owner(victim)?.userId);
    expect(await say(attacker, `/link ${String(join)}`)).toMatch(/đã được sử dụng/);

    expect(await say(secondPhone, "/unlink")).toMatch(/Đã gỡ cuộc trò chuyện này khỏi tài khoản của Ngô Thị Bích Ngọc/);
    expect(owner(secondPhone)?.userId).not.toBe(owner(victim)?.userId);
    expect(owner(secondPhone)?.ref).toBeNull();
    expect(owner(victim)?.ref).toBe("CB0013");
    // A chat that is not linked gets the instructions, not a code.
    expect(await say(attacker, "/link")).toMatch(/gõ \/link kèm mã liên kết/);
  });

  it("never keeps a link code in the conversation log", () => {
    const conn = connectTestDatabase(running.dbPath, { readonly: true });
    const logged = conn.prepare("SELECT text FROM conversation_log WHERE text LIKE '/link%' OR text LIKE '/start%'").all() as { text: string }[];
    conn.close();
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.every((r) => /^\/(link|start)( ••••)?$/.test(r.text))).toBe(true);
  });

  it("lets staff release a lost chat's link, after which the person links the new chat with their code", async () => {
    const issued = await fetch(`${running.url}/api/admin/people/CB0013/link-code`, { method: "POST", headers: { authorization: `Bearer ${admin}` } });
    const { code, alreadyLinked } = (await issued.json()) as { code: string; alreadyLinked: boolean };
    expect(alreadyLinked).toBe(true);
    expect(await say(attacker, `/link ${code}`)).toMatch(/đã được liên kết ở một cuộc trò chuyện khác/);
    const res = await fetch(`${running.url}/api/admin/people/CB0013/link`, { method: "DELETE", headers: { authorization: `Bearer ${admin}` } });
    expect(await res.json()).toEqual({ ref: "CB0013", released: true });
    expect(await say(victim, "/tasks")).toMatch(/chưa liên kết/);
    expect(await say(attacker, `/link ${code}`)).toMatch(/Đã liên kết: Ngô Thị Bích Ngọc/);
  });

  describe("guessing codes from many chats", () => {
    it("pauses a channel after its bound of wrong codes, whatever the number of chats, and only that channel", async () => {
      clock.advance(HOUR + 60_000); // past the wrong codes of the tests above
      const good = staffCode("CB0015");
      for (let i = 0; i < CHANNEL_MAX; i += 20) {
        const batch = Array.from({ length: 20 }, (_, j) => say(20_000 + i + j, "/link ABCDEFGH"));
        for (const answer of await Promise.all(batch)) expect(answer).toMatch(/không đúng/);
      }
      // A fresh chat with a right code is told to wait; the code is not spent.
      expect(await say(29_999, `/link ${good}`)).toMatch(/tạm dừng.*thử lại sau 60 phút/);
      const linking = new Linking(running.app.database.db);
      expect(linking.redeem("ZZZZZZZZ", "zalo", "z-1", 0, clock.now())).toMatchObject({ ok: false, reason: "unknown" }); // not paused
      clock.advance(HOUR + 60_000);
      expect(await say(29_999, `/link ${good}`)).toMatch(/Đã liên kết: Châu Thị Diễm/);
    });

    it("pauses every channel once all channels together reach the global bound", async () => {
      clock.advance(HOUR + 60_000);
      const linking = new Linking(running.app.database.db);
      for (let i = 0; i < GLOBAL_MAX; i++) {
        const outcome = linking.redeem("ZZZZZZZZ", i % 2 ? "web" : "zalo", `guess-${i}`, 0, clock.now());
        expect(outcome, `guess ${i}`).toMatchObject({ ok: false, reason: "unknown" });
      }
      expect(linking.redeem("ZZZZZZZZ", "web", "one-more", 0, clock.now())).toMatchObject({ ok: false, reason: "busy" });
      // Telegram saw none of those wrong codes, and still must wait.
      expect(await say(29_998, `/link ${staffCode("CB0009")}`)).toMatch(/tạm dừng/);
    });

    it("forgets the counts of chats a day later, so made-up addresses do not pile up", () => {
      clock.advance(25 * HOUR);
      new Linking(running.app.database.db).redeem("ZZZZZZZZ", "web", "tomorrow", 0, clock.now());
      const conn = connectTestDatabase(running.dbPath, { readonly: true });
      const rows = conn.prepare("SELECT channel, address FROM link_failures ORDER BY channel, address").all();
      conn.close();
      expect(rows).toEqual([
        { channel: "*", address: "*" },
        { channel: "web", address: "*" },
        { channel: "web", address: "tomorrow" },
      ]);
    });
  });
});
