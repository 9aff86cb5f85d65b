import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeInBrowser, launchChromium, seriousAxeViolations } from "./support/browser.js";
import { consolePage, expectNoHorizontalScroll, signIn, staffAccount } from "./support/console.js";
import type { FakeZalo } from "./support/fake-zalo.js";
import { startZnsProvince } from "./support/zns-province.js";
import { adminCall, type RunningApp } from "./support/test-app.js";
import { connectTestDatabase } from "./support/engine.js";


interface ZnsOverview {
  month: string;
  sent: number;
  budget: number;
  priceVnd: number;
  estimatedCostVnd: number;
  zaloDailyQuota: { daily: number; remaining: number } | null;
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** ZNS rows the outbox has marked sent, and none still queued or sending. */
function znsSettled(dbPath: string): number | undefined {
  const db = connectTestDatabase(dbPath, { readonly: true });
  try {
    const open = (db.prepare("SELECT count(*) AS n FROM outbox WHERE status IN ('queued', 'sending')").get() as { n: number }).n;
    const sent = (db.prepare("SELECT count(*) AS n FROM outbox WHERE channel = 'zns' AND status = 'sent'").get() as { n: number }).n;
    return open === 0 && sent > 0 ? sent : undefined;
  } finally {
    db.close();
  }
}

describe("overview (Tổng quan): ZNS usage for the Department", () => {
  let zalo: FakeZalo;
  let running: RunningApp;
  let admin: string;
  let office: string;
  let viewer: string;
  const overview = async (token: string) => (await adminCall(running.url, "GET", "/api/admin/overview", token)).body as { zns?: ZnsOverview };

  beforeAll(async () => {
    ({ zalo, running, admin, office, viewer } = await startZnsProvince(40));
  });
  afterAll(async () => {
    await running?.stop();
    await zalo?.stop();
  });

  it("shows a Department admin this month's ZNS against the budget, the estimated cost and Zalo's daily quota", async () => {
    const before = await overview(admin);
    expect(before.zns).toEqual({ month: "2026-01", sent: 0, budget: 40, priceVnd: 300, estimatedCostVnd: 0, zaloDailyQuota: null });

    // The due day (20/01): registry staff who never linked a chat are reminded by ZNS.
    running.clock.set(new Date("2026-01-20T01:00:00Z"));
    running.app.planner.plan(running.clock.now());
    const sent = await waitFor("the ZNS reminders sent", () => znsSettled(running.dbPath));
    expect(zalo.zns.sent.length).toBe(sent);

    const after = await overview(admin);
    expect(after.zns).toEqual({
      month: "2026-01",
      sent,
      budget: 40,
      priceVnd: 300,
      estimatedCostVnd: sent * 300,
      zaloDailyQuota: { daily: zalo.zns.quota.daily, remaining: zalo.zns.quota.daily - sent },
    });
    // Money is the Department's business: an office admin and a viewer do not see it.
    expect(await overview(office)).not.toHaveProperty("zns");
    expect(await overview(viewer)).not.toHaveProperty("zns");
  });

  describeInBrowser("in Chromium", () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
      await staffAccount(running, "so", "department_admin", { name: "Lê Thị Hoa" });
    });
    afterAll(async () => {
      await browser?.close();
    });

    it("shows the ZNS cards on a phone, in Vietnamese, readable and accessible", async () => {
      const zns = (await overview(admin)).zns;
      if (!zns || zns.sent === 0) throw new Error("no ZNS sent yet");
      const { context, page } = await consolePage(browser, "phone");
      await signIn(page, running.url, "so");
      await page.getByRole("heading", { name: "Tổng quan" }).waitFor();
      const section = page.getByRole("region", { name: "Tin ZNS (tính phí theo từng tin)" });
      await section.waitFor();
      const texts = (await section.locator(".stat").allInnerTexts()).map((s) => s.replace(/\s+/g, " ").trim());
      const vnd = (n: number) => new Intl.NumberFormat("vi-VN").format(n);
      expect(texts).toEqual([
        `Tin ZNS đã gửi tháng 01/2026 ${zns.sent} / 40 Còn ${40 - zns.sent} tin trong hạn mức tháng`,
        `Chi phí ZNS ước tính tháng này ${vnd(zns.sent * 300)} đ 300 đ mỗi tin`,
        `Hạn mức ZNS trong ngày của Zalo Còn ${vnd(500 - zns.sent)} / ${vnd(500)} tin Theo lần gửi tin ZNS gần nhất`,
      ]);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await expectNoHorizontalScroll(page);
      await context.close();
    });
  });
});
