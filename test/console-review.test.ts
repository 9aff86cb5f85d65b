import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importUnits } from "../src/registry/units-import.js";
import { cluster, jaccard, signatureOf } from "../src/review/grouping.js";
import { describeInBrowser, launchChromium, seriousAxeViolations } from "./support/browser.js";
import { consolePage, expectNoHorizontalScroll, signIn, staffAccount } from "./support/console.js";
import { adminCall, postChat, startTestApp, webSession, type RunningApp } from "./support/test-app.js";
import { connectTestDatabase } from "./support/engine.js";

const FIXTURES = join(import.meta.dirname, "fixtures");

interface Group {
  key: string;
  count: number;
  examples: { text: string; at: string; channel: string; locale: string; kind: string }[];
  firstAt: string;
  lastAt: string;
  guesses: { intent: string; confidence: number }[];
}

/**
 * Questions the bot cannot answer, asked by different people in different wordings (tone marks or none,
 * "hs" for "học sinh", politeness). "giá đồng phục học sinh" would not do: the directive search answers it.
 */
const UNIFORM = ["đồng phục học sinh mua ở đâu", "dong phuc hoc sinh mua o dau vay", "cho em hỏi đồng phục học sinh mua ở đâu ạ", "đồng phục hs mua chỗ nào"];
const BUS = ["Trường có xe đưa đón học sinh không ạ?", "truong co xe dua don hoc sinh ko"];

async function ask(running: RunningApp, who: string, text: string): Promise<void> {
  expect((await postChat(running.url, await webSession(running.url, who), text)).status).toBe(200);
}

async function seed(running: RunningApp): Promise<void> {
  for (const [i, text] of UNIFORM.entries()) await ask(running, `uniform-${i}`, text);
  for (const [i, text] of BUS.entries()) await ask(running, `bus-${i}`, text);
  // Answered with confidence: not for review.
  await ask(running, "sure", "quên mật khẩu vnedu");
}

describe("grouping questions by their normalised words", () => {
  it("leaves out function words but keeps words that carry a topic once tone marks are folded", () => {
    // "bán đồ ăn": folded "ban do an" is also "bạn", "đó" and English "an"; they stay.
    expect(signatureOf("cang tin truong ban do an gi")).toBe("an ban cang do tin truong");
    expect(signatureOf("cho em hoi lich thi hoc ky 2")).toBe("2 hoc ky lich thi");
    // Nothing but function words: the words themselves, rather than an empty signature.
    expect(signatureOf("cho em hoi")).toBe("cho em hoi");
  });

  it("joins signatures sharing at least half their words with a seed; the result does not depend on the input order", () => {
    expect(jaccard(["a", "b", "c"], ["a", "b", "d"])).toBeCloseTo(0.5);
    const items = ["dau dong hoc mua phuc sinh", "dau dong hoc mua phuc sinh", "dong hoc mua phuc sinh", "don dua hoc sinh truong xe", "2 hoc ky lich"];
    const once = cluster(items, (s) => s);
    const again = cluster([...items].reverse(), (s) => s);
    expect(once.map((g) => [g.key, g.items.length])).toEqual(again.map((g) => [g.key, g.items.length]));
    expect(once.map((g) => g.items.length)).toEqual([3, 1, 1]);
    expect(once[0]?.seed).toBe("dau dong hoc mua phuc sinh");
    expect(once[0]?.signatures).toEqual(["dau dong hoc mua phuc sinh", "dong hoc mua phuc sinh"]);
    expect(new Set(once.map((g) => g.key)).size).toBe(3);
  });
});

describe("the review of unanswered questions (API)", () => {
  let running: RunningApp;
  let admin: string;
  let viewer: string;
  let office: string;
  const call = (method: string, path: string, token: string, body?: object) => adminCall(running.url, method, path, token, body);
  const groups = async (token = admin, days = 30) => ((await call("GET", `/api/admin/review/groups?days=${days}`, token)).body.groups ?? []) as Group[];

  beforeAll(async () => {
    running = await startTestApp();
    const now = running.clock.now();
    expect(importUnits(running.app.database, readFileSync(join(FIXTURES, "units-sample.csv"), "utf8"), { dryRun: false, now }).ok).toBe(true);
    admin = running.app.tokens.create({ name: "Sở", role: "department_admin" }, "test", now).token;
    viewer = running.app.tokens.create({ name: "Xem", role: "viewer" }, "test", now).token;
    office = running.app.tokens.create({ name: "PGD VT", role: "office_admin", unitCode: "PGD-VT" }, "test", now).token;
    await seed(running);
  });
  afterAll(async () => {
    await running.stop();
  });

  it("groups near-duplicates after normalisation, most asked first, with examples, dates and the classifier's guesses", async () => {
    const found = await groups();
    expect(found.map((g) => g.count)).toEqual([4, 2]);
    const [uniform, bus] = found as [Group, Group];
    expect(uniform.examples.map((e) => e.text).sort()).toEqual([...UNIFORM].sort());
    expect(bus.examples.map((e) => e.text).sort()).toEqual([...BUS].sort());
    for (const e of [...uniform.examples, ...bus.examples]) expect(e).toMatchObject({ channel: "web", locale: "vi", kind: "unanswered" });
    expect(Date.parse(uniform.firstAt)).toBeLessThanOrEqual(Date.parse(uniform.lastAt));
    expect(uniform.lastAt).toBe(uniform.examples[0]?.at);
    // The guesses are the running classifier's best in-scope guesses for the group's questions.
    const guessed = BUS.map((text) => running.app.classifier.classify(text));
    expect(bus.guesses[0]?.intent).toBe(guessed[0]?.bestGuess);
    expect(bus.guesses[0]?.confidence).toBeCloseTo((guessed[0]!.confidence + guessed[1]!.confidence) / 2, 2);
    // Nothing answered with confidence is listed; the keys are stable from one call to the next.
    expect(found.flatMap((g) => g.examples.map((e) => e.text))).not.toContain("quên mật khẩu vnedu");
    expect((await groups()).map((g) => g.key)).toEqual(found.map((g) => g.key));
  });

  it("refuses a bad period, a bad resolution and an unknown group, in words with codes", async () => {
    expect(await call("GET", "/api/admin/review/groups?days=0", admin)).toMatchObject({ status: 400, body: { code: "invalid", field: "days" } });
    expect(await call("GET", "/api/admin/review/groups?days=abc", admin)).toMatchObject({ status: 400, body: { code: "invalid", field: "days" } });
    const key = (await groups())[0]!.key;
    expect(await call("POST", `/api/admin/review/groups/${key}/resolve`, admin, { how: "maybe" })).toMatchObject({ status: 400, body: { code: "invalid", field: "how" } });
    expect(await call("POST", "/api/admin/review/groups/0123456789abcdef/resolve", admin, { how: "ignored" })).toMatchObject({ status: 404, body: { code: "review_group_not_found" } });
    // Taught, and the retrain already made the bot answer it: nothing left to hide, said so, recorded all the same.
    expect(await call("POST", "/api/admin/review/groups/0123456789abcdef/resolve", admin, { how: "taught", intent: "contact" })).toMatchObject({ status: 200, body: { hidden: 0, alreadyAnswered: true } });
    // Documented, and worded for the console in both languages.
    const doc = (await fetch(`${running.url}/api/openapi.json`).then((r) => r.json())) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/admin/review/groups", "/api/admin/review/groups/{key}/resolve"]));
    expect(JSON.stringify(doc)).toContain('"review_group_not_found"');
    for (const lng of ["vi", "en"]) {
      const words = JSON.parse(readFileSync(join(import.meta.dirname, "..", "locales", lng, "console-support.json"), "utf8")) as { errors: Record<string, string> };
      for (const code of ["review_group_not_found", "handoff_closed", "handoff_gone", "channel_not_enabled"]) expect(words.errors[code], `${lng} ${code}`).toBeTruthy();
    }
  });

  it("only the Department resolves; an office admin sees the questions of people who follow its units", async () => {
    const bus = (await groups()).find((g) => g.count === 2)!;
    expect(await call("POST", `/api/admin/review/groups/${bus.key}/resolve`, viewer, { how: "ignored" })).toMatchObject({ status: 403, body: { code: "forbidden" } });
    expect(await call("POST", `/api/admin/review/groups/${bus.key}/resolve`, office, { how: "ignored" })).toMatchObject({ status: 403, body: { code: "forbidden" } });
    expect((await groups(viewer)).map((g) => g.count)).toEqual([4, 2]);
    expect(await groups(office)).toEqual([]);
    const conn = connectTestDatabase(running.dbPath);
    conn
      .prepare(
        `INSERT INTO user_units (user_id, unit_id, created_at)
         SELECT a.user_id, (SELECT id FROM units WHERE code = 'THCS-HKN-VT'), 0 FROM channel_addresses a
         WHERE a.channel = 'web' AND a.address = ?`,
      )
      .run(createHash("sha256").update(await webSession(running.url, "bus-0"), "utf8").digest("base64url"));
    conn.close();
    expect((await groups(office)).map((g) => g.examples.map((e) => e.text))).toEqual([[BUS[0]]]);
  });

  it("ignoring hides the group's questions for good, audited; the same question asked later comes back", async () => {
    const bus = (await groups()).find((g) => g.count === 2)!;
    const res = await call("POST", `/api/admin/review/groups/${bus.key}/resolve`, admin, { how: "ignored" });
    expect(res).toMatchObject({ status: 200, body: { key: bus.key, how: "ignored", hidden: 2 } });
    expect((await groups()).map((g) => g.count)).toEqual([4]);
    const conn = connectTestDatabase(running.dbPath, { readonly: true });
    const audit = conn.prepare("SELECT actor, action, detail FROM audit_log WHERE target = ?").all(`review:${bus.key}`) as { actor: string; action: string; detail: string }[];
    conn.close();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "review.ignore" });
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({ how: "ignored", questions: 2 });

    running.clock.advance(60_000);
    await ask(running, "bus-later", BUS[1]!);
    const back = (await groups()).find((g) => g.key === bus.key);
    expect(back?.count).toBe(1);
    expect(back?.examples.map((e) => e.text)).toEqual([BUS[1]]);
  });
});

describeInBrowser("the review screen (Câu hỏi chưa trả lời) in Chromium", () => {
  let browser: Browser;
  let running: RunningApp;

  beforeAll(async () => {
    browser = await launchChromium();
    running = await startTestApp();
    await staffAccount(running, "lan", "department_admin", { name: "Nguyễn Thị Lan" });
    await staffAccount(running, "xem", "viewer");
    await seed(running);
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  it("shows the groups with counts, examples, dates and guesses; ignoring one hides it", async () => {
    const { context, page } = await consolePage(browser, "desktop");
    await signIn(page, running.url, "lan");
    await page.goto(`${running.url}/admin#/review`);
    const cards = page.locator(".review-group");
    await cards.first().waitFor();
    await expect(page.locator(".review-count").allTextContents()).resolves.toEqual(["4 câu hỏi", "2 câu hỏi"]);
    const bus = cards.filter({ hasText: "2 câu hỏi" });
    for (const text of BUS) await bus.getByText(text, { exact: true }).waitFor();
    await expect(bus.locator(".review-dates").textContent()).resolves.toMatch(/^Từ \d{2}\/\d{2}\/\d{4} \d{2}:\d{2} đến \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
    await expect(bus.locator(".review-example-meta").first().textContent()).resolves.toContain("Web chat · Tiếng Việt · bot chưa trả lời được");
    const guess = running.app.classifier.classify(BUS[0]!).bestGuess;
    await expect(bus.locator(".review-guesses").textContent()).resolves.toContain(guess);
    expect(await seriousAxeViolations(page)).toEqual([]);

    await bus.getByRole("button", { name: "Bỏ qua" }).click();
    await page.getByText("Đã bỏ qua nhóm 2 câu hỏi.").waitFor();
    await bus.waitFor({ state: "detached" });
    await expect(page.locator(".review-count").allTextContents()).resolves.toEqual(["4 câu hỏi"]);
    await page.reload();
    await cards.first().waitFor();
    await expect(page.locator(".review-count").allTextContents()).resolves.toEqual(["4 câu hỏi"]);
    await context.close();
  });

  it("on a phone: no horizontal scroll, the teaching form opens; a viewer gets no actions", async () => {
    const { context, page } = await consolePage(browser, "smallPhone");
    await signIn(page, running.url, "lan");
    await page.goto(`${running.url}/admin#/review`);
    await page.locator(".review-group").first().waitFor();
    await expectNoHorizontalScroll(page);
    await page.getByRole("button", { name: "Câu trả lời mới" }).first().click();
    await expect(page.getByLabel("Câu hỏi tiếng Việt (mỗi dòng một câu)").inputValue()).resolves.toContain("đồng phục học sinh mua ở đâu");
    await expectNoHorizontalScroll(page);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await context.close();

    const viewer = await consolePage(browser, "desktop");
    await signIn(viewer.page, running.url, "xem");
    await viewer.page.goto(`${running.url}/admin#/review`);
    await viewer.page.locator(".review-group").first().waitFor();
    await expect(viewer.page.getByRole("button", { name: /Bỏ qua|Câu trả lời mới|thuộc chủ đề/ }).count()).resolves.toBe(0);
    await viewer.context.close();
  });

  it("teaches the bot: the group's questions go to a topic through the knowledge API, then the group is marked taught", async (ctx) => {
    const token = running.app.tokens.create({ name: "probe", role: "department_admin" }, "test", running.clock.now()).token;
    const intents = await adminCall(running.url, "GET", "/api/admin/knowledge/intents", token);
    // The knowledge API is built beside this screen (issue 9); until it is merged there is nothing to teach.
    if (intents.status === 404) ctx.skip();
    const topics = intents.body.intents as { id: string; title?: { vi?: string } }[];
    const target = topics[0]!;
    const { context, page } = await consolePage(browser, "desktop");
    await signIn(page, running.url, "lan");
    await page.goto(`${running.url}/admin#/review`);
    const uniform = page.locator(".review-group", { hasText: "4 câu hỏi" });
    await uniform.getByRole("button", { name: "Câu này thuộc chủ đề…" }).click();
    await uniform.getByLabel("Chủ đề", { exact: true }).selectOption(target.id);
    await uniform.getByRole("button", { name: "Thêm vào chủ đề" }).click();
    // A drop in held-out accuracy asks once more.
    const dialog = page.getByRole("dialog", { name: "Độ chính xác của bot giảm" });
    // The group is marked taught, or (when the retrain finished first) it already left the list as answered.
    const applied = page.getByText(/Đã thêm 4 câu vào chủ đề .* (Nhóm câu hỏi đã được đánh dấu là đã dạy bot|Bot đã trả lời được các câu hỏi của nhóm này)/);
    await Promise.race([applied.waitFor({ timeout: 30_000 }), dialog.waitFor({ timeout: 30_000 })]);
    if (await dialog.isVisible()) await dialog.getByRole("button", { name: "Vẫn áp dụng" }).click();
    await applied.waitFor({ timeout: 30_000 });
    await expect(page.locator(".review-count").allTextContents()).resolves.not.toContain("4 câu hỏi");
    const conn = connectTestDatabase(running.dbPath, { readonly: true });
    const rows = conn.prepare("SELECT action, detail FROM audit_log WHERE action = 'review.teach'").all() as { action: string; detail: string }[];
    conn.close();
    expect(JSON.parse(rows[0]!.detail)).toMatchObject({ how: "taught", intent: target.id });
    await context.close();
  }, 60_000);
});
