/**
 * npm run bench:reminders — a generated province (3,000 schools under 30 offices, 20 dated tasks, an IT lead
 * and a leader per school, all linked to a chat), the planner run over a whole school year at 15-minute steps
 * with a fake clock. Schools finish their tasks as real ones do: most before the date, some late, a few never.
 * Reports total time, time per planner run (p50/p99/max), reminders and messages planned, duplicates.
 * Options: --schools N --offices N --tasks N --step-minutes N, --postgres <server URL> (a new database there),
 * --instances N (N processes plan the same year at once on the one database; duplicates must stay 0).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { reminderSettingsFrom } from "../../src/wiring/reminder-settings.js";
import { argValue, percentile, REPO_ROOT } from "../../src/cli/shared.js";
import { benchDatabase } from "./bench-database.js";
import { parseConfig } from "../../src/config.js";
import { parseQuietHours } from "../../src/core/time/quiet-hours.js";
import { openDatabase, type OpenDatabase } from "../../src/db/database.js";
import { ReminderPlanner } from "../../src/reminders/planner.js";
import { addDays } from "../../src/reminders/steps.js";

const args = process.argv.slice(2);
const SCHOOLS = Number(argValue(args, "--schools") ?? 3000);
const OFFICES = Number(argValue(args, "--offices") ?? 30);
const TASKS = Number(argValue(args, "--tasks") ?? 20);
const STEP_MINUTES = Number(argValue(args, "--step-minutes") ?? 15);
const INSTANCES = Number(argValue(args, "--instances") ?? 1);
const YEAR_START = Date.parse("2025-09-01T00:00:00+07:00");
const YEAR_END = Date.parse("2026-09-01T00:00:00+07:00");
const LEVELS = ["mam_non", "tieu_hoc", "thcs", "thpt", "gdtx"];

let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};

function generate(database: OpenDatabase): { dueDates: string[]; completions: { at: number; task: number; unit: number }[] } {
  const { client: sqlite } = database;
  const now = Date.now();
  const dueDates: string[] = [];
  const completions: { at: number; task: number; unit: number }[] = [];
  sqlite.transaction(() => {
    const unit = sqlite.prepare("INSERT INTO units (code, name, name_folded, type, level, parent_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    const person = sqlite.prepare("INSERT INTO people (ref, name, role, unit_id, user_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    const user = sqlite.prepare("INSERT INTO users (role, subscribed, created_at, last_seen_at) VALUES (?, TRUE, ?, ?)");
    const address = sqlite.prepare("INSERT INTO channel_addresses (user_id, channel, address, last_inbound_at, created_at) VALUES (?, 'telegram', ?, ?, ?)");
    let ref = 0;
    const addPerson = (role: string, unitId: number) => {
      const userId = Number(user.run(role, now, now).lastInsertRowid);
      address.run(userId, String(100_000 + userId), now, now);
      person.run(`P${++ref}`, `Person ${ref}`, role, unitId, userId, now, now);
    };
    const department = Number(unit.run("SGD", "Sở GDĐT", "so gddt", "department", null, null, now, now).lastInsertRowid);
    for (let i = 0; i < 3; i++) addPerson("department_staff", department);
    const offices: number[] = [];
    for (let o = 0; o < OFFICES; o++) {
      const id = Number(unit.run(`PGD${o}`, `Phòng GDĐT ${o}`, `phong gddt ${o}`, "office", null, department, now, now).lastInsertRowid);
      offices.push(id);
      for (let i = 0; i < 2; i++) addPerson("office_staff", id);
    }
    const schools: number[] = [];
    for (let s = 0; s < SCHOOLS; s++) {
      const level = LEVELS[s % LEVELS.length] as string;
      const parent = level === "thpt" || level === "gdtx" ? department : (offices[s % offices.length] as number);
      const id = Number(unit.run(`S${s}`, `Trường ${s}`, `truong ${s}`, "school", level, parent, now, now).lastInsertRowid);
      schools.push(id);
      addPerson("it_lead", id);
      addPerson("school_leader", id);
    }
    const yearId = Number(sqlite.prepare("INSERT INTO school_years (name, starts_on, ends_on, created_at) VALUES ('2025-2026', '2025-09-01', '2026-08-31', ?)").run(now).lastInsertRowid);
    const task = sqlite.prepare(
      `INSERT INTO tasks (year_id, key, title_vi, title_en, instructions_vi, instructions_en, applies_types, applies_levels, due_on, updated_at)
       VALUES (?, ?, ?, ?, 'Làm theo hướng dẫn.', 'Follow the instructions.', '["school","office"]', NULL, ?, ?)`,
    );
    for (let t = 0; t < TASKS; t++) {
      // Due dates spread from late September to late June, a few sharing a date as real calendars do.
      const due = addDays("2025-09-25", Math.floor((t * 270) / TASKS) - (t % 4 === 3 ? 1 : 0) * 0);
      dueDates.push(due);
      const taskId = Number(task.run(yearId, `task_${t}`, `Nhiệm vụ ${t}`, `Task ${t}`, due, now).lastInsertRowid);
      const dueAt = Date.parse(`${due}T08:00:00+07:00`);
      for (const school of schools) {
        const r = random();
        // 70% finish in the two weeks before the date, 25% up to 20 days late, 5% never.
        if (r < 0.7) completions.push({ at: dueAt - Math.floor(random() * 14 * 86_400_000), task: taskId, unit: school });
        else if (r < 0.95) completions.push({ at: dueAt + Math.floor(random() * 20 * 86_400_000), task: taskId, unit: school });
      }
    }
  })();
  completions.sort((a, b) => a.at - b.at);
  return { dueDates, completions };
}

type Completion = { at: number; task: number; unit: number };

/** One instance's school year: statuses arrive as schools finish, the planner runs every step. */
function planYear(database: OpenDatabase, completions: Completion[]): { times: number[]; planningRuns: number; seconds: number } {
  const config = parseConfig({});
  const planner = new ReminderPlanner(database.db, reminderSettingsFrom(config, parseQuietHours(config.QUIET_HOURS, config.TZ_NAME)), "vi");
  const markDone = database.client.prepare(
    "INSERT INTO task_statuses (task_id, unit_id, status, changed_by, changed_at) VALUES (?, ?, 'done', 'bench', ?) ON CONFLICT DO NOTHING",
  );
  const times: number[] = [];
  let next = 0;
  let planningRuns = 0;
  const started = performance.now();
  for (let t = YEAR_START; t < YEAR_END; t += STEP_MINUTES * 60_000) {
    database.client.transaction(() => {
      while (next < completions.length && (completions[next]?.at ?? Infinity) <= t) {
        const c = completions[next++] as Completion;
        markDone.run(c.task, c.unit, c.at);
      }
    })();
    const runStart = performance.now();
    const result = planner.plan(new Date(t));
    times.push(performance.now() - runStart);
    if (result.steps > 0) planningRuns++;
  }
  return { times, planningRuns, seconds: (performance.now() - started) / 1000 };
}

/** N processes plan the same year at once; returns the slowest one's figures. */
async function planYearInProcesses(location: string, completions: Completion[], dir: string): Promise<{ times: number[]; planningRuns: number; seconds: number }> {
  const file = join(dir, "completions.json");
  writeFileSync(file, JSON.stringify(completions));
  const results = await Promise.all(
    Array.from({ length: INSTANCES }, () => {
      const child = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "test", "bench", "bench-reminders.ts"), "--year-only", location, file], {
        cwd: REPO_ROOT,
        stdio: ["ignore", "pipe", "inherit"],
      });
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      return new Promise<{ times: number[]; planningRuns: number; seconds: number }>((resolve, reject) =>
        child.once("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop() ?? "{}")) : reject(new Error(`instance exited ${code}`)))),
      );
    }),
  );
  return results.sort((a, b) => b.seconds - a.seconds)[0] as { times: number[]; planningRuns: number; seconds: number };
}

if (args[0] === "--year-only") {
  const database = openDatabase(args[1] as string);
  const result = planYear(database, JSON.parse(readFileSync(args[2] as string, "utf8")) as Completion[]);
  database.close();
  console.log(JSON.stringify(result));
} else {
  await main();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bench-reminders-"));
  const target = benchDatabase(args, join(dir, "bench.db"), "reminders");
  try {
    const database = openDatabase(target.location);
    const genStart = performance.now();
    const { completions } = generate(database);
    const genSeconds = (performance.now() - genStart) / 1000;
    const { times, planningRuns, seconds: totalSeconds } =
      INSTANCES > 1 ? await planYearInProcesses(target.location, completions, dir) : planYear(database, completions);
    const config = parseConfig({});
    const planner = new ReminderPlanner(database.db, reminderSettingsFrom(config, parseQuietHours(config.QUIET_HOURS, config.TZ_NAME)), "vi");
    // A second pass over a sample of moments must add nothing.
    const before = (database.client.prepare("SELECT count(*) AS n FROM outbox").get() as { n: number }).n;
    for (let t = YEAR_START; t < YEAR_END; t += 7 * 86_400_000 + 3_600_000) planner.plan(new Date(t));
    const after = (database.client.prepare("SELECT count(*) AS n FROM outbox").get() as { n: number }).n;
    const count = (q: string) => (database.client.prepare(q).get() as { n: number }).n;
    const reminders = count("SELECT count(*) AS n FROM reminders");
    const messages = count("SELECT count(*) AS n FROM outbox");
    const duplicateReminders = count(
      "SELECT count(*) AS n FROM (SELECT 1 FROM reminders GROUP BY task_id, unit_id, person_id, step HAVING count(*) > 1) AS twice",
    );
    const duplicateMessages = count(
      "SELECT count(*) AS n FROM (SELECT 1 FROM outbox GROUP BY cause_type, cause_id, channel, address HAVING count(*) > 1) AS twice",
    );
    database.close();
    times.sort((a, b) => a - b);
    const busy = [...times].sort((a, b) => b - a).slice(0, planningRuns);
    console.log(`Node ${process.version}; ${target.engine}; ${SCHOOLS} schools under ${OFFICES} offices, ${TASKS} dated tasks, ${SCHOOLS * 2 + OFFICES * 2 + 3} people all linked (generated in ${genSeconds.toFixed(1)} s)`);
    console.log(`school year 2025-2026 at ${STEP_MINUTES}-minute steps: ${times.length} planner runs in ${totalSeconds.toFixed(1)} s${INSTANCES > 1 ? ` (the slowest of ${INSTANCES} instances planning at once)` : ""}`);
    console.log(`time per run: p50 ${percentile(times, 50).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms, max ${(times[times.length - 1] ?? 0).toFixed(1)} ms`);
    console.log(`runs that planned a step: ${planningRuns} (slowest ${busy[0]?.toFixed(1)} ms, median ${(busy[Math.floor(busy.length / 2)] ?? 0).toFixed(1)} ms)`);
    console.log(`reminders planned ${reminders}, messages queued ${messages}; duplicates: reminders ${duplicateReminders}, messages ${duplicateMessages}; second pass added ${after - before}`);
  } finally {
    target.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
