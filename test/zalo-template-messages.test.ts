import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZaloApiError, ZaloClient, type TokenPair } from "../src/adapters/zalo/zalo-client.js";
import { templateFailure } from "../src/adapters/zalo/zalo-oa-errors.js";
import { toTemplateMessage } from "../src/adapters/zalo/zalo-template-message.js";
import { parseMarkdown } from "../src/core/markdown.js";
import { loadZaloMessageTypes, monthRange, previewZaloTypes } from "../src/reach/zalo-message-types.js";
import { startFakeZalo, type FakeZalo } from "./support/fake-zalo.js";

const TRANSACTION = "/v3.0/oa/message/transaction";
const PROMOTION = "/v3.0/oa/message/promotion";
const buttons = ["Đã hoàn thành", "Nhắc lại ngày mai", "Cần hỗ trợ", "Xem hướng dẫn", "Danh mục chủ đề"].map((label, i) => ({ label, payload: `#b${i}` }));

describe("a follower's month and the preview's arithmetic", () => {
  const types = loadZaloMessageTypes(join(import.meta.dirname, "..", "templates", "zalo-message-types.yaml"));

  it("counts quotas per calendar month in Vietnam time: 23:30 on 31 January is January, 00:30 on 1 February is February", () => {
    const january = monthRange(new Date("2026-01-31T16:30:00Z"), "Asia/Ho_Chi_Minh");
    expect(january).toEqual({ from: Date.parse("2026-01-01T00:00:00+07:00"), to: Date.parse("2026-02-01T00:00:00+07:00") });
    expect(monthRange(new Date("2026-01-31T17:30:00Z"), "Asia/Ho_Chi_Minh").from).toBe(january.to);
    expect(monthRange(new Date("2026-12-15T03:00:00Z"), "Asia/Ho_Chi_Minh").to).toBe(Date.parse("2027-01-01T00:00:00+07:00"));
  });

  it("charges consultation only after 48 hours, promotion always, and skips a follower whose quota is used", () => {
    const now = new Date("2026-01-20T03:00:00Z");
    const hoursAgo = (h: number) => now.getTime() - h * 3_600_000;
    const preview = previewZaloTypes(
      types,
      "broadcast",
      [
        { lastInboundAt: hoursAgo(2), sentThisMonth: {} },
        { lastInboundAt: hoursAgo(47), sentThisMonth: {} },
        { lastInboundAt: hoursAgo(49), sentThisMonth: {} },
        { lastInboundAt: hoursAgo(24 * 8), sentThisMonth: { promotion: 3 } },
        { lastInboundAt: null, sentThisMonth: {} },
        { lastInboundAt: hoursAgo(24 * 8), sentThisMonth: { promotion: 4 } },
      ],
      now,
    );
    expect(preview).toEqual({
      byType: { consultation: { followers: 3, charged: 1, costVnd: 50 }, promotion: { followers: 2, charged: 2, costVnd: 500 } },
      skipped: { zalo_quota: 1, outside_zalo_window: 0 },
      costVnd: 550,
    });
  });
});

describe("a message as a Zalo transaction or promotion message", () => {
  it("takes the first line as the header and the rest as text, four buttons at most", () => {
    const message = { text: parseMarkdown("**Họp phụ huynh**\n\nLịch họp vào thứ Bảy.\n\nMang theo sổ liên lạc."), buttons };
    const template = toTemplateMessage(message, "promotion", "vi");
    expect(template).toMatchObject({ templateType: "promotion", language: "VI", header: "Họp phụ huynh", texts: ["Lịch họp vào thứ Bảy.\n\nMang theo sổ liên lạc."] });
    expect(template.buttons.map((b) => b.title)).toEqual(["Đã hoàn thành", "Nhắc lại ngày mai", "Cần hỗ trợ", "Xem hướng dẫn"]);
    expect(toTemplateMessage(message, "promotion", "en").language).toBe("EN");
  });

  it("keeps every word of a long text: a header cut at 100 characters repeats in full below, text in pieces of 1,000 at most", () => {
    const title = "Thông báo ".repeat(15).trim();
    const paragraph = "Kính gửi quý phụ huynh học sinh toàn tỉnh. ".repeat(20).trim();
    const template = toTemplateMessage({ text: parseMarkdown(`${title}\n\n${paragraph}\n\n${paragraph}`), buttons: [] }, "transaction_education", "vi");
    expect([...template.header].length).toBeLessThanOrEqual(100);
    expect(template.header.endsWith("…")).toBe(true);
    expect(template.texts.every((t) => [...t].length <= 1000)).toBe(true);
    expect(template.texts.length).toBeGreaterThan(1);
    expect(template.texts.join("\n\n")).toBe(`${title}\n\n${paragraph}\n\n${paragraph}`);
  });
});

describe("the Zalo client's transaction and promotion messages against the fake Zalo server", () => {
  let fake: FakeZalo;
  let client: ZaloClient;

  beforeAll(async () => {
    fake = await startFakeZalo();
    let stored: TokenPair | undefined;
    client = new ZaloClient({
      appId: fake.appId,
      appSecret: fake.appSecret,
      apiBase: fake.apiBase,
      oauthBase: fake.oauthBase,
      initialTokens: fake.issueTokens(),
      tokens: { load: async () => stored, save: async (pair) => void (stored = pair) },
    });
  });
  afterAll(async () => {
    await fake.stop();
  });

  const reminder = toTemplateMessage({ text: parseMarkdown("⏰ Nhắc việc: Báo cáo giữa năm\nHạn: 20/01/2026"), buttons: buttons.slice(0, 2) }, "transaction_education", "vi");
  const refusal = async (send: Promise<unknown>) => templateFailure(await send.then(() => undefined, (e: unknown) => e));

  it("sends a transaction message to a follower whose consultation window has closed", async () => {
    fake.outsideWindow("z1");
    const sent = await client.sendTemplateMessage(TRANSACTION, "z1", reminder);
    expect(fake.sentTo("z1")).toEqual([
      expect.objectContaining({
        type: "transaction",
        messageId: sent.messageId,
        template: { templateType: "transaction_education", header: "⏰ Nhắc việc: Báo cáo giữa năm", language: "VI" },
        text: "Hạn: 20/01/2026",
        buttons: [
          { title: "Đã hoàn thành", type: "oa.query.hide", payload: "#b0" },
          { title: "Nhắc lại ngày mai", type: "oa.query.hide", payload: "#b1" },
        ],
      }),
    ]);
    // The same follower cannot get a consultation message.
    await expect(client.sendText("z1", "xin chào")).rejects.toMatchObject({ code: -230 });
  });

  it("refreshes a refused token once and retries, as for consultation messages", async () => {
    fake.expireAccessTokens();
    const before = fake.counters.refreshes;
    await client.sendTemplateMessage(TRANSACTION, "z2", reminder);
    expect(fake.counters.refreshes).toBe(before + 1);
    expect(fake.sentTo("z2")).toHaveLength(1);
  });

  it("maps Zalo's refusals: not a follower, the follower's and the OA's quota, a wrong template type, the rate limit", async () => {
    fake.notFollowing("z3");
    expect(await refusal(client.sendTemplateMessage(TRANSACTION, "z3", reminder))).toMatchObject({ kind: "unreachable" });

    fake.promotionQuota = 1;
    const promotion = { ...reminder, templateType: "promotion" };
    await client.sendTemplateMessage(PROMOTION, "z4", promotion);
    expect(await refusal(client.sendTemplateMessage(PROMOTION, "z4", promotion))).toEqual({
      kind: "bad_request",
      reason: "zalo_quota",
      description: "Zalo error -218: Out of quota receive",
    });
    expect(fake.sentTo("z4")).toHaveLength(1);

    fake.oaOutOfQuota = true;
    expect(await refusal(client.sendTemplateMessage(TRANSACTION, "z5", reminder))).toMatchObject({ kind: "bad_request", reason: "zalo_oa_quota" });
    fake.oaOutOfQuota = false;

    const wrongType = await client.sendTemplateMessage(PROMOTION, "z5", reminder).catch((e: unknown) => e);
    expect(wrongType).toBeInstanceOf(ZaloApiError);
    expect((wrongType as ZaloApiError).code).toBe(-201);

    fake.failNext(-32);
    expect(await refusal(client.sendTemplateMessage(TRANSACTION, "z5", reminder))).toMatchObject({ kind: "rate_limited", retryAfterMs: 60_000 });
  });
});
