/**
 * npm run bench:matrix — the Nhiệm vụ matrix for a generated province (3,000 schools under 30 offices, 20 dated
 * tasks applying to every school and office, statuses spread as in mid-year: most done, some not applicable,
 * the rest to do, many of them late). Measures, on the real app:
 *   - server: GET /api/admin/tasks/matrix end to end over HTTP (p50, max of 10) and its JSON size;
 *   - Chromium: from the matrix response's last byte to the first page of the matrix on screen (JSON parse,
 *     sorting and counting 60,000 cells, drawing), and from opening #/tasks to the matrix shown; then a status
 *     filter over all rows and the switch to the per-task cards.
 * Options: --schools N --offices N --tasks N --runs N
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { argValue, percentile } from "../../src/cli/shared.js";
import { openDatabase } from "../../src/db/database.js";
import { addDays } from "../../src/reminders/steps.js";
import { startTestApp } from "../support/test-app.js";

const args = process.argv.slice(2);
const SCHOOLS = Number(argValue(args, "--schools") ?? 3000);
const OFFICES = Number(argValue(args, "--offices") ?? 30);
const TASKS = Number(argValue(args, "--tasks") ?? 20);
const RUNS = Number(argValue(args, "--runs") ?? 10);
const LEVELS = ["mam_non", "tieu_hoc", "thcs", "thpt", "gdtx"];
const PASSWORD = "mật khẩu đủ dài 2026";

let seed = 7;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};

function generate(path: string): void {
  const database = openDatabase(path);
  const { client: sqlite } = database;
  const now = Date.now();
  sqlite.transaction(() => {
    const unit = sqlite.prepare("INSERT INTO units (code, name, name_folded, type, level, parent_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    const department = Number(unit.run("SGD", "Sở GDĐT", "so gddt", "department", null, null, now, now).lastInsertRowid);
    const offices: number[] = [];
    for (let o = 0; o < OFFICES; o++) offices.push(Number(unit.run(`PGD${o}`, `Phòng GDĐT số ${o}`, `phong gddt so ${o}`, "office", null, department, now, now).lastInsertRowid));
    const units = [...offices];
    for (let s = 0; s < SCHOOLS; s++) {
      const level = LEVELS[s % LEVELS.length] as string;
      const parent = level === "thpt" || level === "gdtx" ? department : (offices[s % offices.length] as number);
      units.push(Number(unit.run(`S${s}`, `Trường số ${s}`, `truong so ${s}`, "school", level, parent, now, now).lastInsertRowid));
    }
    const yearId = Number(sqlite.prepare("INSERT INTO school_years (name, starts_on, ends_on, created_at) VALUES ('2025-2026', '2025-09-01', '2026-08-31', ?)").run(now).lastInsertRowid);
    const task = sqlite.prepare(
      `INSERT INTO tasks (year_id, key, title_vi, title_en, instructions_vi, instructions_en, applies_types, applies_levels, due_on, updated_at)
       VALUES (?, ?, ?, ?, 'Làm theo hướng dẫn.', 'Follow the instructions.', '["school","office"]', NULL, ?, ?)`,
    );
    const status = sqlite.prepare("INSERT INTO task_statuses (task_id, unit_id, status, changed_by, changed_at, note) VALUES (?, ?, ?, 'bench', ?, NULL)");
    for (let t = 0; t < TASKS; t++) {
      const due = addDays("2025-09-25", Math.floor((t * 270) / TASKS));
      const taskId = Number(task.run(yearId, `task_${t}`, `Báo cáo số ${t}`, `Report ${t}`, due, now).lastInsertRowid);
      for (const u of units) {
        const r = random();
        if (r < 0.6) status.run(taskId, u, "done", now);
        else if (r < 0.65) status.run(taskId, u, "not_applicable", now);
        else if (r < 0.7) status.run(taskId, u, "todo", now);
      }
    }
  })();
  database.close();
}

const chromiumPath = process.env.CHROMIUM_PATH ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
const dir = mkdtempSync(join(tmpdir(), "bench-matrix-"));
const dbPath = join(dir, "bench.db");
const genStart = performance.now();
generate(dbPath);
const genSeconds = (performance.now() - genStart) / 1000;
// 15/03/2026: the tasks due before then are late for whoever has not done them.
const running = await startTestApp({}, new Date("2026-03-15T03:00:00Z"), dbPath);
try {
  const token = running.app.tokens.create({ name: "bench", role: "department_admin" }, "bench", running.clock.now()).token;
  const serverTimes: number[] = [];
  let bytes = 0;
  let rows = 0;
  for (let i = 0; i < RUNS + 1; i++) {
    const start = performance.now();
    const res = await fetch(`${running.url}/api/admin/tasks/matrix`, { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    if (i > 0) serverTimes.push(performance.now() - start); // the first warms the statement cache
    bytes = text.length;
    rows = (JSON.parse(text) as { units: unknown[] }).units.length;
  }
  serverTimes.sort((a, b) => a - b);
  console.log(`Node ${process.version}; ${SCHOOLS} schools under ${OFFICES} offices, ${TASKS} tasks (generated in ${genSeconds.toFixed(1)} s)`);
  console.log(
    `server: GET /api/admin/tasks/matrix, ${rows} rows × ${TASKS} tasks, ${(bytes / 1024).toFixed(0)} KiB: p50 ${percentile(serverTimes, 50).toFixed(0)} ms, max ${(serverTimes[serverTimes.length - 1] ?? 0).toFixed(0)} ms over ${RUNS} requests`,
  );

  if (!chromiumPath) {
    console.log("Chromium: not found (apt-get install -y chromium, or set CHROMIUM_PATH): render time not measured");
  } else {
    const { token: setup } = running.app.staffAccounts.create({ login: "bench", name: "Cán bộ bench", role: "department_admin" }, "bench", running.clock.now());
    await running.app.staffAccounts.setPassword({ token: setup, password: PASSWORD }, running.clock.now());
    const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
    try {
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "vi-VN" })).newPage();
      await page.goto(`${running.url}/admin`);
      await page.getByLabel("Tên đăng nhập").fill("bench");
      await page.getByLabel("Mật khẩu", { exact: true }).fill(PASSWORD);
      await page.getByRole("button", { name: "Đăng nhập" }).click();
      await page.locator("#page-title").waitFor();
      const renders: number[] = [];
      const totals: number[] = [];
      for (let i = 0; i < Math.max(3, Math.ceil(RUNS / 2)) + 1; i++) {
        await page.evaluate("location.hash = '#/overview'");
        await page.locator("table.tasks-matrix").waitFor({ state: "detached" });
        const response = page.waitForResponse((r) => r.url().includes("/api/admin/tasks/matrix"));
        const start = performance.now();
        await page.evaluate("location.hash = '#/tasks'");
        await (await response).finished();
        const arrived = performance.now();
        await page.locator("table.tasks-matrix tbody tr").first().waitFor();
        const shown = performance.now();
        if (i > 0) {
          renders.push(shown - arrived);
          totals.push(shown - start);
        }
      }
      renders.sort((a, b) => a - b);
      totals.sort((a, b) => a - b);
      console.log(
        `Chromium: matrix on screen after the response arrived: p50 ${percentile(renders, 50).toFixed(0)} ms, max ${(renders[renders.length - 1] ?? 0).toFixed(0)} ms; from opening #/tasks: p50 ${percentile(totals, 50).toFixed(0)} ms (first page: 100 of ${rows} rows, all ${TASKS} columns)`,
      );
      const count = page.locator(".tasks-matrix-count");
      const before = await count.textContent();
      const filterStart = performance.now();
      await page.getByLabel("Trạng thái", { exact: true }).selectOption("late");
      await page.waitForFunction(`document.querySelector(".tasks-matrix-count")?.textContent !== ${JSON.stringify(before)}`);
      const filterMs = performance.now() - filterStart;
      const after = await count.textContent();
      const cardsStart = performance.now();
      await page.getByRole("tab", { name: "Theo nhiệm vụ" }).click();
      await page.locator(".tasks-card").first().waitFor();
      const cardsMs = performance.now() - cardsStart;
      console.log(`Chromium: status filter "Quá hạn" over all rows ${filterMs.toFixed(0)} ms (${before?.trim()} → ${after?.trim()}); per-task cards ${cardsMs.toFixed(0)} ms`);
    } finally {
      await browser.close();
    }
  }
} finally {
  await running.stop();
  rmSync(dir, { recursive: true, force: true });
}
