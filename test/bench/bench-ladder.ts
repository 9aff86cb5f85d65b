/**
 * npm run bench:ladder — the delivery ladder on one due day for a generated province (3,000 schools under 30
 * offices, an IT lead and a leader per school: 6,063 people) with a realistic mix: 60% on Zalo only (half of
 * them outside the 7-day window), 10% on Telegram, 30% never linked; 95% with a mobile phone, 90% with an
 * e-mail; 3% of phones not on Zalo. The real planner, outbox and ladder run; the channels are simulated (the
 * Zalo window guard is the product's; every other send succeeds except ZNS to a phone not on Zalo).
 * Reports the share of IT leads reached (of those with any contact), by channel, ZNS used and its cost at the
 * price in templates/zns.yaml, and the planning time. Options: --schools N --budget N
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { consultationWindowGuard } from "../../src/adapters/zalo/consultation-window.js";
import { argValue } from "../../src/cli/shared.js";
import { parseConfig } from "../../src/config.js";
import { parseQuietHours } from "../../src/core/time/quiet-hours.js";
import { openDatabase } from "../../src/db/database.js";
import { Enqueue } from "../../src/outbox/enqueue.js";
import type { DeliveryChannel } from "../../src/outbox/outbox-port.js";
import { SqliteOutbox } from "../../src/outbox/sqlite-outbox-store.js";
import { ReachLadder } from "../../src/reach/ladder.js";
import { SqliteReachStore } from "../../src/reach/sqlite-reach-store.js";
import { loadZnsTemplates } from "../../src/reach/zns-templates.js";
import { ReminderPlanner } from "../../src/reminders/planner.js";
import { reminderSettingsFrom } from "../../src/wiring/reminder-settings.js";

const args = process.argv.slice(2);
const SCHOOLS = Number(argValue(args, "--schools") ?? 3000);
const OFFICES = 30;
const BUDGET = Number(argValue(args, "--budget") ?? 100_000);
const DUE = "2026-01-20";
const DUE_AT = new Date(`${DUE}T08:00:00+07:00`);
const DAY = 86_400_000;

let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};

const dir = mkdtempSync(join(tmpdir(), "bench-ladder-"));
try {
  const database = openDatabase(join(dir, "bench.db"));
  const { client: sqlite } = database;
  const now = DUE_AT.getTime() - 30 * DAY;
  const notOnZalo = new Set<string>();
  sqlite.transaction(() => {
    const unit = sqlite.prepare("INSERT INTO units (code, name, name_folded, type, level, parent_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    const person = sqlite.prepare("INSERT INTO people (ref, name, role, unit_id, user_id, phone, email, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    const user = sqlite.prepare("INSERT INTO users (role, subscribed, created_at, last_seen_at) VALUES (?, TRUE, ?, ?)");
    const address = sqlite.prepare("INSERT INTO channel_addresses (user_id, channel, address, last_inbound_at, created_at) VALUES (?, ?, ?, ?, ?)");
    let ref = 0;
    const addPerson = (role: string, unitId: number) => {
      ref++;
      const r = random();
      let userId: number | null = null;
      if (r < 0.7) {
        userId = Number(user.run(role, now, now).lastInsertRowid);
        const zalo = r < 0.6;
        // Half the Zalo users wrote this week, half 10 days or more before the due day.
        const last = zalo ? DUE_AT.getTime() - (random() < 0.5 ? 2 * DAY : 10 * DAY) : now;
        address.run(userId, zalo ? "zalo" : "telegram", `${zalo ? "z" : ""}${100_000 + userId}`, last, now);
      }
      const phone = random() < 0.95 ? `09${String(10_000_000 + ref).slice(-8)}` : null;
      if (phone && random() < 0.03) notOnZalo.add(`84${phone.slice(1)}`);
      const email = random() < 0.9 ? `p${ref}@school.edu.vn` : null;
      person.run(`P${ref}`, `Người ${ref}`, role, unitId, userId, phone, email, now, now);
    };
    const department = Number(unit.run("SGD", "Sở GDĐT", "so gddt", "department", null, null, now, now).lastInsertRowid);
    for (let i = 0; i < 3; i++) addPerson("department_staff", department);
    const offices: number[] = [];
    for (let o = 0; o < OFFICES; o++) {
      const id = Number(unit.run(`PGD${o}`, `Phòng GDĐT ${o}`, `phong gddt ${o}`, "office", null, department, now, now).lastInsertRowid);
      offices.push(id);
      for (let i = 0; i < 2; i++) addPerson("office_staff", id);
    }
    for (let s = 0; s < SCHOOLS; s++) {
      const id = Number(unit.run(`S${s}`, `Trường ${s}`, `truong ${s}`, "school", "thpt", offices[s % OFFICES] ?? null, now, now).lastInsertRowid);
      addPerson("it_lead", id);
      addPerson("school_leader", id);
    }
    const yearId = Number(sqlite.prepare("INSERT INTO school_years (name, starts_on, ends_on, created_at) VALUES ('2025-2026', '2025-09-01', '2026-08-31', ?)").run(now).lastInsertRowid);
    sqlite
      .prepare(
        `INSERT INTO tasks (year_id, key, title_vi, title_en, instructions_vi, instructions_en, applies_types, applies_levels, due_on, updated_at)
         VALUES (?, 'mid_year', 'Báo cáo CNTT giữa năm', 'Mid-year IT report', 'Làm theo hướng dẫn.', 'Follow the instructions.', '["school"]', NULL, ?, ?)`,
      )
      .run(yearId, DUE, now);
  })();

  const config = parseConfig({});
  const templates = loadZnsTemplates(join(import.meta.dirname, "..", "..", "templates", "zns.yaml"));
  const reach = new SqliteReachStore(database.db);
  const ladder = new ReachLadder({
    store: reach,
    timeZone: config.TZ_NAME,
    chats: ["telegram", "zalo"],
    zaloWindowDays: 7,
    zns: { templates, monthlyBudget: BUDGET },
    email: true,
  });
  const outbox = new SqliteOutbox(database, "vi", { ladder, timeZone: config.TZ_NAME });
  const planner = new ReminderPlanner(database.db, reminderSettingsFrom(config, parseQuietHours(config.QUIET_HOURS, config.TZ_NAME)), "vi", new Enqueue(outbox), ladder);

  const planStart = performance.now();
  const planned = planner.plan(DUE_AT);
  const planMs = performance.now() - planStart;

  // The dispatcher's decisions, without the network: the Zalo window guard, ZNS refusals and the budget guard.
  const windowGuard = consultationWindowGuard(7, (a) => outbox.lastInbound("zalo", a));
  const budgetGuard = ladder.znsGuard();
  const sendStart = performance.now();
  const channels: DeliveryChannel[] = ["zalo", "telegram", "zns", "email"];
  for (let round = 0; round < 10; round++) {
    let any = 0;
    for (const channel of channels) {
      const at = new Date(DUE_AT.getTime() + round * 60_000);
      for (const row of outbox.claimDue(channel, at, 100_000, false)) {
        any++;
        const refused = channel === "zalo" ? windowGuard(row, at) : channel === "zns" ? budgetGuard(row, at) : undefined;
        if (refused) outbox.endWithFallback(row, { status: "skipped", reason: refused }, at);
        else if (channel === "zns" && notOnZalo.has(row.address))
          outbox.endWithFallback(row, { status: "failed", reason: "unreachable", unreachable: true, failure: { kind: "unreachable", description: "ZNS -118" } }, at);
        else outbox.markSent(row, { providerMessageId: "sim" }, at);
      }
    }
    if (any === 0) break;
  }
  const sendMs = performance.now() - sendStart;

  const q = <T>(text: string) => sqlite.prepare(text).all() as T[];
  const leads = q<{ n: number }>("SELECT count(*) AS n FROM people WHERE role = 'it_lead'")[0]?.n ?? 0;
  // Any contact: a chat, a phone that normalises (the generator writes only mobiles), or an e-mail.
  const withContact = q<{ n: number }>("SELECT count(*) AS n FROM people WHERE role = 'it_lead' AND (user_id IS NOT NULL OR phone IS NOT NULL OR email IS NOT NULL)")[0]?.n ?? 0;
  const byChannel = q<{ channel: string; n: number }>(`
    SELECT o.channel, count(*) AS n FROM outbox o JOIN reminders r ON o.cause_type = 'reminder' AND o.cause_id = r.id
    JOIN people p ON p.id = r.person_id WHERE p.role = 'it_lead' AND o.status = 'sent' GROUP BY o.channel ORDER BY n DESC`);
  const reached = byChannel.reduce((sum, r) => sum + r.n, 0);
  // Who had some contact but was not reached, and what the ladder recorded for them.
  const missed = q<{ trail: string }>(`
    SELECT group_concat(o.channel || ' ' || o.status || COALESCE(' ' || o.reason, ''), ' → ') AS trail
    FROM reminders r JOIN people p ON p.id = r.person_id LEFT JOIN outbox o ON o.cause_type = 'reminder' AND o.cause_id = r.id
    WHERE p.role = 'it_lead' AND (p.user_id IS NOT NULL OR p.phone IS NOT NULL OR p.email IS NOT NULL)
      AND NOT EXISTS (SELECT 1 FROM outbox s WHERE s.cause_type = 'reminder' AND s.cause_id = r.id AND s.status = 'sent')
    GROUP BY r.id`);
  const trails = new Map<string, number>();
  for (const m of missed) trails.set(m.trail, (trails.get(m.trail) ?? 0) + 1);
  const twice = q<{ n: number }>("SELECT count(*) AS n FROM (SELECT cause_id FROM outbox WHERE status = 'sent' GROUP BY cause_type, cause_id HAVING count(*) > 1)")[0]?.n ?? 0;
  const zns = ladder.znsUsage(DUE_AT);
  const people = q<{ n: number }>("SELECT count(*) AS n FROM people")[0]?.n ?? 0;
  console.log(`Node ${process.version}; ${SCHOOLS} schools, ${people} people; mix: 60% Zalo only (half outside the window), 10% Telegram, 30% unlinked; 95% phone, 90% e-mail; ${notOnZalo.size} phones not on Zalo`);
  console.log(`due day ${DUE}: planned ${planned.reminders} reminders and ${planned.deliveries} first steps in ${planMs.toFixed(0)} ms; ladder settled in ${sendMs.toFixed(0)} ms`);
  console.log(`IT leads reached: ${reached} of ${withContact} with any contact (${((100 * reached) / withContact).toFixed(1)}%), of ${leads} in all`);
  console.log(`by channel: ${byChannel.map((r) => `${r.channel} ${r.n} (${((100 * r.n) / Math.max(1, reached)).toFixed(1)}%)`).join(", ")}`);
  console.log(`ZNS used (all recipients): ${zns.sent} of a budget of ${zns.budget}, ${(zns.sent * templates.priceVnd).toLocaleString("vi-VN")} đ at ${templates.priceVnd} đ each; reminders delivered twice: ${twice}`);
  for (const [trail, n] of trails) console.log(`  not reached (${n}): ${trail}`);
  database.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
