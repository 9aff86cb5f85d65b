import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Linking } from "../src/registry/linking.js";
import { importPeople } from "../src/registry/people-import.js";
import { importUnits } from "../src/registry/units-import.js";
import { dbWithEverySchoolYear } from "./support/every-school-tasks.js";
import { startFakeZalo, type FakeZalo } from "./support/fake-zalo.js";
import { adminCall, FakeClock, startTestApp, type RunningApp } from "./support/test-app.js";
import { connectTestDatabase } from "./support/engine.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
/** 10:00 in Vietnam on a date. */
const at10 = (date: string) => new Date(`${date}T03:00:00Z`);

async function waitFor<T>(what: string, probe: () => T | undefined | false, ms = 8000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Row {
  id: number;
  address: string;
  status: string;
  reason: string | null;
  zalo_type: string | null;
  attempts: number;
}

function rows(dbPath: string, where: string, ...params: (string | number)[]): Row[] {
  const db = connectTestDatabase(dbPath, { readonly: true });
  try {
    return db.prepare(`SELECT id, address, status, reason, zalo_type, attempts FROM outbox WHERE ${where} ORDER BY id`).all(...params) as Row[];
  } finally {
    db.close();
  }
}

describe("reminders and hand-off replies to Zalo followers outside the consultation window", () => {
  let zalo: FakeZalo;
  let running: RunningApp;
  let clock: FakeClock;

  beforeAll(async () => {
    clock = new FakeClock(at10("2026-01-12"));
    zalo = await startFakeZalo({ now: () => clock.now().getTime() });
    running = await startTestApp(zalo.productEnv(zalo.issueTokens()), clock, dbWithEverySchoolYear("2025-2026", clock.now()));
    const now = clock.now();
    importUnits(running.app.database, readFileSync(join(FIXTURES, "units-sample.csv"), "utf8"), { dryRun: false, now });
    importPeople(running.app.database, readFileSync(join(FIXTURES, "people-sample.csv"), "utf8"), { dryRun: false, now });
    // Ngô Thị Bích Ngọc (CB0013) links her Zalo on Monday 12 January and writes nothing after.
    const code = new Linking(running.app.database.db).issue("CB0013", "test", now).code;
    await zalo.postEvent(`${running.url}/webhooks/zalo`, zalo.textEvent("zngoc", `/link ${code}`, "l1"));
    await zalo.waitForSent((m) => m.userId === "zngoc" && m.text.includes("Ngô Thị Bích Ngọc"), 8000);
    // A parent asks for a person the same day, and writes nothing after.
    await zalo.postEvent(`${running.url}/webhooks/zalo`, zalo.textEvent("zph", "tôi muốn gặp nhân viên tư vấn về học bạ số", "h1"));
    await zalo.waitForSent((m) => m.userId === "zph", 8000);
  });

  afterAll(async () => {
    await running.stop();
    await zalo.stop();
  });

  it("goes by a transaction message (header, text, buttons) 8 days after her last message, and the report says so", async () => {
    clock.set(new Date("2026-01-20T01:00:00Z")); // 08:00 on the due day, 8 days after she wrote
    running.app.planner.plan(clock.now());
    const sent = await zalo.waitForSent((m) => m.userId === "zngoc" && m.type === "transaction", 8000);
    expect(sent.template).toMatchObject({ templateType: "transaction_education", language: "VI" });
    expect(sent.template?.header).toBe("⏰ Nhắc việc: Báo cáo giữa năm học về nhiệm vụ ứng dụng CNTT");
    expect(sent.text).toContain("Hạn: 20/01/2026 (hôm nay là hạn chót)");
    expect(sent.buttons.map((b) => [b.title, b.type])).toEqual([
      ["Đã hoàn thành", "oa.query.hide"],
      ["Nhắc lại ngày mai", "oa.query.hide"],
      ["Cần hỗ trợ", "oa.query.hide"],
    ]);
    // Nothing went by consultation (Zalo would have refused it) and nothing fell back.
    expect(zalo.sentTo("zngoc").filter((m) => m.type === "consultation" && m.text.includes("Báo cáo"))).toEqual([]);
    const settled = await waitFor("the reminder row settled", () => {
      const r = rows(running.dbPath, "cause_type = 'reminder' AND address = ?", "zngoc");
      return r.length > 0 && r.every((x) => x.status === "sent") && r;
    });
    expect(settled.map((r) => [r.status, r.reason, r.zalo_type])).toEqual([["sent", null, "transaction"]]);
  });

  it("a staff answer to a hand-off 9 days later reaches the parent by a transaction message too", async () => {
    clock.set(at10("2026-01-21"));
    const admin = running.app.tokens.create({ name: "admin", role: "department_admin" }, "test", clock.now()).token;
    const list = await adminCall(running.url, "GET", "/api/admin/handoffs", admin);
    const id = (list.body.handoffs as { id: number }[])[0]?.id;
    const res = await adminCall(running.url, "POST", `/api/admin/handoffs/${id}/replies`, admin, { text: "Dạ, học bạ số có từ tháng 3, anh/chị xem trên VnEdu ạ." });
    expect(res.status).toBe(201);
    const sent = await zalo.waitForSent((m) => m.userId === "zph" && m.text.includes("học bạ số có từ tháng 3"), 8000);
    expect(sent).toMatchObject({ type: "transaction", template: { templateType: "transaction_education" } });
    const settled = await waitFor("the reply row settled", () => {
      const r = rows(running.dbPath, "cause_type = 'handoff_reply' AND address = ?", "zph");
      return r.length > 0 && r.every((x) => x.status === "sent") && r;
    });
    expect(settled.map((r) => r.zalo_type)).toEqual(["transaction"]);
  });
});

describe("a broadcast to Zalo followers: consultation in the window, promotion within the monthly quota", () => {
  let zalo: FakeZalo;
  let running: RunningApp;
  let clock: FakeClock;
  let admin: string;
  let webhook: string;
  const draft = (title: string) => ({ title, text: { vi: "Lịch họp phụ huynh toàn tỉnh vào thứ Bảy." }, audience: { channels: ["zalo"] } });

  const subscribe = async (userId: string, msgId: string): Promise<void> => {
    await zalo.postEvent(webhook, zalo.textEvent(userId, "/subscribe", msgId));
    await zalo.waitForSent((m) => m.userId === userId, 8000);
  };
  const broadcast = async (title: string): Promise<number> => {
    const res = await adminCall(running.url, "POST", "/api/admin/broadcasts", admin, draft(title));
    expect(res.status).toBe(201);
    const id = Number(res.body.id);
    await waitFor(`broadcast ${title} done`, () => rows(running.dbPath, "cause_type = 'broadcast' AND cause_id = ? AND status IN ('queued', 'sending')", id).length === 0 && rows(running.dbPath, "cause_type = 'broadcast' AND cause_id = ?", id).length > 0, 10_000);
    return id;
  };

  beforeAll(async () => {
    clock = new FakeClock(at10("2026-01-02"));
    zalo = await startFakeZalo({ now: () => clock.now().getTime() });
    running = await startTestApp(zalo.productEnv(zalo.issueTokens()), clock, dbWithEverySchoolYear("2025-2026", clock.now()));
    admin = running.app.tokens.create({ name: "admin", role: "department_admin" }, "test", clock.now()).token;
    webhook = `${running.url}/webhooks/zalo`;
    // A parent who last wrote on 2 January, then got this month's four promotion messages on the 12th.
    await subscribe("zfull", "f1");
    clock.set(at10("2026-01-12"));
    for (const n of [1, 2, 3, 4]) await broadcast(`Thông báo số ${n}`);
    expect(zalo.sentTo("zfull").filter((m) => m.type === "promotion")).toHaveLength(4);
    // One who last wrote on the 12th (8 days before the broadcast), one on the 17th (3 days), one today.
    await subscribe("zout", "o1");
    clock.set(at10("2026-01-17"));
    await subscribe("zmid", "m1");
    clock.set(at10("2026-01-20"));
    await subscribe("zin", "i1");
  });

  afterAll(async () => {
    await running.stop();
    await zalo.stop();
  });

  it("says before sending who goes by which type, at what cost, and who is skipped for a used quota", async () => {
    const res = await adminCall(running.url, "POST", "/api/admin/broadcasts/preview", admin, draft("Họp phụ huynh"));
    expect(res.status).toBe(200);
    const recipients = res.body.recipients as { byChannel: Record<string, number>; notDeliverable: Record<string, number>; zalo: unknown };
    expect(recipients.zalo).toEqual({
      // zin wrote today (free), zmid 3 days ago (charged after 48 hours: 50 đ), zout 8 days ago (promotion: 250 đ)
      byType: { consultation: { followers: 2, charged: 1, costVnd: 50 }, promotion: { followers: 1, charged: 1, costVnd: 250 } },
      skipped: { zalo_quota: 1, outside_zalo_window: 0 },
      costVnd: 300,
    });
    expect(recipients.byChannel.zalo).toBe(3);
    expect(recipients.notDeliverable.zalo_quota).toBe(1);
  });

  it("sends consultation in the window and promotion outside it, skips the follower whose quota is used, and never leaves the chats", async () => {
    const id = await broadcast("Họp phụ huynh");
    const report = rows(running.dbPath, "cause_type = 'broadcast' AND cause_id = ?", id);
    const byAddress = Object.fromEntries(report.map((r) => [r.address, [r.status, r.reason, r.zalo_type]]));
    expect(byAddress).toEqual({
      zfull: ["skipped", "zalo_quota", null],
      zout: ["sent", null, "promotion"],
      zmid: ["sent", null, "consultation"],
      zin: ["sent", null, "consultation"],
    });
    const promotion = zalo.sentTo("zout").find((m) => m.type === "promotion");
    expect(promotion?.template).toMatchObject({ templateType: "promotion", header: "Họp phụ huynh" });
    expect(promotion?.text).toContain("Lịch họp phụ huynh toàn tỉnh");
    expect(zalo.sentTo("zin").at(-1)).toMatchObject({ type: "consultation", text: expect.stringContaining("Họp phụ huynh") as string });
    expect(zalo.sentTo("zfull").filter((m) => m.type === "promotion")).toHaveLength(4);
    expect(rows(running.dbPath, "cause_type = 'broadcast' AND channel IN ('zns', 'email')")).toEqual([]);
    // The console's report (and its API) says which type each delivery went by.
    const page = await adminCall(running.url, "GET", `/api/admin/broadcasts/${id}/deliveries`, admin);
    const shown = (page.body.deliveries as { zaloType: string | null; status: string; reason: string | null }[]).map((d) => [d.status, d.reason, d.zaloType]);
    expect(shown.sort()).toEqual([
      ["sent", null, "consultation"],
      ["sent", null, "consultation"],
      ["sent", null, "promotion"],
      ["skipped", "zalo_quota", null],
    ]);
  });

  it("takes Zalo's own quota refusal (-218) as the end of that delivery: no crash, no resend, the reason in the report", async () => {
    zalo.promotionQuota = 1; // Zalo counts a promotion we did not send (the OA's own campaign tool)
    const before = zalo.requests.filter((r) => r.path === "/v3.0/oa/message/promotion").length;
    const id = await broadcast("Lịch nghỉ Tết");
    const [zout] = rows(running.dbPath, "cause_type = 'broadcast' AND cause_id = ? AND address = 'zout'", id);
    expect(zout).toMatchObject({ status: "failed", reason: "zalo_quota", attempts: 1, zalo_type: null });
    const promotionCalls = zalo.requests.filter((r) => r.path === "/v3.0/oa/message/promotion").slice(before);
    expect(promotionCalls.map((r) => r.error)).toEqual([-218]);
    await new Promise((r) => setTimeout(r, 500));
    expect(zalo.requests.filter((r) => r.path === "/v3.0/oa/message/promotion").length - before).toBe(1);
    const status = await adminCall(running.url, "GET", `/api/admin/broadcasts/${id}`, admin);
    expect(status.body.status).toBe("done");
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
  });
});
