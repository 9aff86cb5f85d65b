import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emailOn, parseConfig, znsOn } from "../src/config.js";
import { normalizeVietnamMobile } from "../src/reach/phone.js";
import { Linking } from "../src/registry/linking.js";
import { importPeople } from "../src/registry/people-import.js";
import { importUnits } from "../src/registry/units-import.js";
import { dbWithEverySchoolYear } from "./support/every-school-tasks.js";
import { startFakeTelegram, type FakeTelegram } from "./support/fake-telegram.js";
import { startFakeZalo, type FakeZalo } from "./support/fake-zalo.js";
import { simpleParser } from "./support/mail-parse.js";
import { FakeClock, startTestApp, type RunningApp } from "./support/test-app.js";
import { databaseEnv, connectTestDatabase } from "./support/engine.js";
import { startSmtp, waitFor, type LocalSmtp } from "./support/smtp.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
const KEY = "a".repeat(64);
/** 08:00 in Vietnam on a date. */
const at8 = (date: string) => new Date(`${date}T01:00:00Z`);

interface OutboxLine {
  id: number;
  channel: string;
  address: string;
  status: string;
  reason: string | null;
}

/** The outbox rows of one person's reminders for a step, in the order the ladder wrote them. */
function rowsOf(dbPath: string, ref: string, step: string): OutboxLine[] {
  const db = connectTestDatabase(dbPath, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT o.id, o.channel, o.address, o.status, o.reason FROM outbox o
         JOIN reminders r ON o.cause_type = 'reminder' AND o.cause_id = r.id JOIN people p ON p.id = r.person_id
         WHERE p.ref = ? AND r.step = ? ORDER BY o.id`,
      )
      .all(ref, step) as OutboxLine[];
  } finally {
    db.close();
  }
}

/** Nothing left queued or being sent. */
function settled(dbPath: string): boolean {
  const db = connectTestDatabase(dbPath, { readonly: true });
  try {
    const n = (db.prepare("SELECT count(*) AS n FROM outbox WHERE status IN ('queued', 'sending')").get() as { n: number }).n;
    const any = (db.prepare("SELECT count(*) AS n FROM outbox").get() as { n: number }).n;
    return n === 0 && any > 0;
  } finally {
    db.close();
  }
}

/** When Zalo said the delivery reached the phone, or null. */
function deliveredAt(dbPath: string, outboxId: number): number | null {
  const db = connectTestDatabase(dbPath, { readonly: true });
  try {
    return (db.prepare("SELECT delivered_at FROM outbox WHERE id = ?").get(outboxId) as { delivered_at: number | null } | undefined)?.delivered_at ?? null;
  } finally {
    db.close();
  }
}

/** The inbound queue's state of one Zalo event. */
function inboundState(dbPath: string, dedupeKey: string): string | undefined {
  const db = connectTestDatabase(dbPath, { readonly: true });
  try {
    return (db.prepare("SELECT state FROM inbound_events WHERE channel = 'zalo' AND dedupe_key = ?").get(dedupeKey) as { state: string } | undefined)?.state;
  } finally {
    db.close();
  }
}

function seed(running: RunningApp, now: Date): void {
  importUnits(running.app.database, readFileSync(join(FIXTURES, "units-sample.csv"), "utf8"), { dryRun: false, now });
  importPeople(running.app.database, readFileSync(join(FIXTURES, "people-sample.csv"), "utf8"), { dryRun: false, now });
}

describe("the delivery ladder: chats, then ZNS, then e-mail, for reminders to registry staff", () => {
  let zalo: FakeZalo;
  let smtp: LocalSmtp;
  let running: RunningApp;
  let clock: FakeClock;
  let env: Record<string, string>;
  let yearDb: string;

  beforeAll(async () => {
    clock = new FakeClock(new Date("2026-01-12T03:00:00Z")); // Monday 10:00 in Vietnam
    zalo = await startFakeZalo({ now: () => clock.now().getTime() });
    smtp = await startSmtp();
    env = {
      ...zalo.productEnv(zalo.issueTokens()),
      ZALO_BUSINESS_BASE: zalo.baseUrl,
      ZNS_MONTHLY_BUDGET: "100",
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}?ignoreTLS=true`,
      MAIL_FROM: "Sở GDĐT <noreply@sogd.example.vn>",
      DATA_ENCRYPTION_KEY: KEY,
    };
    yearDb = dbWithEverySchoolYear("2025-2026", clock.now());
    running = await startTestApp(env, clock, yearDb);
    seed(running, clock.now());
    // Ngô Thị Bích Ngọc (CB0013) links her Zalo on Monday 12 January, and writes nothing after.
    const code = new Linking(running.app.database.db).issue("CB0013", "test", clock.now()).code;
    await zalo.postEvent(`${running.url}/webhooks/zalo`, zalo.textEvent("zngoc", `/link ${code}`, "l1"));
    await zalo.waitForSent((m) => m.userId === "zngoc" && m.text.includes("Ngô Thị Bích Ngọc"), 8000);
  });

  afterAll(async () => {
    await running.stop();
    await smtp.stop();
    await zalo.stop();
  });

  it("reaches a Zalo-only IT lead outside the 7-day window by ZNS, with the reminder's own values in the template", async () => {
    // Lý Thị Thanh Tâm (CB0011) has never linked a chat and her phone is not on Zalo; Vũ Thị Hải Yến's (CB0018)
    // mailbox is busy for now (the restart test below).
    zalo.zns.phones.set("84909234011", -118);
    smtp.busy.add("vthyen@thphuochung.edu.vn");
    zalo.zns.phones.set("84944888018", -118);
    clock.set(at8("2026-01-20")); // the due day: 8 days after her last message to the OA
    running.app.planner.plan(clock.now());
    const sent = await waitFor("the ZNS to CB0013", () => zalo.zns.sent.find((m) => m.phone === "84913456013"));
    expect(sent.templateId).toBe("100001");
    expect(sent.templateData).toEqual({
      ten_can_bo: "Ngô Thị Bích Ngọc",
      ten_don_vi: "Trường THCS Huỳnh Khương Ninh",
      nhiem_vu: expect.stringContaining("Báo cáo") as string,
      han_nop: "20/01/2026",
    });
    expect(zalo.sentTo("zngoc").some((m) => m.text.includes("Báo cáo"))).toBe(false);
    const rows = await waitFor("the ZNS row settled", () => {
      const r = rowsOf(running.dbPath, "CB0013", "due");
      return r.some((x) => x.channel === "zns" && x.status === "sent") && r;
    });
    expect(rows.map((r) => [r.channel, r.status, r.reason])).toEqual([
      ["zalo", "skipped", "outside_zalo_window"],
      ["zns", "sent", null],
    ]);
    expect(sent.trackingId).toBe(String(rows[1]?.id)); // our delivery id: a retry is recognisable
  });

  it("records Zalo's ZNS delivery receipt against the delivery; an unknown or unreadable receipt is acknowledged and ignored", async () => {
    const sent = zalo.zns.sent.find((m) => m.phone === "84913456013");
    if (!sent) throw new Error("no ZNS to CB0013");
    const row = rowsOf(running.dbPath, "CB0013", "due").find((r) => r.channel === "zns");
    expect(deliveredAt(running.dbPath, row?.id ?? 0)).toBeNull(); // sent is not yet delivered
    const webhook = `${running.url}/webhooks/zalo`;

    // A receipt for a message this server never sent, one without a msg_id, and an OA chat message's receipt.
    const unknown = zalo.znsReceiptEvent({ msgId: "zns-unknown-1", trackingId: "987654" });
    const started = Date.now();
    expect((await zalo.postEvent(webhook, unknown)).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000); // Zalo wants its answer within 2 seconds
    const unreadable = zalo.znsReceiptEvent({ msgId: "", trackingId: String(row?.id) });
    expect((await zalo.postEvent(webhook, unreadable)).status).toBe(200);
    const chatReceipt = { ...zalo.textEvent("zngoc", "x"), event_name: "user_received_message" };
    expect((await zalo.postEvent(webhook, chatReceipt)).status).toBe(200);
    await waitFor("the unknown receipt handled", () => inboundState(running.dbPath, "user_received_message:zns-unknown-1") === "done");
    expect(deliveredAt(running.dbPath, row?.id ?? 0)).toBeNull();

    const at = Date.parse("2026-01-20T01:00:07Z");
    const receipt = zalo.znsReceiptEvent({ msgId: sent.msgId, trackingId: sent.trackingId }, at);
    expect((await zalo.postEvent(webhook, receipt)).status).toBe(200);
    expect(await waitFor("the delivery marked delivered", () => deliveredAt(running.dbPath, row?.id ?? 0))).toBe(at);
    // Zalo resends an event it thinks unanswered: the first time stays.
    expect((await zalo.postEvent(webhook, { ...receipt, message: { ...(receipt.message as object), delivery_time: String(at + 60_000) } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(deliveredAt(running.dbPath, row?.id ?? 0)).toBe(at);
    // The console's delivery counts and every other row are untouched.
    const db = connectTestDatabase(running.dbPath, { readonly: true });
    const marked = (db.prepare("SELECT count(*) AS n FROM outbox WHERE delivered_at IS NOT NULL").get() as { n: number }).n;
    db.close();
    expect(marked).toBe(1);
  });

  it("goes by e-mail when ZNS refuses the phone (not on Zalo), and the delivery report shows each step", async () => {
    const mail = await waitFor("the e-mail to CB0011", () => smtp.mails.find((m) => m.to === "lttam@thangnhat.edu.vn"));
    const parsed = simpleParser(mail.raw);
    expect(parsed.subject).toContain("Báo cáo");
    expect(parsed.text).toMatch(/20\/01\/2026/);
    const rows = await waitFor("the e-mail row settled", () => {
      const r = rowsOf(running.dbPath, "CB0011", "due");
      return r.some((x) => x.channel === "email" && x.status === "sent") && r;
    });
    expect(rows.map((r) => [r.channel, r.address, r.status, r.reason])).toEqual([
      ["zns", "84909234011", "failed", "unreachable"],
      ["email", "lttam@thangnhat.edu.vn", "sent", null],
    ]);
    const db = connectTestDatabase(running.dbPath, { readonly: true });
    const attempt = db.prepare("SELECT outcome, error_kind, description FROM delivery_attempts WHERE outbox_id = ?").get(rows[0]?.id) as {
      outcome: string;
      description: string;
    };
    db.close();
    expect(attempt.outcome).toBe("unreachable");
    expect(attempt.description).toContain("-118");
  });

  it("sends nothing twice across a restart mid-ladder: ZNS failed, e-mail waiting on a retry when the server stops", async () => {
    const waiting = await waitFor("CB0018's e-mail waiting for a retry", () => {
      const r = rowsOf(running.dbPath, "CB0018", "due");
      return r.some((x) => x.channel === "email" && x.status === "queued" && x.reason === "server") && r;
    });
    expect(waiting.map((r) => [r.channel, r.status])).toEqual([
      ["zns", "failed"],
      ["email", "queued"],
    ]);
    const znsBefore = zalo.zns.sent.length;
    const znsTriesBefore = zalo.zns.sent.filter((m) => m.phone === "84913456013").length;
    await running.stop({ keepData: true });
    smtp.busy.clear();
    running = await startTestApp(env, clock, yearDb);
    clock.advance(10 * 60_000); // past the retry's wait
    running.app.planner.plan(at8("2026-01-20")); // the cron tick of the restarted server plans the same step again
    await waitFor("CB0018's e-mail", () => smtp.mails.find((m) => m.to === "vthyen@thphuochung.edu.vn"), 15_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.mails.filter((m) => m.to === "vthyen@thphuochung.edu.vn")).toHaveLength(1);
    expect(smtp.mails.filter((m) => m.to === "lttam@thangnhat.edu.vn")).toHaveLength(1);
    expect(zalo.zns.sent.length).toBe(znsBefore);
    expect(zalo.zns.sent.filter((m) => m.phone === "84913456013")).toHaveLength(znsTriesBefore);
    expect(rowsOf(running.dbPath, "CB0018", "due").map((r) => [r.channel, r.status])).toEqual([
      ["zns", "failed"],
      ["email", "sent"],
    ]);
  });

  it("unsubscribes with the mail's one-click link (signed: a forged one changes nothing), and the ladder honours it", async () => {
    const mail = smtp.mails.find((m) => m.to === "lttam@thangnhat.edu.vn");
    const header = (mail?.raw ?? "").replace(/\r?\n[ \t]+/g, " ");
    const link = /^List-Unsubscribe: <([^>]+)>/m.exec(header)?.[1] ?? "";
    const path = new URL(link).pathname;
    expect(path).toMatch(/^\/unsubscribe\/email\/[\w-]+\.[\w-]{22}$/);
    expect(path).not.toContain("lttam@"); // the address is not readable in the link as plain text

    const page = await fetch(`${running.url}${path}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("lttam@thangnhat.edu.vn");
    expect(html).toContain('<form method="post"');
    const forged = path.replace(/\.[\w-]{22}$/, `.${"A".repeat(22)}`);
    expect((await fetch(`${running.url}${forged}`, { method: "POST" })).status).toBe(404);
    const other = path.replace(/^\/unsubscribe\/email\/[\w-]+\./, `/unsubscribe/email/${Buffer.from("vthyen@thphuochung.edu.vn").toString("base64url")}.`);
    expect((await fetch(`${running.url}${other}`, { method: "POST" })).status).toBe(404);

    const done = await fetch(`${running.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("Đã ngừng gửi thư");
    const db = connectTestDatabase(running.dbPath, { readonly: true });
    expect(db.prepare("SELECT address FROM email_unsubscribes").all()).toEqual([{ address: "lttam@thangnhat.edu.vn" }]);
    db.close();

    // Two days late: ZNS still refuses her phone, and e-mail is now off for her address.
    clock.set(at8("2026-01-22"));
    running.app.planner.plan(clock.now());
    const rows = await waitFor("CB0011's late-2 ladder", () => {
      const r = rowsOf(running.dbPath, "CB0011", "late-2");
      return r.some((x) => x.channel === "email") && r;
    });
    expect(rows.map((r) => [r.channel, r.status, r.reason])).toEqual([
      ["zns", "failed", "unreachable"],
      ["email", "skipped", "email_unsubscribed"],
    ]);
    expect(smtp.mails.filter((m) => m.to === "lttam@thangnhat.edu.vn")).toHaveLength(1);
  });

  it("npm run reminders -- --dry-run --json says which channel each person would get and why", async () => {
    // Monday 26 January: four days late (Saturday's step held to Monday), and the offices' first summaries.
    const { stdout: monday } = await promisify(execFile)("npm", ["run", "--silent", "reminders", "--", "--at", "2026-01-26T08:00", "--dry-run", "--json"], {
      cwd: join(import.meta.dirname, ".."),
      env: { ...process.env, ...env, ...databaseEnv(running.dbPath), LOG_LEVEL: "silent" },
      timeout: 60_000,
    });
    const late4 = monday
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, string>)
      .filter((r) => r.task === "mid_year_it_report");
    const who = (ref: string) => late4.find((r) => r.ref === ref);
    expect(who("CB0013")).toMatchObject({ channel: "zns", why: "zalo window closed 6 days ago; no telegram" });
    expect(who("CB0011")).toMatchObject({ channel: "zns" }); // the dry run cannot know Zalo will refuse her phone
    expect(who("CB0007")).toMatchObject({ channel: "email", why: expect.stringContaining("zns: no_phone") as string });
    expect(who("CB0027")).toMatchObject({ channel: "zns" });
    expect(who("CB0030")).toMatchObject({ channel: "email", why: expect.stringContaining("zns: phone_landline") as string });
    const db = connectTestDatabase(running.dbPath, { readonly: true });
    expect((db.prepare("SELECT count(*) AS n FROM reminders WHERE step LIKE '%late-4'").get() as { n: number }).n).toBe(0);
    db.close();
  }, 120_000);

  it("/settings in the chat turns a channel off, and the ladder skips it", async () => {
    clock.set(at8("2026-01-26"));
    const webhook = `${running.url}/webhooks/zalo`;
    await zalo.postEvent(webhook, zalo.textEvent("zngoc", "/settings", "s1"));
    const shown = await zalo.waitForSent((m) => m.userId === "zngoc" && m.text.includes("Kênh nhận nhắc việc"), 8000);
    expect(shown.text).toContain("Email: bật");
    await zalo.postEvent(webhook, zalo.textEvent("zngoc", "/settings tắt zalo", "s2"));
    await zalo.waitForSent((m) => m.userId === "zngoc" && m.text.includes("Đã tắt: Zalo"), 8000);
    await zalo.postEvent(webhook, zalo.textEvent("zngoc", "/settings tắt zns", "s3"));
    const after = await zalo.waitForSent((m) => m.userId === "zngoc" && m.text.includes("Đã tắt: Tin ZNS"), 8000);
    expect(after.text).toContain("Zalo: tắt");
    expect(after.text).toContain("Email: bật");

    // Eight days late, two days after she wrote: the Zalo window is open, but she turned Zalo and ZNS off.
    clock.set(at8("2026-01-28"));
    running.app.planner.plan(clock.now());
    await waitFor("CB0013's e-mail", () => smtp.mails.find((m) => m.to === "ntbngoc@thcshkn.edu.vn"));
    expect(rowsOf(running.dbPath, "CB0013", "late-8").map((r) => [r.channel, r.status, r.reason])).toEqual([
      ["zns", "skipped", "turned_off"],
      ["email", "sent", null],
    ]);
    // No ZNS for the late-8 reminder. (Her late-2 ZNS, planned on the 22nd, may still be going out meanwhile:
    // counting every ZNS to her phone here raced with it.)
    const late8 = rowsOf(running.dbPath, "CB0013", "late-8").map((r) => String(r.id));
    expect(zalo.zns.sent.filter((m) => late8.includes(m.trackingId))).toEqual([]);
    expect(zalo.sentTo("zngoc").some((m) => m.text.includes("trễ 8 ngày"))).toBe(false);
  });
});

describe("the monthly ZNS budget", () => {
  let zalo: FakeZalo;
  let telegram: FakeTelegram;
  let smtp: LocalSmtp;
  let running: RunningApp;
  let clock: FakeClock;
  const STAFF_CHAT = -100500;

  beforeAll(async () => {
    clock = new FakeClock(new Date("2026-01-12T03:00:00Z"));
    zalo = await startFakeZalo({ now: () => clock.now().getTime() });
    telegram = await startFakeTelegram();
    smtp = await startSmtp();
    running = await startTestApp(
      {
        ...zalo.productEnv(zalo.issueTokens()),
        TELEGRAM_BOT_TOKEN: telegram.token,
        TELEGRAM_API_ROOT: telegram.apiRoot,
        STAFF_CHAT_ID: String(STAFF_CHAT),
        ZALO_BUSINESS_BASE: zalo.baseUrl,
        ZNS_MONTHLY_BUDGET: "2",
        SMTP_URL: `smtp://127.0.0.1:${smtp.port}?ignoreTLS=true`,
        MAIL_FROM: "noreply@sogd.example.vn",
        DATA_ENCRYPTION_KEY: KEY,
      },
      clock,
      dbWithEverySchoolYear("2025-2026", clock.now()),
    );
    seed(running, clock.now());
  });

  afterAll(async () => {
    await running.stop();
    await smtp.stop();
    await telegram.stop();
    await zalo.stop();
  });

  it("stops ZNS at the budget (the ladder moves on to e-mail) and tells the staff chat once", async () => {
    clock.set(at8("2026-01-20"));
    running.app.planner.plan(clock.now());
    const spent = await waitFor("a ZNS row skipped for the budget, then its e-mail", () => {
      const db = connectTestDatabase(running.dbPath, { readonly: true });
      const rows = db
        .prepare(
          `SELECT z.cause_id, e.address, e.status FROM outbox z JOIN outbox e ON e.cause_type = z.cause_type AND e.cause_id = z.cause_id AND e.channel = 'email'
           WHERE z.channel = 'zns' AND z.reason = 'zns_budget_spent' AND e.status = 'sent'`,
        )
        .all() as { cause_id: number; address: string }[];
      db.close();
      return rows.length > 0 && rows;
    });
    expect(smtp.mails.some((m) => m.to === spent[0]?.address)).toBe(true);
    expect(zalo.zns.sent).toHaveLength(2);
    const alert = await telegram.waitForSent((m) => m.chatId === STAFF_CHAT && m.visibleText.includes("ZNS"), 8000);
    expect(alert.visibleText).toContain("2026-01");
    expect(alert.visibleText).toContain("ZNS_MONTHLY_BUDGET");

    // Two days later: still no ZNS, and no second alert.
    clock.set(at8("2026-01-22"));
    running.app.planner.plan(clock.now());
    await waitFor("the late-2 round settled", () => settled(running.dbPath), 15_000);
    expect(zalo.zns.sent).toHaveLength(2);
    expect(telegram.sent.filter((m) => m.chatId === STAFF_CHAT && m.visibleText.includes("ZNS"))).toHaveLength(1);
    const db = connectTestDatabase(running.dbPath, { readonly: true });
    expect(db.prepare("SELECT month, sent FROM zns_usage").all()).toEqual([{ month: "2026-01", sent: 2 }]);
    db.close();
    const health = (await (await fetch(`${running.url}/healthz`)).json()) as { zns?: { sent: number; budget: number } };
    expect(health.zns).toMatchObject({ month: "2026-01", sent: 2, budget: 2 });
  });
});

describe("ladder configuration", () => {
  it("turns e-mail on with SMTP_URL and MAIL_FROM (and the key that signs unsubscribe links), ZNS with a budget and the Zalo channel", () => {
    const zaloEnv = { ZALO_APP_ID: "1", ZALO_APP_SECRET: "s", ZALO_OA_SECRET_KEY: "k" };
    expect(znsOn(parseConfig(zaloEnv))).toBe(false); // no budget, no ZNS: it costs money per message
    expect(znsOn(parseConfig({ ...zaloEnv, ZNS_MONTHLY_BUDGET: "500" }))).toBe(true);
    expect(() => parseConfig({ ZNS_MONTHLY_BUDGET: "500" })).toThrow(/ZNS_MONTHLY_BUDGET: needs the Zalo channel/);
    const mail = { SMTP_URL: "smtp://mail.example.vn:587", MAIL_FROM: "Sở GDĐT <noreply@sogd.example.vn>" };
    expect(emailOn(parseConfig({ ...mail, DATA_ENCRYPTION_KEY: KEY }))).toBe(true);
    expect(() => parseConfig(mail)).toThrow(/DATA_ENCRYPTION_KEY: is required when e-mail is on/);
    expect(() => parseConfig({ SMTP_URL: mail.SMTP_URL, DATA_ENCRYPTION_KEY: KEY })).toThrow(/MAIL_FROM: is required with the other/);
    expect(() => parseConfig({ ...mail, SMTP_URL: "http://mail.example.vn", DATA_ENCRYPTION_KEY: KEY })).toThrow(/SMTP_URL: must be an smtp/);
  });

  it("normalises the registry's phone numbers for ZNS and refuses landlines", () => {
    expect(normalizeVietnamMobile("0913 456 013")).toEqual({ ok: true, phone: "84913456013" });
    expect(normalizeVietnamMobile("+84 918 222 333")).toEqual({ ok: true, phone: "84918222333" });
    expect(normalizeVietnamMobile("0254 3852 123")).toEqual({ ok: false, reason: "landline" });
  });
});
