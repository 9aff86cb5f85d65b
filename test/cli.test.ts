import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/database.js";
import { SqliteConversationStore } from "../src/db/conversation-store.js";
import { testDatabase, databaseEnv } from "./support/engine.js";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "sogd-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function npm(args: string[], input?: string, env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  const child = run("npm", ["run", "--silent", ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: "silent", ...env }, timeout: 60_000 });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  return child;
}

describe("npm run classify", () => {
  it("writes one JSON object per input line, in order", async () => {
    const input = ["chuyen truong cap 3 can gi", "How do I look up exam scores?", "xổ số miền bắc hôm nay", "Đăng ký nhận thông báo".normalize("NFD")].join("\n");
    const { stdout } = await npm(["classify"], `${input}\n`);
    const lines = stdout.trim().split("\n").map((l) => JSON.parse(l) as { text: string; intent: string; confidence: number; locale: string });
    expect(lines.map((l) => l.intent)).toEqual(["dvc.transfer_school", "lookup.exam_scores", "out_of_scope", "subscribe"]);
    expect(lines.map((l) => l.locale)).toEqual(["vi", "en", "vi", "vi"]);
    expect(lines[0]?.text).toBe("chuyen truong cap 3 can gi");
    expect(lines[3]?.text).toBe("Đăng ký nhận thông báo");
    for (const l of lines) expect(l.confidence).toBeGreaterThanOrEqual(0);
  });
});

describe("npm run nlu:eval", () => {
  it("trains on A only and reports accuracy, n and timings on B as its last line", async () => {
    const train = join(dir, "train.tsv");
    const test = join(dir, "test.tsv");
    const rows = (label: string, texts: string[]) => texts.map((t) => `${label}\t${t}`);
    writeFileSync(
      train,
      [
        ...rows("book_flight", ["book a flight to hanoi", "i need a plane ticket", "reserve a flight tomorrow", "flights to saigon please", "buy an air ticket"]),
        ...rows("weather", ["what is the weather today", "will it rain tomorrow", "weather forecast for hue", "is it sunny outside", "temperature this weekend"]),
        ...rows("play_music", ["play some music", "put on a song by son tung", "play jazz", "i want to hear music", "start my playlist"]),
      ].join("\n"),
    );
    writeFileSync(test, [...rows("book_flight", ["get me a flight to da nang"]), ...rows("weather", ["is it going to rain in hue"]), ...rows("play_music", ["play a song"])].join("\n"));
    const { stdout } = await npm(["nlu:eval", "--", "--train", train, "--test", test]);
    const last = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as Record<string, number>;
    expect(last.n).toBe(3);
    expect(last.accuracy).toBe(1);
    expect(last.train_ms).toBeGreaterThan(0);
    expect(last.p99_ms).toBeGreaterThanOrEqual(last.p50_ms ?? 0);
  });
});

describe("npm run unanswered", () => {
  it("lists the questions asked by the most people first; one person repeating a question counts once", async () => {
    const dbPath = join(dir, "bot.db");
    const database = openDatabase(testDatabase(dbPath));
    const store = new SqliteConversationStore(database.db);
    const at = new Date("2026-02-01T02:00:00Z");
    const flooder = store.touchUser("web", "flooder", at).id;
    for (let i = 0; i < 50; i++) store.recordUnanswered("mua hang giam gia tai spam", "vi", at, flooder);
    for (const parent of ["p1", "p2", "p3"]) store.recordUnanswered("lich thi hoc ky 2", "vi", at, store.touchUser("telegram", parent, at).id);
    store.recordUnanswered("gia vang hom nay", "vi", at, store.touchUser("telegram", "p4", at).id);
    store.recordUnanswered("gia vang hom nay", "vi", at, store.touchUser("telegram", "p5", at).id);
    database.close();
    const { stdout } = await npm(["unanswered"], undefined, { ...databaseEnv(dbPath) });
    const lines = stdout.trim().split("\n");
    expect(lines[1]).toMatch(/^\s+3\s+vi.*lich thi hoc ky 2$/);
    expect(lines[2]).toMatch(/^\s+2\s+vi.*gia vang hom nay$/);
    expect(lines[3]).toMatch(/^\s+1\s+vi.*mua hang giam gia tai spam$/);
  });
});
