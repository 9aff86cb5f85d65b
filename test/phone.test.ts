import { describe, expect, it } from "vitest";
import { normalizeVietnamMobile } from "../src/reach/phone.js";

describe("Vietnamese mobile numbers for ZNS", () => {
  it("accepts the ways people write a mobile number and gives 84…", () => {
    for (const written of ["0912345678", "0912 345 678", "0912.345.678", "091-234-5678", "+84 912 345 678", "(+84) 912345678", "84912345678", "0084912345678"]) {
      expect(normalizeVietnamMobile(written), written).toEqual({ ok: true, phone: "84912345678" });
    }
    expect(normalizeVietnamMobile("0386 123 456")).toEqual({ ok: true, phone: "84386123456" });
    expect(normalizeVietnamMobile("0703123456")).toEqual({ ok: true, phone: "84703123456" });
  });

  it("refuses what cannot receive a ZNS message, saying why", () => {
    expect(normalizeVietnamMobile("")).toEqual({ ok: false, reason: "empty" });
    expect(normalizeVietnamMobile(null)).toEqual({ ok: false, reason: "empty" });
    expect(normalizeVietnamMobile("0254 3852 123")).toEqual({ ok: false, reason: "landline" }); // Bà Rịa - Vũng Tàu landline
    expect(normalizeVietnamMobile("0912 345 67")).toEqual({ ok: false, reason: "wrong_length" });
    expect(normalizeVietnamMobile("09123456789")).toEqual({ ok: false, reason: "wrong_length" });
    expect(normalizeVietnamMobile("0112345678")).toEqual({ ok: false, reason: "not_mobile" });
    expect(normalizeVietnamMobile("+1 415 555 0100")).toEqual({ ok: false, reason: "not_mobile" });
    expect(normalizeVietnamMobile("gọi thầy Nam")).toEqual({ ok: false, reason: "not_a_number" });
  });
});
