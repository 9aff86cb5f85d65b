import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../src/app.js";
import { parseConfig } from "../src/config.js";
import { gradeReply, loadQuestions } from "../src/content/answer-grading.js";
import { loadAnswerBook, readUnconfirmedFacts } from "../src/content/load-answers.js";
import { loadIntents, loadLexicon } from "../src/content/load-intents.js";
import { styleProblems } from "../src/content/style.js";
import { toPlainText } from "../src/core/render.js";
import { createLogger } from "../src/infra/logger.js";
import { Normalizer } from "../src/nlu/normalize.js";
import { loadTaskFile } from "../src/tasks/school-year.js";
import { databaseEnv } from "./support/engine.js";

const ROOT = join(import.meta.dirname, "..");
const TEMPLATES = join(ROOT, "templates");
const intentIds = loadIntents(join(ROOT, "intents")).map((i) => i.id);

let app: App;
let n = 0;
/** Asks as a new person on Telegram, as a parent would; returns the visible reply and how it was understood. */
async function ask(text: string, languageHint?: string) {
  n++;
  const reply = await app.conversation.handle({
    channel: "telegram",
    address: `knowledge-${n}`,
    text,
    kind: "text",
    languageHint,
    receivedAt: new Date("2026-01-13T02:00:00Z"),
  });
  return { ...reply, text: reply.messages.map((m) => toPlainText(m.text)).join("\n") };
}

beforeAll(async () => {
  const config = parseConfig({ ...databaseEnv(":memory:"), LOG_LEVEL: "silent", QUIET_HOURS: "" });
  app = await createApp({ config, logger: createLogger("silent") });
});
afterAll(async () => {
  await app.stop();
});

describe("answers say who a service is for", () => {
  it("tells a parent of a primary or THCS pupil that the online transfer is for THPT students only", async () => {
    for (const q of ["con em học lớp 4 muốn chuyển trường", "con e hoc lop 7 muon chuyen truong thi lam sao ad", "chuyển trường tiểu học"]) {
      const reply = await ask(q);
      expect(reply.text, q).toMatch(/chỉ dành cho học sinh THPT/);
      expect(reply.text, q).toMatch(/tiểu học/);
    }
    // Even a transfer question that names no level carries the caveat.
    expect((await ask("xin chuyển trường cho con")).text).toMatch(/chỉ dành cho học sinh THPT[\s\S]*tiểu học hoặc THCS/);
  });

  it("says the only re-marking service is for the THPT graduation exam when asked about grade-10 entrance", async () => {
    for (const q of ["phúc khảo bài thi tuyển sinh lớp 10", "phuc khao diem thi vao 10", "Can I appeal my son's grade 10 entrance exam score online?"]) {
      const reply = await ask(q);
      expect(reply.text, q).toMatch(/chỉ dành cho bài thi tốt nghiệp THPT|only for the upper-secondary graduation exam/);
    }
  });

  it("does not give the grade-6 answer to a grade-1 admission question, and says the directive is silent", async () => {
    const reply = await ask("Năm nay con em vào lớp 1, đăng ký tuyển sinh lớp 1 ở đâu ạ?");
    expect(reply.intent).toBe("admission.grade1");
    expect(reply.text).toMatch(/không nêu/);
    expect(reply.text).not.toMatch(/tên trường THCS/);
  });

  it("lists the licensed centres for teachers after what schools do for pupils' IC3/MOS", async () => {
    const reply = await ask("Thi MOS, IC3 cho học sinh ở đâu ạ?");
    expect(reply.text.indexOf("các trường")).toBeGreaterThan(-1);
    expect(reply.text.indexOf("các trường")).toBeLessThan(reply.text.indexOf("Á châu"));
  });

  it("answers the questions that used to fall back: VnEdu at preschools and GDTX, who gives the login, SMS, itrithuc", async () => {
    expect((await ask("Trường mầm non của con có dùng vnedu không ạ?")).text).toMatch(/mầm non[\s\S]*2019-2020/);
    expect((await ask("Trung tâm GDTX chưa từng dùng vnedu thì liên hệ ai")).text).toMatch(/TCCB-CNTT/);
    expect((await ask("Who gives me the VnEdu login?")).text).toMatch(/issued by your child's school/);
    const sms = await ask("trường thu tiền tin nhắn sms sổ liên lạc mỗi tháng có đúng không ad");
    expect(sms.text).toMatch(/không nêu/);
    expect(sms.text).not.toMatch(/\d+\.?000/);
    expect((await ask("giaoduc.itrithuc.vn là trang gì")).text).toMatch(/Hệ tri thức Việt số hóa/);
  });

  it("says which year's guidance a deadline comes from, and that the IT section is not a general switchboard", async () => {
    expect((await ask("Hạn nộp báo cáo CNTT giữa năm học là ngày nào?")).text).toMatch(/năm học 2019-2020/);
    expect((await ask("Số điện thoại của Sở Giáo dục là bao nhiêu?")).text).toMatch(/không nêu số điện thoại chung/);
  });
});

describe("form of every answer", () => {
  const book = loadAnswerBook({ templatesDir: TEMPLATES, localesDir: join(ROOT, "locales") }, intentIds);

  it("Vietnamese answers open with 'Dạ', say 'ạ', call the parent 'anh/chị', one short item per line", () => {
    for (const id of intentIds) {
      expect(styleProblems(toPlainText(book.answer(id, "vi").text), "vi"), id).toEqual([]);
    }
  });

  it("English answers are fully English: no Vietnamese outside the whitelisted proper names", () => {
    for (const id of intentIds) {
      expect(styleProblems(toPlainText(book.answer(id, "en").text), "en"), id).toEqual([]);
    }
  });

  it("answers an English question in English even on a Vietnamese Telegram and with Vietnamese names in it", async () => {
    for (const q of ["Hello, how can I get a VnEdu account for my daughter?", "What is the phone number of the Sở GDĐT?"]) {
      const reply = await ask(q, "vi");
      expect(reply.locale, q).toBe("en");
    }
    expect((await ask("tải app vnedu trên iphone", "en")).locale).toBe("vi");
  });
});

describe("chat shorthand and passwords", () => {
  it("reads 'mk' as 'mình' in 'mk là phụ huynh…, cho mk hỏi' and answers the question", async () => {
    const reply = await ask("mk là phụ huynh lớp 3, cho mk hỏi sổ liên lạc điện tử có mất phí không");
    expect(reply.intent).not.toBe("password_warning");
    expect(reply.text).toMatch(/miễn phí/);
    const stored = app.store.recentMessages(app.store.touchUser("telegram", `knowledge-${n}`, new Date()).id, 2);
    expect(stored.some((m) => m.text?.includes("mk là phụ huynh"))).toBe(true);
  });

  it("still withholds a message that gives a password", async () => {
    for (const q of ["mk của em là abc123 sao không vào được vnedu", "mật khẩu là hoamai", "my password is sunshine42"]) {
      const reply = await ask(q);
      expect(reply.intent, q).toBe("password_warning");
      expect(reply.text, q).not.toContain("abc123");
    }
  });

  it("keeps the meanings that the training phrases use: dk = đăng ký, tn = tốt nghiệp, dt and mk left to context", () => {
    const normalizer = new Normalizer(loadLexicon(join(ROOT, "intents", "lexicon", "normalization.yaml")));
    expect(normalizer.normalizeForMatching("dk phuc khao")).toBe("dang ky phuc khao");
    expect(normalizer.normalizeForMatching("bang tn thpt")).toBe("bang tot nghiep thpt");
    expect(normalizer.normalizeForMatching("hoc ba dt")).toBe("hoc ba dt");
    expect(normalizer.normalizeForMatching("quen mk vnedu")).toBe("quen mat khau vnedu");
    expect(normalizer.normalizeForMatching("cho mk hoi vnedu")).toBe("cho minh hoi vnedu");
  });
});

describe("provenance of facts", () => {
  it("names the facts the Department must confirm, each an existing fact with a reason", () => {
    const unconfirmed = readUnconfirmedFacts(TEMPLATES);
    const names = unconfirmed.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(["it_phone", "mid_year_report_deadline", "end_of_year_report_deadline"]));
    for (const f of unconfirmed) expect(f.value, f.name).toBeTruthy();
  });

  it("logs a warning listing the unconfirmed facts at start, and none once they are confirmed", () => {
    const warnings: { obj: object; msg: string }[] = [];
    const logger = { warn: (obj: object, msg: string) => warnings.push({ obj, msg }) };
    loadAnswerBook({ templatesDir: TEMPLATES, localesDir: join(ROOT, "locales") }, intentIds, logger);
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0]?.obj)).toContain("it_phone = 0643.541.500");

    const dir = mkdtempSync(join(tmpdir(), "facts-"));
    const confirmed = readFileSync(join(TEMPLATES, "facts.yaml"), "utf8").replace(/\nto_confirm:\n(?: {2}.*\n?)*/, "\n");
    writeFileSync(join(dir, "menu.yaml"), readFileSync(join(TEMPLATES, "menu.yaml")));
    writeFileSync(join(dir, "facts.yaml"), confirmed);
    const answersDir = join(dir, "answers");
    mkdirSync(answersDir);
    for (const l of ["vi", "en"]) writeFileSync(join(answersDir, `${l}.yaml`), readFileSync(join(TEMPLATES, "answers", `${l}.yaml`)));
    warnings.length = 0;
    loadAnswerBook({ templatesDir: dir, localesDir: join(ROOT, "locales") }, intentIds, logger);
    expect(warnings).toHaveLength(0);
  });
});

describe("tasks: sections and audiences follow the directive", () => {
  const tasks = loadTaskFile(join(TEMPLATES, "tasks.yaml"));
  const byId = new Map(tasks.map((t) => [t.id, t]));
  /** Sections that exist in the directive. */
  const SECTION = /^(I\.[1-4]|II\.1\.[a-l]|II\.2\.[a-d]|II\.3\.[a-d]|II\.4\.[ab]|II\.5\.[a-c]|III\.1\.[a-c]|III\.5\.[12]|III\.7\.[1-3]|III\.(?:[2-9]|1[0-2])|IV\.[1-4])$/;

  it("cites only sections that exist (the CSDL items are III.7.2/III.7.3, not II.7)", () => {
    for (const t of tasks) {
      for (const s of (t.section ?? "").split(",").map((x) => x.trim())) expect(s, t.id).toMatch(SECTION);
    }
    expect(byId.get("csdl_operator")?.section).toBe("III.7.3");
  });

  it("sends the mid- and end-of-year reports to the units under the Department and the offices by default", () => {
    for (const id of ["mid_year_it_report", "end_of_year_it_report"]) {
      expect(byId.get(id)?.applies_to, id).toEqual({ types: ["school", "office"], levels: ["thpt", "gdtx"] });
    }
  });

  it("lets the Department choose every school in the data", () => {
    const dir = mkdtempSync(join(tmpdir(), "tasks-"));
    const file = join(dir, "tasks.yaml");
    writeFileSync(file, readFileSync(join(TEMPLATES, "tasks.yaml"), "utf8").replace("it_reports_from_every_school: false", "it_reports_from_every_school: true"));
    const chosen = new Map(loadTaskFile(file).map((t) => [t.id, t]));
    expect(chosen.get("mid_year_it_report")?.applies_to).toEqual({ types: ["school", "office"] });
    expect(chosen.get("it_plan")?.applies_to).toEqual(byId.get("it_plan")?.applies_to);

    writeFileSync(file, readFileSync(join(TEMPLATES, "tasks.yaml"), "utf8").replace("      it_reports_from_every_school:\n", "      no_such_choice:\n"));
    expect(() => loadTaskFile(file)).toThrow(/unknown choice no_such_choice/);
  });

  it("keeps preschools out of e-learning lessons and invents no 'the Department will set' dates", () => {
    expect(byId.get("elearning_lesson")?.applies_to.levels).not.toContain("mam_non");
    for (const t of tasks) expect(`${t.due_note?.vi} ${t.due_note?.en}`, t.id).not.toMatch(/ấn định|will be set by/);
  });

  it("has the tasks the directive asks for: VnEdu admissions data, GDTX on VnEdu, EMIS, itrithuc, meeting rooms", () => {
    expect(byId.get("vnedu_grade10_data")?.applies_to.levels).toEqual(["thcs"]);
    expect(byId.get("vnedu_grade6_school_entry")?.applies_to.levels).toEqual(["tieu_hoc"]);
    expect(byId.get("gdtx_vnedu_start")?.applies_to.levels).toEqual(["gdtx"]);
    expect(byId.get("emis_update")?.section).toMatch(/II\.1\.g/);
    expect(byId.get("itrithuc_promotion")?.section).toBe("II.1.l");
    expect(byId.get("meeting_room_upgrade")?.applies_to.types).toEqual(["office"]);
  });
});

describe("the measured question set", () => {
  it("has at least 80 questions and at least 90% of them fully right", async () => {
    const questions = loadQuestions(join(ROOT, "test", "fixtures", "realistic-questions.yaml"));
    expect(questions.length).toBeGreaterThanOrEqual(80);
    let right = 0;
    for (const q of questions) {
      const reply = await ask(q.ask, q.hint);
      if (gradeReply(q, reply.text, reply.locale).length === 0) right++;
    }
    expect(right / questions.length).toBeGreaterThanOrEqual(0.9);
  });
});
