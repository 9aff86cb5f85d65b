import { describe, expect, it } from "vitest";
import { splitRich, toPlainText, toTelegramHtml } from "../src/core/render.js";
import { renderTemplate } from "../src/core/rich-text.js";
import { telegramLength } from "../src/adapters/telegram/telegram-sender.js";

describe("rendering answers", () => {
  it("escapes every value for Telegram HTML and keeps bold from the template only", () => {
    const rich = renderTemplate("**{{school}}** nhận được: {{note}}", { school: "Trường <THPT> A & B", note: "**x** <b>y</b>" });
    expect(toTelegramHtml(rich)).toBe("<b>Trường &lt;THPT&gt; A &amp; B</b> nhận được: **x** &lt;b&gt;y&lt;/b&gt;");
    expect(toPlainText(rich)).toBe("Trường <THPT> A & B nhận được: **x** <b>y</b>");
  });

  it("refuses a template placeholder without a value", () => {
    expect(() => renderTemplate("{{missing}}", {})).toThrow(/missing/);
  });

  it("splits at paragraph boundaries under the limit", () => {
    const paragraph = (n: number) => `Đoạn ${n}: ${"chữ ".repeat(370).trim()}`;
    const text = [paragraph(1), "", paragraph(2), "", paragraph(3), "", paragraph(4)].join("\n");
    const pieces = splitRich(renderTemplate(text, {}), 4096, telegramLength);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) expect(telegramLength(piece)).toBeLessThanOrEqual(4096);
    expect(toPlainText(pieces[0]!).startsWith("Đoạn 1")).toBe(true);
    expect(toPlainText(pieces[1]!).startsWith("Đoạn 3")).toBe(true);
    expect(pieces.map(toPlainText).join("\n\n")).toBe(toPlainText(renderTemplate(text, {})));
  });

  it("cuts a single over-long paragraph at spaces, and a huge word hard", () => {
    const pieces = splitRich(renderTemplate(`${"từ ".repeat(3000)}${"x".repeat(5000)}`, {}), 2000, telegramLength);
    for (const piece of pieces) expect(telegramLength(piece)).toBeLessThanOrEqual(2000);
    expect(pieces.map(toPlainText).join("").replace(/\s/g, "").length).toBe(2 * 3000 + 5000);
  });
});
