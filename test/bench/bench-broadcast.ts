/**
 * npm run bench:broadcast — the delivery pipeline against the fake Telegram server of the tests, which
 * enforces 30 messages/s overall and answers 429 with retry_after beyond it.
 *   1. 3,000 recipients at TELEGRAM_RATE_PER_SEC=30: achieved rate, lost, duplicates, 429s.
 *   2. The product as a separate process, killed with SIGKILL three times mid-broadcast and restarted:
 *      lost and duplicated messages.
 *   3. Planning only, 1,000,000 recipients, in a fresh process: time to write the outbox rows, peak RSS.
 * Options: --recipients N (part 1), --kill-recipients N (part 2), --plan N (part 3), --skip-plan, --skip-send
 * (part 3 only), --postgres <server URL> (every part on a new PostgreSQL database on that server).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../src/app.js";
import { broadcastServiceOn } from "./broadcast-service-on.js";
import type { Actor } from "../../src/access/actor.js";
import { argValue, REPO_ROOT } from "../../src/cli/shared.js";
import { parseConfig } from "../../src/config.js";
import { openDatabase } from "../../src/db/database.js";
import { createLogger } from "../../src/infra/logger.js";
import { benchDatabase, seedTelegramSubscribers, type BenchDatabase } from "./bench-database.js";
import { startFakeTelegram, type FakeTelegram } from "../support/fake-telegram.js";

const RATE = 30;
const args = process.argv.slice(2);
const recipients = Number(argValue(args, "--recipients") ?? 3000);
const killRecipients = Number(argValue(args, "--kill-recipients") ?? 900);
const planRecipients = Number(argValue(args, "--plan") ?? 1_000_000);
const ACTOR: Actor = { label: "bench", role: "department_admin", unitId: null };
const silent = createLogger("silent");
const databases: BenchDatabase[] = [];

if (args[0] === "--plan-only") {
  planOnly(args[1] as string);
} else {
  await main();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bench-broadcast-"));
  try {
    console.log(`Node ${process.version}; ${args.includes("--postgres") ? "PostgreSQL" : "SQLite"}; fake Telegram enforces ${RATE} messages/s overall\n`);
    if (!args.includes("--skip-send")) {
      await paced(dir);
      await killed(dir);
    }
    if (!args.includes("--skip-plan")) await planning(dir);
  } finally {
    for (const database of databases) database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Users who subscribed on Telegram, written straight into a migrated database (seeding, not the product). */
function seed(location: string, count: number, firstChat: number): void {
  const database = openDatabase(location);
  seedTelegramSubscribers(database, count, firstChat, Date.now());
  database.close();
}

function databaseFor(dir: string, name: string): BenchDatabase {
  const database = benchDatabase(args, join(dir, `${name}.db`), name);
  databases.push(database);
  return database;
}

function tally(fake: FakeTelegram, marker: string, expected: number, firstChat: number) {
  const sent = fake.sent.filter((m) => m.text.includes(marker));
  const perChat = new Map<number, number>();
  for (const m of sent) perChat.set(m.chatId, (perChat.get(m.chatId) ?? 0) + 1);
  let lost = 0;
  for (let i = 0; i < expected; i++) if (!perChat.has(firstChat + i)) lost++;
  const duplicates = [...perChat.values()].reduce((sum, n) => sum + (n - 1), 0);
  return { sent, lost, duplicates };
}

async function paced(dir: string): Promise<void> {
  const fake = await startFakeTelegram();
  fake.rateLimit({ perSecond: RATE });
  const database = databaseFor(dir, "paced");
  const firstChat = 1_000_000;
  seed(database.location, recipients, firstChat);
  const config = parseConfig({
    PORT: "0",
    ...database.env,
    LOG_LEVEL: "silent",
    QUIET_HOURS: "",
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
    TELEGRAM_RATE_PER_SEC: String(RATE),
  });
  const app = await createApp({ config, logger: silent });
  await app.start();
  const marker = "Bench paced";
  const started = performance.now();
  const { id } = app.broadcasts.create({ title: marker, text: { vi: "Thông báo thử tải." } }, ACTOR);
  while (app.broadcasts.get(id).status !== "done") await sleep(200);
  const wall = (performance.now() - started) / 1000;
  await app.stop();
  const { sent, lost, duplicates } = tally(fake, marker, recipients, firstChat);
  const span = ((sent[sent.length - 1]?.time ?? 0) - (sent[0]?.time ?? 0)) / 1000;
  const rate = (sent.length - 1) / span;
  console.log(`1. Paced delivery: ${recipients} recipients at TELEGRAM_RATE_PER_SEC=${RATE}`);
  console.log(`   achieved rate ${rate.toFixed(2)} messages/s (${((100 * rate) / RATE).toFixed(1)}% of the limit), first to last ${span.toFixed(1)} s, wall ${wall.toFixed(1)} s`);
  console.log(`   messages lost ${lost}, duplicates ${duplicates}, 429s received ${fake.counters.tooManyRequests}\n`);
  await fake.stop();
}

async function killed(dir: string): Promise<void> {
  const fake = await startFakeTelegram();
  fake.rateLimit({ perSecond: RATE });
  const target = databaseFor(dir, "killed");
  const firstChat = 2_000_000;
  seed(target.location, killRecipients, firstChat);
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("TELEGRAM_") && k !== "PUBLIC_URL" && k !== "DATABASE_URL")),
    PORT: "0",
    ...target.env,
    LOG_LEVEL: "warn",
    QUIET_HOURS: "",
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
    TELEGRAM_RATE_PER_SEC: String(RATE),
  };
  const startProduct = async (): Promise<ChildProcess> => {
    const before = fake.requests.filter((r) => r.method === "getUpdates").length;
    const child = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "src", "main.ts")], { cwd: REPO_ROOT, env, stdio: ["ignore", "ignore", "inherit"] });
    while (fake.requests.filter((r) => r.method === "getUpdates").length === before) await sleep(50);
    return child;
  };
  const kill = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });

  const database = openDatabase(target.location);
  const service = broadcastServiceOn(database);
  let child = await startProduct();
  const marker = "Bench killed";
  const { id } = service.create({ title: marker, text: { vi: "Thông báo qua ba lần khởi động lại." } }, ACTOR);
  const kills = 3;
  const sentAtKill: number[] = [];
  for (let k = 0; k < kills; k++) {
    await sleep(3000 + Math.random() * 3000);
    sentAtKill.push(fake.sent.filter((m) => m.text.includes(marker)).length);
    await kill(child);
    child = await startProduct();
  }
  while (service.get(id).status !== "done") await sleep(200);
  await kill(child);
  database.close();
  const { lost, duplicates } = tally(fake, marker, killRecipients, firstChat);
  console.log(`2. Crash safety: ${killRecipients} recipients, the product killed with SIGKILL ${kills} times (after ${sentAtKill.join(", ")} messages) and restarted`);
  console.log(`   messages lost ${lost}, duplicates ${duplicates} (${(duplicates / kills).toFixed(2)} per kill), 429s received ${fake.counters.tooManyRequests}\n`);
  await fake.stop();
}

async function planning(dir: string): Promise<void> {
  const target = databaseFor(dir, "plan");
  const seedStart = performance.now();
  seed(target.location, planRecipients, 10_000_000);
  const seedSeconds = (performance.now() - seedStart) / 1000;
  const child = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "test", "bench", "bench-broadcast.ts"), "--plan-only", target.location], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout?.on("data", (chunk: Buffer) => (out += chunk.toString()));
  await new Promise((resolve) => child.once("exit", resolve));
  const result = JSON.parse(out.trim().split("\n").pop() ?? "{}") as { rows: number; seconds: number; peakRssMb: number };
  console.log(`3. Planning only: ${planRecipients.toLocaleString("en")} recipients (seeded in ${seedSeconds.toFixed(1)} s)`);
  console.log(`   outbox rows written ${result.rows.toLocaleString("en")} in ${result.seconds.toFixed(1)} s, peak RSS of the planning process ${result.peakRssMb.toFixed(0)} MB`);
}

/** Runs in a fresh process so its peak RSS is the planner's own. */
function planOnly(location: string): void {
  const database = openDatabase(location);
  const service = broadcastServiceOn(database);
  const started = performance.now();
  const { id } = service.create({ title: "Bench plan", text: { vi: "Một triệu người nhận." } }, ACTOR);
  const seconds = (performance.now() - started) / 1000;
  const rows = (database.client.prepare("SELECT count(*) AS n FROM outbox WHERE cause_id = ?").get(id) as { n: number }).n;
  database.close();
  console.log(JSON.stringify({ rows, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
}


function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

