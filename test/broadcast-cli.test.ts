import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runBroadcastCli, type BroadcastCliIo } from "../src/cli/broadcast.js";
import { parseConfig, type Config } from "../src/config.js";
import { SqliteConversationStore } from "../src/db/conversation-store.js";
import { openDatabase, type OpenDatabase } from "../src/db/database.js";
import { BroadcastLifecycle } from "../src/broadcast/broadcast-lifecycle.js";
import { SqliteBroadcastStatus } from "../src/broadcast/sqlite-broadcast-status.js";
import { SqliteOutbox } from "../src/outbox/sqlite-outbox-store.js";
import { importUnits } from "../src/registry/units-import.js";
import { testDatabase, databaseEnv } from "./support/engine.js";

// 10:00 in Vietnam, a Tuesday.
const NOW = new Date("2026-01-13T03:00:00Z");
const UNITS_CSV = readFileSync(join(import.meta.dirname, "fixtures", "units-sample.csv"), "utf8");

const NOTE = `# Lịch nghỉ Tết Nguyên đán 2026

Học sinh các trường **nghỉ Tết** từ ngày 14/02/2026.

- Đi học lại: thứ Hai 23/02/2026
- Chi tiết: https://sogd.example.gov.vn/tet_2026
`;

let dir: string;
let dbPath: string;
let config: Config;
let database: OpenDatabase;
let outbox: SqliteOutbox;

/** Three subscribed Telegram parents, one who never subscribed, and a subscribed web chat user (cannot be pushed to). */
function seedPeople(): void {
  const store = new SqliteConversationStore(database.db);
  for (const chatId of ["101", "102", "103"]) {
    const user = store.touchUser("telegram", chatId, NOW);
    store.setSubscribed(user.id, true, NOW);
  }
  store.touchUser("telegram", "104", NOW);
  const web = store.touchUser("web", "web-parent-1", NOW);
  store.setSubscribed(web.id, true, NOW);
}

function note(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text, "utf8");
  return file;
}

function sink() {
  const s = {
    text: "",
    write(chunk: string) {
      s.text += chunk;
      return true;
    },
  };
  return s;
}

function start(args: string[], io: Partial<BroadcastCliIo> = {}) {
  const stdout = sink();
  const stderr = sink();
  const done = runBroadcastCli(args, { stdout, stderr, isTTY: false, now: () => NOW, pollMs: 10, config, ...io });
  return { stdout, stderr, done };
}

async function cli(args: string[], io: Partial<BroadcastCliIo> = {}) {
  const run = start(args, io);
  const code = await run.done;
  return { code, stdout: run.stdout.text, stderr: run.stderr.text };
}

function broadcastRows(): { id: number; title: string; text_vi: string; text_en: string | null; status: string; send_at: number; created_by: string }[] {
  return database.client.prepare("SELECT id, title, text_vi, text_en, status, send_at, created_by FROM broadcasts ORDER BY id").all() as never;
}

function outboxRows(id: number): { status: string; reason: string | null }[] {
  return database.client.prepare("SELECT status, reason FROM outbox WHERE cause_type = 'broadcast' AND cause_id = ? ORDER BY id").all(id) as never;
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The progress bar frames, whether redrawn with \r or printed one per line. */
function frames(stdout: string): string[] {
  return stdout.split(/[\r\n]/).filter((line) => line.startsWith("["));
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "sogd-broadcast-cli-"));
  dbPath = join(dir, "bot.db");
  config = parseConfig({ ...databaseEnv(dbPath), LOG_LEVEL: "silent", QUIET_HOURS: "" });
  database = openDatabase(testDatabase(dbPath));
  outbox = new SqliteOutbox(database, "vi");
  seedPeople();
});

afterEach(() => {
  database.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("npm run broadcast: preview and confirmation", () => {
  it("prints the preview, then refuses without --yes when not on a terminal; nothing is created", async () => {
    const file = note("note.md", NOTE);
    const { code, stdout, stderr } = await cli(["--file", file]);
    expect(code).toBe(2);
    expect(stdout).toContain("Title:      Lịch nghỉ Tết Nguyên đán 2026");
    expect(stdout).toContain("now, 2026-01-13T03:00:00.000Z = 2026-01-13 10:00 Asia/Ho_Chi_Minh");
    expect(stdout).toContain("Recipients: 5 matched · 3 will be sent · 2 skipped");
    expect(stdout).toContain("skipped, not subscribed: 1");
    expect(stdout).toContain("skipped, web chat only, cannot be pushed to: 1");
    // The plain-text rendering: no Markdown markers left, list items as bullets, the link as written.
    expect(stdout).toContain("Học sinh các trường nghỉ Tết từ ngày 14/02/2026.");
    expect(stdout).toContain("• Đi học lại: thứ Hai 23/02/2026");
    expect(stdout).toContain("https://sogd.example.gov.vn/tet_2026");
    expect(stdout).not.toContain("**");
    expect(stderr).toContain("--yes");
    expect(broadcastRows()).toEqual([]);
  });

  it("asks on a terminal: anything but y/yes/c/có cancels", async () => {
    const file = note("note.md", NOTE);
    for (const answer of ["n\n", "\n", "ok\n", ""]) {
      const stdin = new PassThrough();
      stdin.end(answer);
      const { code, stdout } = await cli(["--file", file], { isTTY: true, stdin });
      expect(code).toBe(1);
      expect(stdout).toContain("Gửi? / Send? [y/N] ");
      expect(stdout).toContain("Cancelled, nothing was created.");
    }
    expect(broadcastRows()).toEqual([]);
  });

  it("on a terminal, answering có creates it", async () => {
    const file = note("note.md", NOTE);
    const stdin = new PassThrough();
    stdin.end("Có\n");
    const { code, stdout } = await cli(["--file", file, "--no-wait"], { isTTY: true, stdin });
    expect(code).toBe(0);
    expect(stdout).toMatch(/Broadcast 1 created: 3 to send, 2 skipped/);
    expect(broadcastRows()).toHaveLength(1);
  });

  it("Ctrl-C at the prompt creates nothing", async () => {
    const file = note("note.md", NOTE);
    const stdin = new PassThrough();
    const controller = new AbortController();
    const run = start(["--file", file], { isTTY: true, stdin, signal: controller.signal });
    await until(() => run.stdout.text.includes("[y/N]"));
    controller.abort();
    expect(await run.done).toBe(1);
    expect(run.stdout.text).toContain("Cancelled, nothing was created.");
    expect(broadcastRows()).toEqual([]);
  });
});

describe("npm run broadcast: creating", () => {
  it("--yes creates it as the OS user: sending, with its outbox rows; --no-wait exits at once", async () => {
    const file = note("note.md", NOTE);
    const { code, stdout, stderr } = await cli(["--file", file, "--yes", "--no-wait"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("Broadcast 1 created: 3 to send, 2 skipped");
    expect(stdout).toContain("GET /api/admin/broadcasts/1");
    const [row] = broadcastRows();
    expect(row).toMatchObject({ id: 1, status: "sending", title: "Lịch nghỉ Tết Nguyên đán 2026", created_by: `cli:${userInfo().username}` });
    const rows = outboxRows(1);
    expect(rows.filter((r) => r.status === "queued")).toHaveLength(3);
    expect(rows.filter((r) => r.status === "skipped").map((r) => r.reason).sort()).toEqual(["no_push_channel", "not_subscribed"]);
  });

  it("takes the title from the file's # heading and leaves it out of the body", async () => {
    const file = note("note.md", `\uFEFF${NOTE}`);
    const { code, stdout } = await cli(["--file", file, "--yes", "--no-wait"], { username: "thu.nguyen" });
    expect(code).toBe(0);
    const [row] = broadcastRows();
    expect(row?.title).toBe("Lịch nghỉ Tết Nguyên đán 2026");
    expect(row?.text_vi).not.toContain("#");
    expect(row?.text_vi.startsWith("Học sinh")).toBe(true);
    expect(row?.created_by).toBe("cli:thu.nguyen");
    // The title shows once in the message (as its heading), not twice.
    expect(stdout.split("Lịch nghỉ Tết Nguyên đán 2026").length - 1).toBe(2);
  });

  it("--title wins over the heading; without either it is a clear error", async () => {
    const withTitle = await cli(["--file", note("a.md", "Nội dung thông báo."), "--title", "Thông báo khẩn", "--yes", "--no-wait"]);
    expect(withTitle.code).toBe(0);
    expect(broadcastRows()[0]?.title).toBe("Thông báo khẩn");

    const without = await cli(["--file", note("b.md", "Nội dung thông báo.\n# không phải dòng đầu"), "--yes"]);
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/^error: no title: give --title "\.\.\." or start .*b\.md with a "# heading" line/);
    expect(broadcastRows()).toHaveLength(1);
  });

  it("stores the English text from --en", async () => {
    const en = note("note.en.md", "Schools close for Tet from **14 February**.");
    const { code } = await cli(["--file", note("note.md", NOTE), "--en", en, "--yes", "--no-wait"]);
    expect(code).toBe(0);
    expect(broadcastRows()[0]?.text_en).toBe("Schools close for Tet from **14 February**.");
  });

  it("--at in the future schedules it (Vietnam time without an offset) and exits 0", async () => {
    const { code, stdout } = await cli(["--file", note("note.md", NOTE), "--at", "2026-01-14T08:00", "--yes"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Goes out:   2026-01-14T01:00:00.000Z = 2026-01-14 08:00 Asia/Ho_Chi_Minh");
    expect(stdout).toContain("Broadcast 1 scheduled for 2026-01-14T01:00:00.000Z = 2026-01-14 08:00 Asia/Ho_Chi_Minh");
    expect(frames(stdout)).toEqual([]);
    expect(broadcastRows()[0]).toMatchObject({ status: "scheduled", send_at: Date.parse("2026-01-14T01:00:00Z") });
    expect(outboxRows(1)).toEqual([]);
  });

  it("quiet hours hold a non-urgent broadcast until the morning", async () => {
    const quiet = parseConfig({ ...databaseEnv(dbPath), LOG_LEVEL: "silent", QUIET_HOURS: "21:00-07:00" });
    const late = new Date("2026-01-13T15:00:00Z"); // 22:00 in Vietnam
    const { code, stdout } = await cli(["--file", note("note.md", NOTE), "--yes"], { config: quiet, now: () => late });
    expect(code).toBe(0);
    expect(stdout).toContain("2026-01-14 07:00 Asia/Ho_Chi_Minh — held back by quiet hours");
    expect(broadcastRows()[0]?.status).toBe("scheduled");
  });

  it("works on a database handed in, and leaves it open", async () => {
    const { code } = await cli(["--file", note("note.md", NOTE), "--yes", "--no-wait"], { database });
    expect(code).toBe(0);
    expect(database.client.open).toBe(true);
    expect(broadcastRows()).toHaveLength(1);
  });
});

describe("npm run broadcast: refusals", () => {
  it("bad audience JSON: exit 2 with a clear message, nothing created", async () => {
    const { code, stdout, stderr } = await cli(["--file", note("note.md", NOTE), "--audience", "{units: [PGD-VT]}", "--yes"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error: --audience is not valid JSON \(/);
    expect(stdout).toBe("");
    expect(broadcastRows()).toEqual([]);
  });

  it("an audience that breaks the schema names the field", async () => {
    const { code, stderr } = await cli(["--file", note("note.md", NOTE), "--audience", '{"roles":["teacher"]}', "--yes"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error: audience\.roles\[0\]: .*\(from --audience\)/);
    const unknownField = await cli(["--file", note("note.md", NOTE), "--audience", '{"unit":["PGD-VT"]}', "--yes"]);
    expect(unknownField.code).toBe(2);
    expect(unknownField.stderr).toContain('unknown field "unit"');
    expect(broadcastRows()).toEqual([]);
  });

  it("an unknown school code: exit 2 naming audience.units[0]", async () => {
    expect(importUnits(database, UNITS_CSV, { dryRun: false, now: NOW }).ok).toBe(true);
    const { code, stderr } = await cli(["--file", note("note.md", NOTE), "--audience", '{"units":["THCS-KHONG-CO","THCS-HKN-VT"]}', "--yes"]);
    expect(code).toBe(2);
    expect(stderr).toBe('error: audience.units[0]: unknown unit code "THCS-KHONG-CO" (from --audience)\n');
    expect(broadcastRows()).toEqual([]);
  });

  it("--at in the past, a missing file and an unknown option are errors (exit 2)", async () => {
    const past = await cli(["--file", note("note.md", NOTE), "--at", "2026-01-12T08:00", "--yes"]);
    expect(past.code).toBe(2);
    expect(past.stderr).toBe("error: sendAt: is in the past (from --at)\n");

    const missing = await cli(["--file", join(dir, "nope.md"), "--yes"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: --file .*nope\.md: cannot read it: no such file/);

    const unknown = await cli(["--file", note("note.md", NOTE), "--send"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("usage: npm run broadcast");
    expect(broadcastRows()).toEqual([]);
  });
});

describe("npm run broadcast: following the server's progress", () => {
  it("redraws one line on a terminal until the broadcast is done, ending at 100%", async () => {
    const run = start(["--file", note("note.md", NOTE), "--yes"], { isTTY: true });
    await until(() => frames(run.stdout.text).length > 0);
    // The server's dispatcher, simulated: claim the rows, then record their outcomes one by one.
    const rows = outbox.claimDue("telegram", NOW, 10, false);
    expect(rows).toHaveLength(3);
    for (const [i, row] of rows.entries()) {
      await new Promise((r) => setTimeout(r, 40));
      if (i === 2) outbox.markFailed(row, "bad_request", { kind: "bad_request", description: "Bad Request: chat not found" }, NOW);
      else outbox.markSent(row, { providerMessageId: `m${i}` }, NOW);
    }
    new BroadcastLifecycle(new SqliteBroadcastStatus(database.db), outbox).closeAllFinished(NOW);
    expect(await run.done).toBe(0);

    const out = run.stdout.text;
    expect(out).toContain("\r[");
    const drawn = frames(out);
    expect(drawn[0]).toMatch(/^\[-{20}\] {3}0% {2}sent 0 · failed 0 · skipped 2 · queued 3 {2}\(0\/s\)/);
    expect(drawn.at(-1)).toMatch(/^\[#{20}\] 100% {2}sent 2 · failed 1 · skipped 2 · queued 0 {2}\(/);
    expect(drawn.some((f) => f.includes(" 33% ") || f.includes(" 66% "))).toBe(true);
    expect(out).toContain("Done: broadcast 1 sent 2, failed 1, skipped 2 (bad_request 1, no_push_channel 1, not_subscribed 1).");
    expect(run.stderr.text).toBe("");
    expect(broadcastRows()[0]?.status).toBe("done");
  });

  it("prints plain lines without a terminal, the last one at 100%", async () => {
    const run = start(["--file", note("note.md", NOTE), "--yes"]);
    await until(() => frames(run.stdout.text).length > 0);
    for (const [i, row] of outbox.claimDue("telegram", NOW, 10, false).entries()) outbox.markSent(row, { providerMessageId: `m${i}` }, NOW);
    // No settle here: the command sees nothing left to send and records the broadcast as done itself.
    expect(await run.done).toBe(0);
    expect(run.stdout.text).not.toContain("\r");
    const drawn = frames(run.stdout.text);
    expect(drawn).toHaveLength(2); // one at the start, one at the end (the next would be 5 s later)
    expect(drawn.at(-1)).toMatch(/^\[#{20}\] 100% {2}sent 3 · failed 0 · skipped 2 · queued 0/);
    expect(broadcastRows()[0]?.status).toBe("done");
  });

  it("says once that the server may not be running, keeps waiting, and Ctrl-C leaves it to the server", async () => {
    const controller = new AbortController();
    const run = start(["--file", note("note.md", NOTE), "--yes"], { isTTY: true, stallMs: 60, signal: controller.signal });
    await until(() => run.stderr.text.includes("No progress"));
    await new Promise((r) => setTimeout(r, 150)); // still stalled: the hint is not repeated
    controller.abort();
    expect(await run.done).toBe(0);
    expect(run.stderr.text).toBe("No progress: is the server running (npm start)? The broadcast is saved and will go out when it runs.\n");
    expect(run.stdout.text).toMatch(/Still sending in the server; follow it with GET \/api\/admin\/broadcasts\/1\n$/);
    expect(broadcastRows()[0]?.status).toBe("sending");
    expect(outboxRows(1).filter((r) => r.status === "queued")).toHaveLength(3);
  });

  it("a broadcast cancelled elsewhere ends the wait with exit 1", async () => {
    const run = start(["--file", note("note.md", NOTE), "--yes"]);
    await until(() => frames(run.stdout.text).length > 0);
    database.client.prepare("UPDATE broadcasts SET status = 'cancelled' WHERE id = 1").run();
    outbox.cancelQueued("broadcast", 1, NOW);
    expect(await run.done).toBe(1);
    expect(run.stdout.text).toContain("Broadcast 1 was cancelled: sent 0, failed 0, skipped 2");
  });
});
