import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { textVariant } from "../src/cli/text-variant.js";
import { loadIntents, loadLexicon } from "../src/content/load-intents.js";
import { IntentClassifier, type IntentDefinition } from "../src/nlu/intent-classifier.js";
import { fold, Normalizer } from "../src/nlu/normalize.js";
import { readTsv } from "../src/cli/shared.js";

const ROOT = join(import.meta.dirname, "..");
const FIXED_IDS = [
  "greeting", "help", "thanks", "language", "human_handoff", "subscribe", "unsubscribe", "out_of_scope",
  "dvc.transfer_school", "dvc.readmission", "dvc.inclusive_center", "dvc.exam_appeal", "dvc.study_abroad_consulting",
  "dvc.life_skills", "dvc.foreign_students", "dvc.diploma_copy", "dvc.foreign_diploma_recognition",
  "dvc.diploma_correction", "dvc.list", "dvc.how_to",
  "vnedu.account", "vnedu.password", "vnedu.contact_book", "vnedu.transcript",
  "admission.grade10", "admission.grade6", "lookup.exam_scores", "lookup.diploma", "it_certificate", "elearning", "contact",
  "staff.deadlines", "staff.tasks", "staff.csdl", "staff.pmis", "staff.eoffice", "staff.it_model", "staff.security",
  "staff.register",
];

let intents: IntentDefinition[];
let classifier: IntentClassifier;
const lexicon = loadLexicon(join(ROOT, "intents", "lexicon", "normalization.yaml"));
const heldout = readTsv(join(ROOT, "test", "fixtures", "nlu-heldout.tsv"));

beforeAll(() => {
  intents = loadIntents(join(ROOT, "intents"));
  classifier = IntentClassifier.fromIntents(intents, lexicon);
});

describe("normalisation", () => {
  const normalizer = new Normalizer(lexicon);

  it("folds NFD and NFC, case, tone marks and đ alike", () => {
    expect(fold("Đăng Ký".normalize("NFD"))).toBe("dang ky");
    expect(fold("ĐĂNG KÝ")).toBe(fold("đăng ký"));
  });

  it("expands chat shorthand", () => {
    expect(normalizer.normalizeForMatching("mk vnedu ko dc")).toBe("mat khau vnedu khong duoc");
    expect(normalizer.normalizeForMatching("hs lop10 can j")).toBe("hoc sinh lop 10 can gi");
  });

  it("drops the politeness around a question but keeps a bare greeting", () => {
    expect(normalizer.normalizeForMatching("Dạ em chào ad, cho em hỏi phúc khảo bài thi ở đâu ạ, em cảm ơn")).toBe(
      "phuc khao bai thi o dau",
    );
    expect(normalizer.normalizeForMatching("em chào ad")).toBe("em chao admin");
  });
});

describe("language detection", () => {
  it.each([
    ["chuyen truong cap 3 can gi", "vi"],
    ["Chuyển trường cho con", "vi"],
    ["How do I transfer my son to another school?", "en"],
    ["where can I look up exam scores", "en"],
    ["lam sao tra cuu diem thi vao lop 10", "vi"],
  ])("%s → %s", (text, locale) => {
    expect(classifier.detectLocale(text)).toBe(locale);
  });

  it("does not guess on a too-short message", () => {
    expect(classifier.detectLocale("ok")).toBeUndefined();
  });
});

describe("intents/ content", () => {
  it("defines every fixed intent id with at least 20 Vietnamese and 6 English phrases", () => {
    const byId = new Map(intents.map((i) => [i.id, i]));
    for (const id of FIXED_IDS) {
      const intent = byId.get(id);
      expect(intent, id).toBeDefined();
      expect(intent?.examples.vi.length, `${id} vi`).toBeGreaterThanOrEqual(20);
      expect(intent?.examples.en.length, `${id} en`).toBeGreaterThanOrEqual(6);
    }
  });

  it("mixes tone marks, no tone marks and shorthand in the Vietnamese phrases", () => {
    for (const intent of intents) {
      const variants = intent.examples.vi.map(textVariant);
      expect(variants.filter((v) => v === "tone_marks" || v === "shorthand").length, intent.id).toBeGreaterThan(3);
      expect(variants.filter((v) => v === "no_tone_marks" || v === "shorthand").length, intent.id).toBeGreaterThan(3);
    }
  });
});

describe("held-out accuracy", () => {
  it("is a real held-out set: big enough, varied, and copied from no training phrase", () => {
    expect(heldout.length).toBeGreaterThanOrEqual(200);
    const count = (v: string) => heldout.filter((r) => textVariant(r.text) === v).length;
    expect(count("no_tone_marks") + count("shorthand")).toBeGreaterThanOrEqual(heldout.length / 3);
    expect(count("english")).toBeGreaterThanOrEqual(heldout.length / 6);
    expect(count("shorthand")).toBeGreaterThanOrEqual(heldout.length / 6);
    expect(heldout.filter((r) => r.label === "out_of_scope").length).toBeGreaterThanOrEqual(10);
    const training = new Set(intents.flatMap((i) => [...i.examples.vi, ...i.examples.en]).map(fold));
    const copied = heldout.filter((r) => training.has(fold(r.text)));
    expect(copied.map((r) => r.text)).toEqual([]);
  });

  it("classifies at least 93% of the held-out questions correctly", () => {
    const wrong = heldout.filter((r) => classifier.classify(r.text).intent !== r.label);
    const accuracy = 1 - wrong.length / heldout.length;
    expect(accuracy, wrong.map((r) => `${r.label}: ${r.text}`).join("\n")).toBeGreaterThanOrEqual(0.93);
  });

  it("keeps at least 90% on the hard, noisy set (a regression guard)", () => {
    const hard = readTsv(join(ROOT, "test", "fixtures", "nlu-hard.tsv"));
    const wrong = hard.filter((r) => classifier.classify(r.text).intent !== r.label);
    expect(1 - wrong.length / hard.length).toBeGreaterThanOrEqual(0.9);
  });

  it("answers what is wrapped in a long polite message", () => {
    const result = classifier.classify(
      "Dạ em chào ad, cho em hỏi con em học lớp 10 muốn chuyển sang trường khác gần nhà thì làm thủ tục sao ạ, em cảm ơn",
    );
    expect(result.intent).toBe("dvc.transfer_school");
  });

  it("puts gibberish and off-topic questions out of scope", () => {
    expect(classifier.classify("asdkjh qwpeoiru zzxmcn").intent).toBe("out_of_scope");
    expect(classifier.classify("kết quả xổ số miền nam hôm nay").intent).toBe("out_of_scope");
    expect(classifier.classify("").intent).toBe("out_of_scope");
  });
});

describe("noisy input", () => {
  it("reads Telex typed without an input method", () => {
    expect(classifier.classify("chuyeenr truwowngf cho con").intent).toBe("dvc.transfer_school");
    expect(classifier.classify("queen maatj khaaur vnedu").intent).toBe("vnedu.password");
  });

  it("keeps thanks that come with a remark as thanks", () => {
    expect(classifier.classify("cám ơn bot, mình hiểu rồi").intent).toBe("thanks");
  });
});
