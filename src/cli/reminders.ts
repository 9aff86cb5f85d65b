/**
 * npm run reminders -- --at <ISO time> --dry-run [--json]
 *   Who would get which reminder at that moment, without writing or sending anything.
 * npm run reminders -- --at <ISO time>
 *   Runs the planner once for that moment (what the cron tick does), writing reminder and outbox rows.
 */
import { loadConfig } from "../config.js";
import { formatDate, parseZonedIso } from "../core/time/zoned-time.js";
import { databaseLocation, openDatabase } from "../db/database.js";
import { buildServices } from "../wiring/services.js";
import { argValue, cliLogger, REPO_ROOT } from "./shared.js";

const args = process.argv.slice(2);
const config = loadConfig();
const atText = argValue(args, "--at");
const at = atText ? parseZonedIso(atText, config.TZ_NAME) : new Date();
if (!at) {
  console.error(`--at must be an ISO date-time such as 2027-01-13T08:00 (${config.TZ_NAME} when no offset is given)`);
  process.exit(2);
}
const database = openDatabase(databaseLocation(config));
try {
  const services = buildServices({ config, database, clock: { now: () => new Date() }, logger: cliLogger(), contentRoot: REPO_ROOT });
  services.openCurrentYear(at);
  const { planner } = services;
  if (args.includes("--dry-run")) {
    const rows = planner.dryRun(at);
    if (args.includes("--json")) {
      for (const r of rows) {
        console.log(
          JSON.stringify({
            ref: r.ref,
            name: r.name,
            role: r.role,
            school: r.unit,
            school_name: r.unitName,
            task: r.task,
            title: r.title,
            due: r.dueOn,
            step: r.step,
            at: r.scheduledFor,
            channels: r.channels.join(", "),
            channel: r.channel,
            why: r.why,
            ...(r.lateUnits ? { late_schools: r.lateUnits } : {}),
          }),
        );
      }
    } else if (rows.length === 0) {
      console.log(`No reminder is due at ${at.toISOString()} (${config.TZ_NAME}: ${at.toLocaleString("vi-VN", { timeZone: config.TZ_NAME })}).`);
    } else {
      console.log(`${rows.length} reminder(s) due at ${at.toLocaleString("vi-VN", { timeZone: config.TZ_NAME })}:`);
      for (const r of rows) {
        const late = r.lateUnits ? ` — ${r.lateUnits.length} late: ${r.lateUnits.slice(0, 5).join(", ")}${r.lateUnits.length > 5 ? ", …" : ""}` : "";
        console.log(`  ${r.step.padEnd(18)} ${r.ref.padEnd(8)} ${r.name} (${r.unit}) · ${r.title} · due ${formatDate(r.dueOn)} · ${r.channel} (${r.why})${late}`);
      }
    }
  } else {
    const result = planner.plan(at);
    console.log(`Planned ${result.steps} step(s): ${result.reminders} reminder(s), ${result.deliveries} message(s) queued.`);
  }
} finally {
  database.close();
}
