import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTsv, REPO_ROOT } from "../src/cli/shared.js";
import { buildDirectiveSearch } from "../src/knowledge/build-directive-search.js";
import { splitDirective } from "../src/knowledge/directive-document.js";
import { trimPassage } from "../src/knowledge/directive-search.js";
import { toPlainText } from "../src/core/render.js";
import type { OutboundMessage } from "../src/core/types.js";
import { startTestApp, type RunningApp } from "./support/test-app.js";

const { search, document } = buildDirectiveSearch(REPO_ROOT);

describe("the directive as a document", () => {
  it("splits the seed text into the numbered sections staff cite", () => {
    const sections = splitDirective(readFileSync(join(REPO_ROOT, "test", "fixtures", "directive-2019-2020.txt"), "utf8"));
    const ids = sections.map((s) => s.section);
    for (const id of ["II.1.j", "II.3.d", "III.1.b", "III.5.1", "III.5.2", "III.7.2", "IV.2", "IV.3", "PL-I.2.7", "PL-I.3.1"]) expect(ids).toContain(id);
    expect(new Set(ids).size).toBe(ids.length);
    // The recipients' list and the signature are not guidance.
    expect(sections.some((s) => s.text.includes("Nơi nhận"))).toBe(false);
    expect(sections.find((s) => s.section === "IV.2")?.text).toContain("20/01");
  });

  it("ships the same sections in templates/directive.yaml", () => {
    expect(document.sections.find((s) => s.section === "III.5.1")?.text).toMatch(/GDTX/);
    expect(document.source).toMatch(/dự thảo/);
  });
});

describe("directive search", () => {
  it("finds the right section whether the question has tone marks or not, or uses shorthand", () => {
    const cases: Array<[string, string]> = [
      ["quy định về an toàn thông tin", "II.3.d"],
      ["quy dinh ve an toan thong tin", "II.3.d"],
      ["han nop bao cao giua nam", "IV.2"],
      ["mỗi trường phân công bao nhiêu người phụ trách CNTT", "III.1.b"],
      ["ttgdtx chua dung vnedu lien he ai", "III.5.1"],
      ["mo hinh ung dung cntt 8 lop", "PL-I.2"],
    ];
    for (const [question, section] of cases) expect(search.search(question)[0]?.section, question).toBe(section);
  });

  it("is right first time on at least 85% of the staff questions of the fixture", () => {
    const questions = readTsv(join(REPO_ROOT, "test", "fixtures", "directive-questions.tsv"));
    expect(questions.length).toBeGreaterThanOrEqual(40);
    const right = questions.filter(({ label, text }) => label.split("|").includes(search.search(text)[0]?.section ?? "")).length;
    expect(right / questions.length).toBeGreaterThanOrEqual(0.85);
  });

  it("finds little in questions the directive does not answer", () => {
    expect(search.search("xin chào")).toEqual([]);
    for (const question of ["thời tiết hôm nay thế nào", "giá vàng hôm nay"]) {
      expect(search.search(question)[0]?.coverage ?? 0, question).toBeLessThan(0.3);
    }
  });

  it("trims a long passage at a sentence boundary", () => {
    const long = document.sections.find((s) => s.section === "III.5")?.text ?? "";
    const trimmed = trimPassage(long, 300);
    expect(trimmed.length).toBeLessThanOrEqual(303);
    expect(trimmed.endsWith("…")).toBe(true);
  });
});

describe("the bot quotes the directive when no topic fits", () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startTestApp();
  });
  afterAll(() => running.stop());
  const ask = (text: string, kind: "text" | "button" = "text") =>
    running.app.conversation.handle({ channel: "web", address: "directive-user", text, kind, receivedAt: new Date() });

  it("answers with the passage, its section and the document it comes from, and offers the next passage", async () => {
    const reply = await ask("phần mềm mã nguồn mở nukeviet làm website");
    expect(reply.intent).toBe("directive");
    const text = plainTextOf(reply.messages[0]);
    expect(text).toContain("II.5.c");
    expect(text).toMatch(/Nukeviet/);
    expect(text).toMatch(/2019-2020/);
    const next = reply.messages[0]?.buttons[0];
    expect(next?.payload).toMatch(/^#directive:/);
    const more = await ask(next?.payload ?? "", "button");
    expect(more.intent).toBe("directive");
    expect(plainTextOf(more.messages[0])).not.toContain("II.5.c —");
  });

  it("falls back honestly below its threshold", async () => {
    const reply = await ask("thời tiết hôm nay thế nào");
    expect(reply.intent).toBe("out_of_scope");
  });
});

function plainTextOf(message: OutboundMessage | undefined): string {
  return message ? toPlainText(message.text) : "";
}
