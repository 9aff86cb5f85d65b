import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTsv } from "../src/cli/shared.js";
import { applyChanges } from "../src/knowledge-edit/overlay.js";
import { SqliteOverlayStore } from "../src/knowledge-edit/overlay-store.js";
import { loadLiveKnowledge } from "../src/knowledge-edit/live-knowledge.js";
import { AuditLog } from "../src/access/audit-log.js";
import { openDatabase } from "../src/db/database.js";
import { DEFAULT_CLASSIFIER_SETTINGS } from "../src/nlu/intent-classifier.js";
import { readRepositoryContent } from "../src/knowledge-edit/repository-content.js";
import { adminCall, chat, FakeClock, startTestApp, type RunningApp } from "./support/test-app.js";
import { testDatabase, databaseEnv, connectTestDatabase } from "./support/engine.js";

const ROOT = join(import.meta.dirname, "..");
const run = promisify(execFile);
const HELDOUT = readTsv(join(import.meta.dirname, "fixtures", "nlu-heldout.tsv"));
const UNANSWERED = "muốn phản ánh lạm thu tiền trường thì gọi ai";

/**
 * Issue 9, live knowledge editing: staff teach the running bot through the admin API; the web chat shows the
 * effect within seconds, with no restart.
 */
describe("live knowledge editing", () => {
  let running: RunningApp;
  let clock: FakeClock;
  let admin: string;
  let viewer: string;
  let office: string;

  const call = (method: string, path: string, token: string, body?: object) => adminCall(running.url, method, path, token, body);
  const firstReply = async (label: string, text: string): Promise<string> => {
    const res = await chat(running.url, label, text);
    expect(res.status).toBe(200);
    return res.replies[0]?.text ?? "";
  };
  /** The chat's answer for a question the intent surely knows: its own first training phrase. */
  const answerOf = async (intent: string): Promise<string> => {
    const detail = await call("GET", `/api/admin/knowledge/intents/${intent}`, admin);
    const examples = detail.body.examples as { vi: string[] };
    return firstReply(`probe-${intent}`, examples.vi[0] as string);
  };
  const auditActions = (): string[] => {
    const conn = connectTestDatabase(running.dbPath, { readonly: true });
    const rows = conn.prepare("SELECT action FROM audit_log WHERE action LIKE 'knowledge.%' ORDER BY id").all() as { action: string }[];
    conn.close();
    return rows.map((r) => r.action);
  };

  beforeAll(async () => {
    clock = new FakeClock(new Date("2026-01-12T03:00:00Z"));
    running = await startTestApp({}, clock);
    admin = running.app.tokens.create({ name: "Sở", role: "department_admin" }, "test", clock.now()).token;
    viewer = running.app.tokens.create({ name: "viewer", role: "viewer" }, "test", clock.now()).token;
  });
  afterAll(async () => {
    await running?.stop();
  });

  it("lists intents with their answers and reads one with its phrases and buttons", async () => {
    const list = await call("GET", "/api/admin/knowledge/intents", viewer);
    expect(list.status).toBe(200);
    const intents = list.body.intents as { id: string; exampleCount: number; answer: { vi: string }; source: string; title?: { vi: string } }[];
    const contact = intents.find((i) => i.id === "contact");
    expect(contact?.source).toBe("repository");
    expect(contact?.exampleCount).toBeGreaterThan(20);
    expect(contact?.answer.vi).toMatch(/^Dạ/);
    expect(contact?.title?.vi).toBeTruthy();
    const one = await call("GET", "/api/admin/knowledge/intents/greeting", viewer);
    expect(one.status).toBe(200);
    expect((one.body.buttons as { payload: string }[]).map((b) => b.payload)).toContain("#menu");
    expect((await call("GET", "/api/admin/knowledge/intents/no.such", viewer)).status).toBe(404);
    const doc = (await call("GET", "/api/openapi.json", viewer)).body as { paths: Record<string, unknown> };
    for (const path of ["intents", "intents/{id}", "preview", "changes", "status", "versions", "versions/{version}/revert"]) {
      expect(doc.paths).toHaveProperty([`/api/admin/knowledge/${path}`]);
    }
    expect(JSON.stringify(doc)).toContain('"accuracy_drop"');
  });

  it("previews an answer per channel and reports the start-up check's problems", async () => {
    const ok = await call("POST", "/api/admin/knowledge/preview", viewer, {
      intent: "contact",
      answer: { vi: "Dạ, **Sở** ở {{department_name_vi}} <b>ạ", en: "Hello" },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.valid).toBe(true);
    const channels = ok.body.channels as Record<string, { vi: string }>;
    expect(channels.telegram?.vi).toContain("<b>Sở</b>");
    expect(channels.telegram?.vi).toContain("&lt;b&gt;ạ");
    expect(channels.web?.vi).not.toContain("**");
    expect(channels.web?.vi).not.toContain("{{");
    const bad = await call("POST", "/api/admin/knowledge/preview", viewer, {
      intent: "contact",
      answer: { vi: "Dạ, gọi {{no_such_fact}} ạ", en: "x".repeat(2001) },
      buttons: [{ payload: "#no.such.topic" }],
    });
    expect(bad.body.valid).toBe(false);
    const codes = (bad.body.problems as { code: string; field: string }[]).map((p) => `${p.code} ${p.field}`);
    expect(codes).toEqual(expect.arrayContaining(["unknown_placeholder answer.vi", "too_long answer.en", "unknown_button buttons"]));
  });

  it("refuses changes from a viewer or an office admin, and invalid changes with the start-up check's codes", async () => {
    const change = { kind: "edit_answer", intent: "contact", answer: { vi: "Dạ, mới ạ", en: "New" } };
    expect((await call("POST", "/api/admin/knowledge/changes", viewer, { change })).body.code).toBe("forbidden");
    const res = await call("POST", "/api/admin/knowledge/changes", admin, {
      change: { ...change, answer: { vi: "Dạ, gọi {{no_such_fact}} ạ", en: "ok" } },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "unknown_placeholder", field: "answer.vi" });
    const unknown = await call("POST", "/api/admin/knowledge/changes", admin, { change: { kind: "add_examples", intent: "nope", examples: [{ text: "x", locale: "vi" }] } });
    expect(unknown.body).toMatchObject({ code: "unknown_intent", field: "intent" });
    // The bot's own messages (answers without an intent) keep their ids.
    const taken = await call("POST", "/api/admin/knowledge/changes", admin, {
      change: { kind: "new_intent", intent: { id: "human_handoff_unsent", questions: { vi: ["gặp người"], en: [] }, answer: { vi: "Dạ ạ", en: "Ok" } } },
    });
    expect(taken.body).toMatchObject({ code: "intent_exists", field: "intent.id" });
    expect((await call("GET", "/api/admin/knowledge/versions", admin)).body.versions).toEqual([]);
  });

  it("an unanswered question, added as a training phrase, is answered by the running bot within seconds", async () => {
    const contactAnswer = await answerOf("contact");
    expect(running.app.classifier.classify(UNANSWERED).intent).not.toBe("contact");
    expect(await firstReply("parent-1", UNANSWERED)).not.toBe(contactAnswer);

    const greeting = await answerOf("greeting");
    const started = performance.now();
    const pending = call("POST", "/api/admin/knowledge/changes", admin, {
      change: { kind: "add_examples", intent: "contact", examples: [{ text: UNANSWERED, locale: "vi" }] },
      note: "từ câu hỏi chưa trả lời được",
    });
    // While the new model trains in the background, the old one keeps answering.
    let sawTraining = false;
    while (!sawTraining && performance.now() - started < 5_000) {
      sawTraining = (await call("GET", "/api/admin/knowledge/status", viewer)).body.training === true;
    }
    expect(sawTraining).toBe(true);
    expect(await firstReply("parent-busy", "Chào buổi sáng ạ")).toBe(greeting);
    expect(running.app.classifier.classify(UNANSWERED).intent).not.toBe("contact");
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: 1, applied: true });
    const accuracy = res.body.accuracy as { before: number; after: number };
    expect(accuracy.before).toBeGreaterThan(0.8);
    expect(Math.abs(accuracy.after - accuracy.before)).toBeLessThan(0.01);
    let reply = "";
    do {
      reply = await firstReply("parent-2", UNANSWERED);
      if (reply === contactAnswer) break;
      await new Promise((r) => setTimeout(r, 100));
    } while (performance.now() - started < 20_000);
    expect(reply).toBe(contactAnswer);
    // Seconds, not minutes: on the 2-core CI machine running the suite the first retrain (a cold worker) took up
    // to 11 s; `npm run bench:teach` measures the figure on a quiet machine.
    expect(performance.now() - started).toBeLessThan(15_000);
    const status = await call("GET", "/api/admin/knowledge/status", viewer);
    expect(status.body).toMatchObject({ version: 1, appliedVersion: 1, training: false });
    const intent = await call("GET", "/api/admin/knowledge/intents/contact", viewer);
    expect((intent.body.examples as { vi: string[] }).vi).toContain(UNANSWERED);
    expect(intent.body.source).toBe("overlay");
  }, 40_000);

  it("a new FAQ entry is answered", async () => {
    const question = "thư viện sở mở cửa mấy giờ";
    const answer = { vi: "Dạ, thư viện của {{department_name_vi}} mở cửa từ 7 giờ 30 đến 17 giờ các ngày làm việc ạ.", en: "The library opens 7:30 to 17:00 on working days." };
    const before = await firstReply("parent-3", question);
    expect(before).not.toContain("thư viện của");
    const res = await call("POST", "/api/admin/knowledge/changes", admin, {
      change: {
        kind: "new_intent",
        intent: {
          id: "library.hours",
          questions: { vi: [question, "thu vien so mo cua luc nao", "giờ mở cửa thư viện sở gd"], en: ["when is the library of the department open"] },
          answer,
          buttons: [{ label: { vi: "Liên hệ", en: "Contact" }, payload: "#contact" }],
        },
      },
    });
    expect(res.status).toBe(200);
    const reply = await chat(running.url, "parent-3", question);
    expect(reply.replies[0]?.text).toMatch(/^Dạ, thư viện của .*Sở.* mở cửa từ 7 giờ 30/);
    expect(reply.replies[0]?.text).not.toContain("{{");
    expect(reply.replies[0]?.buttons.map((b) => b.payload)).toContain("#contact");
    const list = await call("GET", "/api/admin/knowledge/intents", viewer);
    const added = (list.body.intents as { id: string; source: string; title?: { vi: string } }[]).find((i) => i.id === "library.hours");
    expect(added).toMatchObject({ source: "overlay", title: { vi: "Thư viện sở mở cửa mấy giờ" } });
  });

  it("a change that lowers held-out accuracy is held for a second confirmation", async () => {
    // The held-out questions of the most asked topic, taught as "thanks": those questions now go wrong.
    const counts = new Map<string, number>();
    for (const row of HELDOUT) if (row.label !== "thanks" && row.label !== "out_of_scope") counts.set(row.label, (counts.get(row.label) ?? 0) + 1);
    const [label] = [...counts].sort((a, b) => b[1] - a[1])[0] as [string, number];
    const examples = HELDOUT.filter((r) => r.label === label).map((r) => ({ text: r.text, locale: /[a-z]+ (the|my|is|do|how|what|can|i)\b/i.test(r.text) ? "en" : "vi" }));
    const change = { kind: "add_examples", intent: "thanks", examples };
    const held = await call("POST", "/api/admin/knowledge/changes", admin, { change });
    expect(held.status).toBe(409);
    expect(held.body.code).toBe("accuracy_drop");
    const accuracy = held.body.accuracy as { before: number; after: number };
    expect(accuracy.before - accuracy.after).toBeGreaterThan(0.01);
    const versionsBefore = (await call("GET", "/api/admin/knowledge/versions", admin)).body.versions as unknown[];
    expect(versionsBefore).toHaveLength(2);
    const sample = examples[0]?.text as string;
    expect(running.app.classifier.classify(sample).intent).not.toBe("thanks");

    const confirmed = await call("POST", "/api/admin/knowledge/changes", admin, { change, confirm: true });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ version: 3, accuracy });
    expect(running.app.classifier.classify(sample).intent).toBe("thanks");

    // Reverting it is itself a version, and the bot goes back.
    const revert = await call("POST", "/api/admin/knowledge/versions/3/revert", admin, { confirm: true });
    expect(revert.status).toBe(200);
    expect(revert.body.version).toBe(4);
    expect(running.app.classifier.classify(sample).intent).not.toBe("thanks");
  });

  it("an edited answer is answered at once, and reverting it restores the previous answer", async () => {
    const previous = await answerOf("contact");
    const edited = await call("POST", "/api/admin/knowledge/changes", admin, {
      change: { kind: "edit_answer", intent: "contact", answer: { vi: "Dạ, anh/chị gọi số 0123 456 789 ạ.", en: "Please call 0123 456 789." } },
    });
    expect(edited.status).toBe(200);
    expect(await answerOf("contact")).toBe("Dạ, anh/chị gọi số 0123 456 789 ạ.");
    const version = edited.body.version as number;
    const reverted = await call("POST", `/api/admin/knowledge/versions/${version}/revert`, admin);
    expect(reverted.status).toBe(200);
    expect(await answerOf("contact")).toBe(previous);
    const again = await call("POST", `/api/admin/knowledge/versions/${version}/revert`, admin);
    expect(again.body.code).toBe("already_reverted");
    const versions = (await call("GET", "/api/admin/knowledge/versions", viewer)).body.versions as { version: number; kind: string; by: string; revertedAt?: string }[];
    expect(versions[0]).toMatchObject({ version: reverted.body.version, kind: "revert" });
    expect(versions.find((v) => v.version === version)?.revertedAt).toBeTruthy();
    expect(versions.every((v) => v.by.includes("Sở"))).toBe(true);
    expect(auditActions()).toEqual(["knowledge.change", "knowledge.change", "knowledge.change", "knowledge.revert", "knowledge.change", "knowledge.revert"]);
  });

  it("content:export writes the overlay into a copy of the content files, and reading them back gives the same content", async () => {
    const out = mkdtempSync(join(tmpdir(), "sogd-export-"));
    try {
      const { stdout } = await run("npm", ["run", "--silent", "content:export", "--", "--out", out], {
        cwd: ROOT,
        env: { ...process.env, ...databaseEnv(running.dbPath), LOG_LEVEL: "silent" },
        timeout: 60_000,
      });
      expect(stdout).toMatch(/Exported \d+ console edit/);
      expect(stdout).toContain("wrote intents/lookup.yaml");
      const active = new SqliteOverlayStore(running.app.database.db).active().map((a) => a.change);
      const expected = applyChanges(readRepositoryContent(ROOT).content, active);
      const exported = readRepositoryContent(out).content;
      // Same intents and phrases (a new topic's file may sort elsewhere among intents/*.yaml).
      const byId = (c: typeof exported) => [...c.intents].sort((a, b) => a.id.localeCompare(b.id));
      expect(byId(exported)).toEqual(byId(expected));
      expect(exported.answers.answers).toEqual(expected.answers.answers);
      expect(exported.answers.labels).toEqual(expected.answers.labels);
      // The overlay laid over the exported files changes nothing: it is already in them.
      expect(applyChanges(exported, active)).toEqual(exported);
      expect(readFileSync(join(out, "intents", "lookup.yaml"), "utf8")).toContain(`- "${UNANSWERED}"`);
      expect(readFileSync(join(out, "templates", "answers", "vi.yaml"), "utf8")).toMatch(/library\.hours:\n {2}text: \|\n {4}Dạ, thư viện của \{\{department_name_vi\}\}/);
      // Only additions: every line of the YAML files as they were is still there, in order (comments and layout kept).
      for (const file of [["intents", "lookup.yaml"], ["templates", "answers", "vi.yaml"]]) {
        const before = readFileSync(join(ROOT, ...file), "utf8").trimEnd().split("\n");
        let at = 0;
        for (const line of readFileSync(join(out, ...file), "utf8").split("\n")) if (at < before.length && line === before[at]) at++;
        expect(at, file.join("/")).toBe(before.length);
      }
      const labels = JSON.parse(readFileSync(join(out, "locales", "vi", "topics.json"), "utf8")) as Record<string, string>;
      expect(labels).toMatchObject(JSON.parse(readFileSync(join(ROOT, "locales", "vi", "topics.json"), "utf8")) as Record<string, string>);
      // The repository's own files are untouched.
      expect(readFileSync(join(ROOT, "intents", "lookup.yaml"), "utf8")).not.toContain(UNANSWERED);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("a restart keeps the overlay: the start-up check loads it and the bot still knows what it was taught", async () => {
    const dbPath = running.dbPath;
    await running.stop({ keepData: true });
    running = await startTestApp({}, clock, dbPath);
    admin = running.app.tokens.create({ name: "Sở 2", role: "department_admin" }, "test", clock.now()).token;
    viewer = running.app.tokens.create({ name: "viewer 2", role: "viewer" }, "test", clock.now()).token;
    expect(running.app.classifier.classify(UNANSWERED).intent).toBe("contact");
    expect(await firstReply("parent-4", "thư viện sở mở cửa mấy giờ")).toMatch(/^Dạ, thư viện của/);
    expect((await call("GET", "/api/admin/knowledge/status", viewer)).body).toMatchObject({ version: 6, appliedVersion: 6 });
  });

  it("an office admin reads but cannot change", async () => {
    const units = await adminCall(running.url, "POST", "/api/admin/imports/units", admin, readFileSync(join(ROOT, "test", "fixtures", "units-sample.csv"), "utf8"), "text/csv");
    expect(units.status).toBe(200);
    office = running.app.tokens.create({ name: "PGD VT", role: "office_admin", unitCode: "PGD-VT" }, "test", clock.now()).token;
    expect((await call("GET", "/api/admin/knowledge/versions", office)).status).toBe(200);
    const res = await call("POST", "/api/admin/knowledge/versions/1/revert", office);
    expect(res).toMatchObject({ status: 403, body: { code: "forbidden" } });
  });
});

describe("the start-up check covers the overlay", () => {
  it("stops the start with a clear message when a stored edit no longer fits the files", () => {
    const dir = mkdtempSync(join(tmpdir(), "sogd-overlay-"));
    const database = openDatabase(testDatabase(join(dir, "bot.db")));
    try {
      const store = new SqliteOverlayStore(database.db);
      // As if the fact the answer uses had since been removed from templates/facts.yaml.
      const change = { kind: "edit_answer" as const, intent: "contact", answer: { vi: "Dạ, gọi {{removed_fact}} ạ\n", en: "Call {{removed_fact}}\n" } };
      store.transaction((tx) => store.insert({ at: new Date(), by: "test", change, summary: "edit", note: null }, tx));
      const load = () =>
        loadLiveKnowledge({ contentRoot: ROOT, heldoutRoot: ROOT, db: database.db, audit: new AuditLog(database.db), clock: { now: () => new Date() }, settings: DEFAULT_CLASSIFIER_SETTINGS });
      expect(load).toThrow(/vi contact: unknown placeholder \{\{removed_fact\}\}[\s\S]*the console's knowledge edits, versions 1/);
    } finally {
      database.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
