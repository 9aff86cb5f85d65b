import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Linking } from "../src/registry/linking.js";
import { importPeople } from "../src/registry/people-import.js";
import { importUnits } from "../src/registry/units-import.js";
import { describeInBrowser, launchChromium, seriousAxeViolations } from "./support/browser.js";
import { consolePage, expectNoHorizontalScroll, signIn, staffAccount } from "./support/console.js";
import { dbWithEverySchoolYear } from "./support/every-school-tasks.js";
import { connectTestDatabase, databaseEnv } from "./support/engine.js";
import { startFakeZalo, type FakeZalo } from "./support/fake-zalo.js";
import { simpleParser } from "./support/mail-parse.js";
import { startSmtp, waitFor, type LocalSmtp } from "./support/smtp.js";
import { adminCall, FakeClock, startTestApp, type RunningApp } from "./support/test-app.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
/** 08:00 in Vietnam on a date. */
const at8 = (date: string) => new Date(`${date}T01:00:00Z`);
const DUE_DAY = at8("2026-01-20");

/** One person's reminder rows for a step, in the order the ladder wrote them. */
function taskId(dbPath: string, key: string): number {
  const db = connectTestDatabase(dbPath, { readonly: true });
  try {
    return (db.prepare("SELECT id FROM tasks WHERE key = ? ORDER BY id DESC LIMIT 1").get(key) as { id: number }).id;
  } finally {
    db.close();
  }
}

function rowsOf(dbPath: string, ref: string, step: string): { channel: string; status: string; reason: string | null }[] {
  const db = connectTestDatabase(dbPath, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT o.channel, o.status, o.reason FROM outbox o
         JOIN reminders r ON o.cause_type = 'reminder' AND o.cause_id = r.id JOIN people p ON p.id = r.person_id
         WHERE p.ref = ? AND r.step = ? ORDER BY o.id`,
      )
      .all(ref, step) as { channel: string; status: string; reason: string | null }[];
  } finally {
    db.close();
  }
}

describe("a person's own order of the channels", () => {
  let zalo: FakeZalo;
  let smtp: LocalSmtp;
  let running: RunningApp;
  let clock: FakeClock;
  let env: Record<string, string>;
  let dbPath: string;
  let admin: string;
  const webhook = () => `${running.url}/webhooks/zalo`;
  const dryRunOf = (ref: string) => running.app.planner.dryRun(DUE_DAY).find((r) => r.ref === ref && r.task === "mid_year_it_report");

  beforeAll(async () => {
    clock = new FakeClock(new Date("2026-01-12T03:00:00Z"));
    zalo = await startFakeZalo({ now: () => clock.now().getTime() });
    smtp = await startSmtp();
    env = {
      ...zalo.productEnv(zalo.issueTokens()),
      ZALO_BUSINESS_BASE: zalo.baseUrl,
      ZNS_MONTHLY_BUDGET: "100",
      ...smtp.env(),
      DATA_ENCRYPTION_KEY: "c".repeat(64),
    };
    dbPath = dbWithEverySchoolYear("2025-2026", clock.now());
    running = await startTestApp(env, clock, dbPath);
    const now = clock.now();
    importUnits(running.app.database, readFileSync(join(FIXTURES, "units-sample.csv"), "utf8"), { dryRun: false, now });
    importPeople(running.app.database, readFileSync(join(FIXTURES, "people-sample.csv"), "utf8"), { dryRun: false, now });
    admin = running.app.tokens.create({ name: "Sở", role: "department_admin" }, "test", now).token;
    const code = new Linking(running.app.database.db).issue("CB0013", "test", now).code;
    await zalo.postEvent(webhook(), zalo.textEvent("zngoc", `/link ${code}`, "l1"));
    await zalo.waitForSent((m) => m.userId === "zngoc" && m.text.includes("Ngô Thị Bích Ngọc"), 8000);
  });

  afterAll(async () => {
    await running.stop();
    await smtp.stop();
    await zalo.stop();
  });

  it("/settings thứ tự puts e-mail first in the chat, and shows the order", async () => {
    // The day before the due day she writes to the OA: Zalo's window is open on the due day.
    clock.set(at8("2026-01-19"));
    await zalo.postEvent(webhook(), zalo.textEvent("zngoc", "/settings thứ tự email", "s1"));
    const shown = await zalo.waitForSent((m) => m.userId === "zngoc" && m.text.includes("Đã lưu thứ tự"), 8000);
    expect(shown.text).toContain("Đã lưu thứ tự: Email → Zalo → Telegram → Tin ZNS qua số điện thoại");
    expect(shown.text).toContain("theo thứ tự anh/chị đã chọn");
    expect(shown.text).toMatch(/1\. Email: bật\n2\. Zalo: bật/);
    await zalo.postEvent(webhook(), zalo.textEvent("zngoc", "/settings thứ tự fax", "s2"));
    await zalo.waitForSent((m) => m.userId === "zngoc" && m.text.startsWith("Để chọn thứ tự"), 8000);
  });

  it("staff set an order in the console (e-mail before ZNS) for a person with no chat", async () => {
    const set = await adminCall(running.url, "PUT", "/api/admin/people/CB0031/reach", admin, { off: [], order: ["email"] });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ ref: "CB0031", reachOff: [], reachOrder: ["email", "zalo", "telegram", "zns"] });
    const listed = await adminCall(running.url, "GET", "/api/admin/people?q=CB0031", admin);
    expect((listed.body.people as object[])[0]).toMatchObject({ reachOrder: ["email", "zalo", "telegram", "zns"] });
    const unknown = await adminCall(running.url, "PUT", "/api/admin/people/CB0031/reach", admin, { off: [], order: ["fax"] });
    expect(unknown.status).toBe(400);
  });

  it("the dry run follows each person's order and says why", async () => {
    expect(dryRunOf("CB0013")).toMatchObject({ channel: "email", why: "own order email > zalo > telegram > zns; email: first in the person's order" });
    expect(dryRunOf("CB0031")).toMatchObject({ channel: "email", why: expect.stringContaining("own order email") as string });
    // Without an order of her own, Zalo (open window) would come first; without his, ZNS.
    expect(dryRunOf("CB0033")).toMatchObject({ channel: "zns" });
    const { stdout } = await promisify(execFile)("npm", ["run", "--silent", "reminders", "--", "--at", "2026-01-20T08:00", "--dry-run", "--json"], {
      cwd: join(import.meta.dirname, ".."),
      env: { ...process.env, ...env, ...databaseEnv(running.dbPath), LOG_LEVEL: "silent" },
      timeout: 60_000,
    });
    const line = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, string>)
      .find((r) => r.ref === "CB0013" && r.task === "mid_year_it_report");
    expect(line).toMatchObject({ channel: "email", why: expect.stringContaining("email: first in the person's order") as string });
  }, 120_000);

  it("sends the due-day reminder by e-mail, not Zalo or ZNS, and nothing twice across a restart", async () => {
    clock.set(DUE_DAY);
    running.app.planner.plan(clock.now());
    const mail = await waitFor("CB0013's e-mail", () => smtp.mails.find((m) => m.to === "ntbngoc@thcshkn.edu.vn"));
    expect(simpleParser(mail.raw).text).toMatch(/20\/01\/2026/);
    await waitFor("CB0031's e-mail", () => smtp.mails.find((m) => m.to === "pmkhoi@thptvungtau.edu.vn"));
    await waitFor("CB0033's ZNS", () => zalo.zns.sent.find((m) => m.phone === "84918800033"));
    // Every row of the step settled before the restart (a send in flight at a stop may go again after it).
    await waitFor("the due-day rows settled", () =>
      ["CB0012", "CB0013", "CB0031", "CB0033"].every((ref) => rowsOf(running.dbPath, ref, "due").some((r) => r.status === "sent")),
    );

    await running.stop({ keepData: true });
    running = await startTestApp(env, clock, dbPath);
    running.app.planner.plan(clock.now()); // the restarted server's tick plans the same step again
    clock.advance(60_000);
    await new Promise((r) => setTimeout(r, 600));
    expect(smtp.mails.filter((m) => m.to === "ntbngoc@thcshkn.edu.vn")).toHaveLength(1);
    expect(smtp.mails.filter((m) => m.to === "pmkhoi@thptvungtau.edu.vn")).toHaveLength(1);
    expect(zalo.sentTo("zngoc").some((m) => m.text.includes("Báo cáo"))).toBe(false);
    expect(zalo.zns.sent.filter((m) => m.phone === "84918700031" || m.phone === "84913456013")).toEqual([]);
    expect(rowsOf(running.dbPath, "CB0013", "due")).toEqual([{ channel: "email", status: "sent", reason: null }]);
    expect(rowsOf(running.dbPath, "CB0031", "due")).toEqual([{ channel: "email", status: "sent", reason: null }]);
  });

  it("shows each unit's reminders with the channel used and when a ZNS message arrived", async () => {
    const task = taskId(running.dbPath, "mid_year_it_report");
    const hkn = await adminCall(running.url, "GET", `/api/admin/tasks/${task}/units/THCS-HKN-VT/reminders`, admin);
    expect(hkn.status).toBe(200);
    // Her school leader (CB0012, no chat, default order) got ZNS; she, by her order, e-mail.
    expect(hkn.body.deliveries).toEqual([
      expect.objectContaining({ ref: "CB0012", step: "due", channel: "zns", email: null, status: "sent" }),
      expect.objectContaining({ ref: "CB0013", step: "due", channel: "email", email: "ntbngoc@thcshkn.edu.vn", status: "sent", deliveredAt: null }),
    ]);
    const zns = zalo.zns.sent.find((m) => m.phone === "84918800033");
    if (!zns) throw new Error("no ZNS to CB0033");
    const arrived = Date.parse("2026-01-20T01:00:09Z");
    await zalo.postEvent(webhook(), zalo.znsReceiptEvent({ msgId: zns.msgId, trackingId: zns.trackingId }, arrived));
    const ct = await waitFor("the receipt in the report", async () => {
      const res = await adminCall(running.url, "GET", `/api/admin/tasks/${task}/units/THPT-CT/reminders`, admin);
      const rows = res.body.deliveries as { deliveredAt: number | null }[];
      return rows.some((r) => r.deliveredAt !== null) && rows;
    });
    expect(ct.find((r) => r.deliveredAt !== null)).toMatchObject({ ref: "CB0033", channel: "zns", email: null, status: "sent", deliveredAt: arrived });
    expect(ct.filter((r) => r.deliveredAt !== null)).toHaveLength(1); // her school leader's ZNS has no receipt yet
    const outside = await adminCall(running.url, "GET", `/api/admin/tasks/${task}/units/NO-SUCH-UNIT/reminders`, admin);
    expect(outside.status).toBe(404);
  });

  it("/settings thứ tự mặc định goes back to the chat used last first", async () => {
    await zalo.postEvent(webhook(), zalo.textEvent("zngoc", "/settings thứ tự mặc định", "s3"));
    await zalo.waitForSent((m) => m.userId === "zngoc" && m.text.includes("Đã trở lại thứ tự mặc định"), 8000);
    expect(running.app.planner.dryRun(at8("2026-01-22")).find((r) => r.ref === "CB0013" && r.task === "mid_year_it_report")).toMatchObject({
      channel: "zalo",
    });
  });
  describeInBrowser("in Chromium", () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
      await staffAccount(running, "so", "department_admin", { name: "Nguyễn Thị Lan" });
    });
    afterAll(async () => {
      await browser?.close();
    });

    it("a Department admin moves e-mail up a person's order in the reach dialog; the list and the dry run follow", async () => {
      const { context, page } = await consolePage(browser, "phone");
      await signIn(page, running.url, "so");
      await page.goto(`${running.url}/admin#/registry`);
      await page.getByLabel("Tìm theo họ tên hoặc mã cán bộ").fill("CB0033");
      await page.getByRole("button", { name: "Chọn kênh nhắc việc cho Võ Hoàng Yến" }).click();
      const dialog = page.getByRole("dialog", { name: "Kênh nhắc việc của Võ Hoàng Yến" });
      await dialog.getByText("Đang theo thứ tự mặc định").waitFor();
      await dialog.getByRole("button", { name: "Đưa Thư điện tử lên trên một bậc" }).click();
      await dialog.getByText("Thứ tự riêng của anh/chị ấy").waitFor();
      expect(await dialog.locator("ol li").allInnerTexts()).toEqual([
        expect.stringContaining("Zalo"),
        expect.stringContaining("Telegram"),
        expect.stringContaining("Thư điện tử"),
        expect.stringContaining("Tin ZNS"),
      ]);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await dialog.getByRole("button", { name: "Lưu" }).click();
      await page.getByText("Thứ tự riêng: Zalo → Telegram → Thư điện tử → Tin ZNS (theo số điện thoại)").first().waitFor();
      await expectNoHorizontalScroll(page);
      await context.close();
      expect(running.app.planner.dryRun(at8("2026-01-22")).find((r) => r.ref === "CB0033" && r.task === "mid_year_it_report")).toMatchObject({
        channel: "email",
        why: "own order zalo > telegram > email > zns; no zalo; no telegram; then email",
      });
    }, 60_000);

    it("the unit's task page lists the reminders sent: channel, mailbox, and when the ZNS message arrived", async () => {
      const { context, page } = await consolePage(browser, "desktop");
      await signIn(page, running.url, "so");
      const task = taskId(running.dbPath, "mid_year_it_report");
      await page.goto(`${running.url}/admin#/tasks/${task}/THPT-CT`);
      const table = page.getByRole("table", { name: /Nhắc việc cho cán bộ của Trường THPT Châu Thành/ });
      const row = table.getByRole("row").filter({ hasText: "Võ Hoàng Yến (CB0033)" });
      await row.waitFor();
      const cells = await row.getByRole("cell").allInnerTexts();
      expect(cells).toEqual(["Võ Hoàng Yến (CB0033)", "Đúng ngày hạn · 20/01/2026 08:00", "Tin ZNS", "Đã gửi", "—", expect.stringMatching(/^20\/01\/2026 08:0\d$/), "20/01/2026 08:00"]);
      await page.goto(`${running.url}/admin#/tasks/${task}/THCS-HKN-VT`);
      await page.getByRole("cell", { name: "Email (ntbngoc@thcshkn.edu.vn)" }).waitFor();
      expect(await seriousAxeViolations(page)).toEqual([]);
      await context.close();
    }, 60_000);
  });
});
