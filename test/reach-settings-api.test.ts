import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeInBrowser, launchChromium, seriousAxeViolations } from "./support/browser.js";
import { consolePage, expectNoHorizontalScroll, signIn, staffAccount } from "./support/console.js";
import type { FakeZalo } from "./support/fake-zalo.js";
import { startZnsProvince } from "./support/zns-province.js";
import { adminCall, type RunningApp } from "./support/test-app.js";
import { connectTestDatabase } from "./support/engine.js";

/** The due day of the mid-year IT report, 08:00 in Vietnam. */
const DUE_DAY = new Date("2026-01-20T01:00:00Z");

async function waitFor<T>(what: string, probe: () => T | undefined | false, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function query<T>(dbPath: string, sql: string, ...params: unknown[]): T[] {
  const db = connectTestDatabase(dbPath, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

describe("a person's reminder channels, set by staff in the console (the chat's /settings)", () => {
  let zalo: FakeZalo;
  let running: RunningApp;
  let admin: string;
  let office: string;
  let viewer: string;
  const call = (method: string, path: string, token: string, body?: object) => adminCall(running.url, method, path, token, body);
  const personOf = async (token: string, ref: string) =>
    ((await call("GET", `/api/admin/people?q=${ref}`, token)).body.people as { ref: string; reachOff: string[] }[]).find((p) => p.ref === ref);
  const dryRunOf = (ref: string) => running.app.planner.dryRun(DUE_DAY).find((r) => r.ref === ref && r.task === "mid_year_it_report");

  beforeAll(async () => {
    ({ zalo, running, admin, office, viewer } = await startZnsProvince(100));
  });
  afterAll(async () => {
    await running?.stop();
    await zalo?.stop();
  });

  it("lets an office admin turn ZNS off for a person of its units, audited; not a viewer, not outside its units", async () => {
    // Ngô Thị Bích Ngọc (CB0013, THCS Huỳnh Khương Ninh, under PGD-VT) has linked no chat: ZNS is her first step.
    expect(await personOf(office, "CB0013")).toMatchObject({ reachOff: [] });
    expect(dryRunOf("CB0013")).toMatchObject({ channel: "zns" });

    const refused = await call("PUT", "/api/admin/people/CB0013/reach", viewer, { off: ["zns"] });
    expect(refused.status).toBe(403);
    // Kiều Thị Ngân (CB0027) is under PGD-XM: for PGD-VT's admin she does not exist.
    const elsewhere = await call("PUT", "/api/admin/people/CB0027/reach", office, { off: ["zns"] });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.code).toBe("not_found");
    const unknown = await call("PUT", "/api/admin/people/CB0013/reach", office, { off: ["sms"] });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ code: "unknown_channel", field: "off" });
    const notList = await call("PUT", "/api/admin/people/CB0013/reach", office, { off: "zns" });
    expect(notList.status).toBe(400);
    expect(await personOf(admin, "CB0027")).toMatchObject({ reachOff: [] });
    expect(await personOf(admin, "CB0013")).toMatchObject({ reachOff: [] });

    const done = await call("PUT", "/api/admin/people/CB0013/reach", office, { off: ["zns"] });
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ ref: "CB0013", reachOff: ["zns"], reachOrder: [] });
    expect(await personOf(office, "CB0013")).toMatchObject({ reachOff: ["zns"] });
    expect(query<{ actor: string; detail: string }>(running.dbPath, "SELECT actor, detail FROM audit_log WHERE action = 'person.reach' AND target = 'person:CB0013'")).toEqual([
      { actor: expect.stringContaining("PGD VT") as string, detail: JSON.stringify({ before: [], after: ["zns"] }) },
    ]);
  });

  it("the dry run and the ladder then skip ZNS for her, and only for her", async () => {
    expect(dryRunOf("CB0013")).toMatchObject({ channel: "none", why: expect.stringContaining("zns: turned_off") as string });
    expect(dryRunOf("CB0027")).toMatchObject({ channel: "zns" });

    running.clock.set(DUE_DAY);
    running.app.planner.plan(running.clock.now());
    await waitFor("CB0027's ZNS", () => zalo.zns.sent.find((m) => m.phone === "84399500027"));
    const rows = await waitFor("CB0013's ladder row", () => {
      const r = query<{ channel: string; status: string; reason: string | null }>(
        running.dbPath,
        `SELECT o.channel, o.status, o.reason FROM outbox o JOIN reminders r ON o.cause_type = 'reminder' AND o.cause_id = r.id
         JOIN people p ON p.id = r.person_id WHERE p.ref = 'CB0013' AND r.step = 'due' ORDER BY o.id`,
      );
      return r.length > 0 && r;
    });
    expect(rows).toEqual([{ channel: "zns", status: "skipped", reason: "turned_off" }]);
    expect(zalo.zns.sent.filter((m) => m.phone === "84913456013")).toEqual([]);

    // Turned back on: the dry run offers ZNS again.
    const back = await call("PUT", "/api/admin/people/CB0013/reach", admin, { off: [] });
    expect(back.body).toEqual({ ref: "CB0013", reachOff: [], reachOrder: [] });
    expect(dryRunOf("CB0013")).toMatchObject({ channel: "zns" });
  });

  describeInBrowser("in Chromium", () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
      await staffAccount(running, "vt", "office_admin", { unit: "PGD-VT", name: "Trần Văn Bình" });
      await staffAccount(running, "xem", "viewer", { name: "Người xem" });
    });
    afterAll(async () => {
      await browser?.close();
    });

    it("an office admin turns Zalo off for a person in the people list on a phone; the list then says so", async () => {
      const { context, page } = await consolePage(browser, "phone");
      await signIn(page, running.url, "vt");
      await page.goto(`${running.url}/admin#/registry`);
      await page.getByLabel("Tìm theo họ tên hoặc mã cán bộ").fill("CB0013");
      const person = page.locator("tr, .card, li").filter({ hasText: "Ngô Thị Bích Ngọc" }).last();
      await person.getByText("Đang bật tất cả các kênh").waitFor();
      await page.getByRole("button", { name: "Chọn kênh nhắc việc cho Ngô Thị Bích Ngọc" }).click();
      const dialog = page.getByRole("dialog", { name: "Kênh nhắc việc của Ngô Thị Bích Ngọc" });
      await dialog.waitFor();
      await expect(dialog.getByRole("checkbox", { name: "Thư điện tử" }).isChecked()).resolves.toBe(true);
      await dialog.getByRole("checkbox", { name: "Zalo" }).uncheck();
      expect(await seriousAxeViolations(page)).toEqual([]);
      await dialog.getByRole("button", { name: "Lưu" }).click();
      await page.getByText("Đã lưu kênh nhắc việc của Ngô Thị Bích Ngọc: Đã tắt: Zalo.").waitFor();
      await person.getByText("Đã tắt: Zalo").waitFor();
      expect(await personOf(admin, "CB0013")).toMatchObject({ reachOff: ["zalo"] });
      await expectNoHorizontalScroll(page);
      await context.close();
    }, 60_000);

    it("a viewer sees the channels but no button to change them", async () => {
      const { context, page } = await consolePage(browser, "desktop");
      await signIn(page, running.url, "xem");
      await page.goto(`${running.url}/admin#/registry`);
      await page.getByLabel("Tìm theo họ tên hoặc mã cán bộ").fill("CB0013");
      await page.getByRole("cell", { name: "Đã tắt: Zalo" }).waitFor();
      await expect(page.getByRole("button", { name: "Chọn kênh nhắc việc cho Ngô Thị Bích Ngọc" }).count()).resolves.toBe(0);
      await context.close();
    }, 60_000);
  });
});
