import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { znsFailure, znsRefusal } from "../src/adapters/zalo/zns-errors.js";
import { fillZnsTemplate, loadZnsTemplates } from "../src/reach/zns-templates.js";

const PRODUCT_FILE = join(import.meta.dirname, "..", "templates", "zns.yaml");
const write = (text: string): string => {
  const file = join(mkdtempSync(join(tmpdir(), "zns-")), "zns.yaml");
  writeFileSync(file, text);
  return file;
};

describe("ZNS templates (templates/zns.yaml)", () => {
  it("loads the product's file: reminders on the due day and when late, and late summaries, nothing else", () => {
    const templates = loadZnsTemplates(PRODUCT_FILE);
    expect([...templates.byKind.keys()].sort()).toEqual(["late_summary", "reminder_due", "reminder_late"]);
    expect(templates.priceVnd).toBeGreaterThan(0);
  });

  it("fills a template from the message's values, each cut at a word to its parameter's limit", () => {
    const template = loadZnsTemplates(PRODUCT_FILE).byKind.get("reminder_due");
    if (!template) throw new Error("no reminder_due template");
    const data = fillZnsTemplate(template, {
      "person.name": "Nguyễn Thị Thanh Hương Giang Bảo Ngọc Trâm",
      "unit.name": "Trường THCS Huỳnh Khương Ninh",
      "task.title": "Báo cáo CNTT giữa năm",
      "task.due_date": "20/01/2026",
    });
    expect(data).toEqual({
      ten_can_bo: "Nguyễn Thị Thanh Hương Giang…",
      ten_don_vi: "Trường THCS Huỳnh Khương Ninh",
      nhiem_vu: "Báo cáo CNTT giữa năm",
      han_nop: "20/01/2026",
    });
    expect([...(data.ten_can_bo ?? "")].length).toBeLessThanOrEqual(30);
  });

  it("refuses at start a kind that may not use ZNS, an unknown value, or a limit over Zalo's for the type", () => {
    const bad = write(`price_vnd: 300
kinds:
  broadcast:
    template_id: "1"
    params: { x: { from: person.name, type: customer_name, max: 30 } }
  reminder_due:
    template_id: "2"
    params:
      ten: { from: person.phone, type: customer_name, max: 30 }
      nhiem_vu: { from: task.title, type: custom_label, max: 100 }
`);
    expect(() => loadZnsTemplates(bad)).toThrow(/broadcast: not a message kind that may use ZNS.*reminder_due\.ten: "person\.phone" is not a value this kind has.*reminder_due\.nhiem_vu: max 100 is over Zalo's 30 for a custom_label parameter/);
    expect(() => loadZnsTemplates(write(`price_vnd: 300\nkinds:\n  reminder_due:\n    template_id: "abc"\n    params: {}\n`))).toThrow(/template_id: must be Zalo's numeric template id/);
  });
});

describe("ZNS errors", () => {
  it("end ZNS for the person on a phone problem, for the message on a template or quota problem, and wait on a rate limit", () => {
    expect(znsRefusal(-118)).toBe("phone_not_on_zalo");
    expect(znsFailure(-118, "Zalo account not existed").kind).toBe("unreachable");
    expect(znsFailure(-108, "Phone number invalid").kind).toBe("unreachable");
    expect(znsFailure(-112, "Template data invalid").kind).toBe("bad_request");
    expect(znsFailure(-144, "OA has exceeded daily quota")).toMatchObject({ kind: "bad_request", description: expect.stringContaining("quota") });
    expect(znsFailure(-32, "rate limit")).toMatchObject({ kind: "rate_limited", retryAfterMs: 60_000 });
    expect(znsFailure(-999, "something new").kind).toBe("server");
  });
});

describe("the ZNS client against the fake Zalo server", () => {
  it("sends a template message by phone with our delivery id as tracking_id, refreshes a refused token once, and maps refusals", async () => {
    const { startFakeZalo } = await import("./support/fake-zalo.js");
    const { ZaloClient, ZaloApiError } = await import("../src/adapters/zalo/zalo-client.js");
    const fake = await startFakeZalo();
    try {
      const tokens = fake.issueTokens();
      let stored: { accessToken: string; refreshToken: string; expiresAt: number } | undefined;
      const client = new ZaloClient({
        appId: fake.appId,
        appSecret: fake.appSecret,
        apiBase: fake.apiBase,
        oauthBase: fake.oauthBase,
        businessBase: fake.baseUrl,
        initialTokens: tokens,
        tokens: { load: async () => stored, save: async (pair) => void (stored = pair) },
      });
      const message = { phone: "84912345678", templateId: "100001", templateData: { ten_can_bo: "Lê Minh Tuấn" }, trackingId: "outbox-42" };
      const sent = await client.sendTemplate(message);
      expect(sent.quota).toEqual({ daily: 500, remaining: 499 });
      expect(fake.zns.sent).toEqual([expect.objectContaining({ phone: "84912345678", templateId: "100001", trackingId: "outbox-42", msgId: sent.messageId })]);

      fake.expireAccessTokens();
      await client.sendTemplate({ ...message, trackingId: "outbox-43" });
      expect(fake.counters.refreshes).toBe(1);
      expect(fake.zns.sent.map((m) => m.trackingId)).toEqual(["outbox-42", "outbox-43"]);

      fake.zns.phones.set("84987654321", -118);
      const refused = await client.sendTemplate({ ...message, phone: "84987654321" }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ZaloApiError);
      expect(znsFailure((refused as InstanceType<typeof ZaloApiError>).code, "").kind).toBe("unreachable");
      fake.zns.quota.remaining = 0;
      const over = await client.sendTemplate(message).catch((e: unknown) => e);
      expect(znsRefusal((over as InstanceType<typeof ZaloApiError>).code)).toBe("quota");
    } finally {
      await fake.stop();
    }
  });
});
