import ExcelJS from "exceljs";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeInBrowser, launchChromium, seriousAxeViolations } from "./support/browser.js";
import { consolePage, expectNoHorizontalScroll, signIn, staffAccount } from "./support/console.js";
import { Linking } from "../src/registry/linking.js";
import { importPeople } from "../src/registry/people-import.js";
import { importUnits } from "../src/registry/units-import.js";
import { dbWithEverySchoolYear } from "./support/every-school-tasks.js";
import { connectTestDatabase } from "./support/engine.js";
import { startFakeTelegram, type FakeTelegram, type SentMessage } from "./support/fake-telegram.js";
import { startFakeZalo, type FakeZalo } from "./support/fake-zalo.js";
import { simpleParser } from "./support/mail-parse.js";
import { startSmtp, waitFor, type LocalSmtp } from "./support/smtp.js";
import { adminCall, FakeClock, startTestApp, type RunningApp } from "./support/test-app.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
const STAFF_CHAT = -100555666;

interface Row {
  channel: string;
  address: string;
  status: string;
  reason: string | null;
}

function rows(dbPath: string, causeType: string, causeId: number): Row[] {
  const db = connectTestDatabase(dbPath, { readonly: true });
  try {
    return db.prepare("SELECT channel, address, status, reason FROM outbox WHERE cause_type = ? AND cause_id = ? ORDER BY id").all(causeType, causeId) as Row[];
  } finally {
    db.close();
  }
}

/**
 * Staff answers and broadcasts to registry staff the chats cannot reach: an IT lead linked on Zalo only, outside
 * the window, and IT leads who never linked a chat, are reached by e-mail; parents stay chat-only.
 */
describe("e-mail behind the chats for hand-off replies and staff broadcasts", () => {
  let telegram: FakeTelegram;
  let zalo: FakeZalo;
  let smtp: LocalSmtp;
  let running: RunningApp;
  let clock: FakeClock;
  let env: Record<string, string>;
  let dbPath: string;
  let admin: string;
  const call = (method: string, path: string, body?: object) => adminCall(running.url, method, path, admin, body);

  beforeAll(async () => {
    clock = new FakeClock(new Date("2026-01-12T03:00:00Z")); // Monday 10:00 in Vietnam
    telegram = await startFakeTelegram({ username: "sogd_reach_bot" });
    zalo = await startFakeZalo({ now: () => clock.now().getTime() });
    smtp = await startSmtp();
    env = {
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      STAFF_CHAT_ID: String(STAFF_CHAT),
      ...zalo.productEnv(zalo.issueTokens()),
      ...smtp.env(),
      DATA_ENCRYPTION_KEY: "b".repeat(64),
    };
    dbPath = dbWithEverySchoolYear("2025-2026", clock.now());
    running = await startTestApp(env, clock, dbPath);
    const now = clock.now();
    importUnits(running.app.database, readFileSync(join(FIXTURES, "units-sample.csv"), "utf8"), { dryRun: false, now });
    importPeople(running.app.database, readFileSync(join(FIXTURES, "people-sample.csv"), "utf8"), { dryRun: false, now });
    admin = running.app.tokens.create({ name: "Sở", role: "department_admin" }, "test", now).token;
    // Ngô Thị Bích Ngọc (CB0013, IT lead of THCS Huỳnh Khương Ninh) links her Zalo today; nobody else has a chat.
    const code = new Linking(running.app.database.db).issue("CB0013", "test", now).code;
    await zalo.postEvent(`${running.url}/webhooks/zalo`, zalo.textEvent("zngoc", `/link ${code}`, "l1"));
    await zalo.waitForSent((m) => m.userId === "zngoc" && m.text.includes("Ngô Thị Bích Ngọc"), 8000);
  });

  afterAll(async () => {
    await running.stop();
    await smtp.stop();
    await zalo.stop();
    await telegram.stop();
  });

  describe("a broadcast to the IT leads of Vũng Tàu", () => {
    const body = {
      title: "Tập huấn EOffice",
      text: { vi: "Dạ, Sở mời các thầy cô phụ trách CNTT dự tập huấn EOffice lúc 08:00 ngày 15/01/2026 ạ." },
      audience: { roles: ["it_lead"], units: ["PGD-VT"] },
    };
    let id: number;

    it("counts before sending who has no chat and gets it by e-mail, and who cannot be reached at all", async () => {
      // Vũng Tàu's four IT leads: Ngọc on Zalo; Oanh (CB0009) and Tâm (CB0011) never linked a chat but have an
      // e-mail; Diễm (CB0015) has neither.
      const preview = await call("POST", "/api/admin/broadcasts/preview", body);
      expect(preview.status).toBe(200);
      const recipients = preview.body.recipients as { deliverable: number; byChannel: object; withoutChat: number; byEmail: object };
      expect(recipients).toMatchObject({ deliverable: 1, byChannel: { zalo: 1 }, withoutChat: 3, byEmail: { reach: 2, notReached: { no_email: 1 } } });
      // An audience narrowed to a chat takes no e-mail.
      const zaloOnly = await call("POST", "/api/admin/audiences/count", { audience: { ...body.audience, channels: ["zalo"] } });
      expect(zaloOnly.body).toMatchObject({ byEmail: { reach: 0 } });
      // Subscribers (parents) are never in the registry: nobody to e-mail.
      const parents = await call("POST", "/api/admin/audiences/count", { audience: { roles: ["subscriber"] } });
      expect(parents.body).toMatchObject({ withoutChat: 0, byEmail: { reach: 0 } });
    });

    it("reaches the never-linked IT leads by e-mail, once each, across a restart while one mailbox is busy", async () => {
      smtp.busy.add("btkoanh@mnsaomai.edu.vn");
      const created = await call("POST", "/api/admin/broadcasts", body);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ deliverable: 1, byEmail: 2 });
      id = created.body.id as number;
      const mail = await waitFor("the e-mail to CB0011", () => smtp.mails.find((m) => m.to === "lttam@thangnhat.edu.vn"));
      const parsed = simpleParser(mail.raw);
      expect(parsed.subject).toContain("Tập huấn EOffice");
      expect(parsed.text).toContain("08:00 ngày 15/01/2026");
      await zalo.waitForSent((m) => m.userId === "zngoc" && m.text.includes("Tập huấn EOffice"), 8000);
      await waitFor("Oanh's mail waiting for a retry", () => rows(running.dbPath, "broadcast", id).some((r) => r.address === "btkoanh@mnsaomai.edu.vn" && r.reason === "server"));

      await running.stop({ keepData: true });
      smtp.busy.clear();
      running = await startTestApp(env, clock, dbPath);
      running.app.broadcasts.planDue(clock.now()); // the restarted server's tick: nothing planned twice
      clock.advance(10 * 60_000); // past the retry's wait
      await waitFor("the e-mail to CB0009", () => smtp.mails.find((m) => m.to === "btkoanh@mnsaomai.edu.vn"), 15_000);
      await new Promise((r) => setTimeout(r, 400));
      expect(smtp.mails.filter((m) => m.to === "btkoanh@mnsaomai.edu.vn")).toHaveLength(1);
      expect(smtp.mails.filter((m) => m.to === "lttam@thangnhat.edu.vn")).toHaveLength(1);
      expect(zalo.sentTo("zngoc").filter((m) => m.text.includes("Tập huấn EOffice"))).toHaveLength(1);
      expect(zalo.zns.sent).toEqual([]); // never ZNS for a broadcast
    });

    it("reports per person which channel was used, the mailbox, and who could not be reached and why", async () => {
      const report = await call("GET", `/api/admin/broadcasts/${id}/deliveries`);
      const byName = new Map((report.body.deliveries as { name: string }[]).map((r) => [r.name, r]));
      expect(byName.get("Ngô Thị Bích Ngọc")).toMatchObject({ channel: "zalo", status: "sent", email: null });
      expect(byName.get("Lý Thị Thanh Tâm")).toMatchObject({ channel: "email", email: "lttam@thangnhat.edu.vn", status: "sent", units: "Trường Tiểu học Thắng Nhất", role: "it_lead" });
      expect(byName.get("Bùi Thị Kim Oanh")).toMatchObject({ channel: "email", status: "sent", attempts: 2 });
      expect(byName.get("Châu Thị Diễm")).toMatchObject({ channel: "email", status: "skipped", reason: "no_email" });
      expect(report.body.total).toBe(4);
      // The export says the same, in Vietnamese.
      const res = await fetch(`${running.url}/api/admin/broadcasts/${id}/deliveries.xlsx`, { headers: { authorization: `Bearer ${admin}` } });
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(await res.arrayBuffer());
      const sheet: string[][] = [];
      workbook.getWorksheet("Người nhận")?.eachRow((row) => sheet.push(Array.from({ length: 11 }, (_, i) => String((row.values as unknown[])[i + 1] ?? ""))));
      expect(sheet[0]?.slice(9)).toEqual(["Địa chỉ email", "Đã tới người nhận (giờ Việt Nam)"]);
      const tam = sheet.find((r) => r[1] === "Lý Thị Thanh Tâm");
      expect([tam?.[4], tam?.[5], tam?.[9]]).toEqual(["Email", "Đã gửi", "lttam@thangnhat.edu.vn"]);
      const diem = sheet.find((r) => r[1] === "Châu Thị Diễm");
      expect([diem?.[4], diem?.[5], diem?.[6]]).toEqual(["Email", "Bỏ qua", "Danh bạ không có địa chỉ email"]);
    });
  });

  describeInBrowser("the broadcast screens in Chromium", () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
      await staffAccount(running, "lan", "department_admin", { name: "Nguyễn Thị Lan" });
    });
    afterAll(async () => {
      await browser?.close();
    });

    it("counts the e-mail recipients while composing and in the confirmation (phone)", async () => {
      const { context, page } = await consolePage(browser, "phone");
      await signIn(page, running.url, "lan");
      await page.goto(`${running.url}/admin#/broadcasts/new`);
      await page.getByRole("checkbox", { name: "Phụ trách CNTT" }).check();
      await page.getByLabel("Tìm đơn vị").fill("Vũng Tàu");
      await page.getByRole("checkbox", { name: /^Phòng GDĐT Thành phố Vũng Tàu/ }).check();
      const panel = page.locator(".count-panel");
      await panel.getByText("2 cán bộ trong danh bạ chưa liên kết chat sẽ nhận qua email.").waitFor();
      await panel.getByText("1 cán bộ trong danh bạ thuộc nhóm này chưa liên kết Telegram hoặc Zalo nên không nhận được.").waitFor();
      expect(await seriousAxeViolations(page)).toEqual([]);
      await page.getByRole("button", { name: "Tiếp theo" }).click();
      await page.getByLabel("Tiêu đề", { exact: true }).fill("Họp giao ban CNTT");
      await page.getByLabel("Nội dung (tiếng Việt)").fill("Họp lúc 8:00 thứ Hai ạ.");
      await page.getByRole("button", { name: "Tiếp theo" }).click();
      await page.getByRole("button", { name: "Tiếp theo" }).click();
      await page.getByRole("button", { name: "Gửi ngay" }).click();
      const dialog = page.locator("dialog[open]");
      await dialog.getByText("2 cán bộ trong danh bạ chưa liên kết chat sẽ nhận qua email.").waitFor();
      await expectNoHorizontalScroll(page);
      await dialog.getByRole("button", { name: "Huỷ" }).click();
      await context.close();
    }, 60_000);

    it("the report shows the channel used, the mailbox, and who was not reached (desktop)", async () => {
      const { context, page } = await consolePage(browser, "desktop");
      await signIn(page, running.url, "lan");
      const db = connectTestDatabase(running.dbPath, { readonly: true });
      const id = (db.prepare("SELECT id FROM broadcasts WHERE title = 'Tập huấn EOffice'").get() as { id: number }).id;
      db.close();
      await page.goto(`${running.url}/admin#/broadcasts/${id}`);
      const tam = page.getByRole("row").filter({ hasText: "Lý Thị Thanh Tâm" });
      await tam.getByRole("cell", { name: "Email (lttam@thangnhat.edu.vn)" }).waitFor();
      await tam.getByRole("cell", { name: "Đã gửi" }).waitFor();
      const diem = page.getByRole("row").filter({ hasText: "Châu Thị Diễm" });
      await diem.getByRole("cell", { name: "Danh bạ không có địa chỉ email" }).waitFor();
      expect(await seriousAxeViolations(page)).toEqual([]);
      await context.close();
    }, 60_000);
  });

  describe("a staff answer to a hand-off from Zalo, eight days later, the OA's transaction quota spent", () => {
    let itLeadPost: SentMessage;
    let parentPost: SentMessage;
    const staffReply = (post: SentMessage, messageId: number, text: string) => {
      const now = Math.floor(Date.now() / 1000);
      const chat = { id: STAFF_CHAT, type: "supergroup" as const, title: "Hỗ trợ" };
      telegram.pushUpdate({
        message: {
          message_id: messageId,
          date: now,
          chat,
          from: { id: 42, is_bot: false, first_name: "Chị", last_name: "Hoa" },
          text,
          reply_to_message: { message_id: post.messageId, date: now, chat, text: post.visibleText },
        },
      } as never);
    };

    beforeAll(async () => {
      const webhook = `${running.url}/webhooks/zalo`;
      await zalo.postEvent(webhook, zalo.textEvent("zngoc", "tôi muốn gặp nhân viên tư vấn về tài khoản EOffice của trường", "h1"));
      itLeadPost = await telegram.waitForSent((m) => m.chatId === STAFF_CHAT && m.visibleText.includes("EOffice của trường"), 8000);
      await zalo.postEvent(webhook, zalo.textEvent("zparent", "tôi muốn gặp nhân viên tư vấn về học bạ số của con", "h2"));
      parentPost = await telegram.waitForSent((m) => m.chatId === STAFF_CHAT && m.visibleText.includes("học bạ số của con"), 8000);
      clock.set(new Date("2026-01-20T02:00:00Z")); // eight days on: Zalo's window is closed for both
      // Outside the window an answer goes by Zalo transaction message; this month the OA's quota is spent.
      zalo.oaOutOfQuota = true;
    });

    it("reaches a Zalo-only IT lead outside the window by e-mail, and tells the staff member where it went and why", async () => {
      staffReply(itLeadPost, 9101, "Dạ, Sở đã cấp lại mật khẩu EOffice, chị kiểm tra giúp em ạ.");
      const mail = await waitFor("the answer by e-mail", () => smtp.mails.find((m) => m.to === "ntbngoc@thcshkn.edu.vn"));
      const parsed = simpleParser(mail.raw);
      expect(parsed.text).toContain("Cán bộ Sở GDĐT trả lời");
      expect(parsed.text).toContain("Sở đã cấp lại mật khẩu EOffice");
      const told = await telegram.waitForSent((m) => m.chatId === STAFF_CHAT && m.visibleText.includes("ntbngoc@thcshkn.edu.vn"), 8000);
      expect(told.visibleText).toContain("Zalo của người hỏi không nhận được lúc này");
      expect(told.visibleText).toContain("Official Account đã hết hạn mức gửi tin Zalo");
      expect(told.visibleText).toContain("qua Email ntbngoc@thcshkn.edu.vn");
      expect(zalo.sentTo("zngoc").some((m) => m.text.includes("mật khẩu EOffice"))).toBe(false);
      // The console's thread says where it went too.
      const db = connectTestDatabase(running.dbPath, { readonly: true });
      const handoff = (db.prepare("SELECT h.id FROM handoffs h JOIN channel_addresses a ON a.user_id = h.user_id WHERE a.address = 'zngoc'").get() as { id: number }).id;
      db.close();
      const thread = await waitFor("the thread's delivery", async () => {
        const t = (await call("GET", `/api/admin/handoffs/${handoff}`)).body as { messages: { delivery: string; deliveredVia: string | null }[] };
        return t.messages.at(-1)?.delivery === "sent" && t;
      });
      expect(thread.messages.at(-1)).toMatchObject({ delivery: "sent", deliveredVia: "email:ntbngoc@thcshkn.edu.vn" });
    });

    it("keeps a parent chat-only: the staff member is told it could not be delivered, and why", async () => {
      const sentBefore = smtp.mails.length;
      staffReply(parentPost, 9102, "Dạ, học bạ số có trên VnEdu ạ.");
      const told = await telegram.waitForSent((m) => m.chatId === STAFF_CHAT && m.visibleText.includes("Không gửi được câu trả lời"), 8000);
      expect(told.visibleText).toContain("Zalo: Official Account đã hết hạn mức gửi tin Zalo");
      expect(smtp.mails.length).toBe(sentBefore);
      expect(zalo.sentTo("zparent").some((m) => m.text.includes("học bạ số có trên VnEdu"))).toBe(false);
      expect(zalo.zns.sent).toEqual([]);
    });
  });
});
