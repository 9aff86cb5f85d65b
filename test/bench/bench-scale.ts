/**
 * npm run bench:scale — several instances of the product on one database (a SQLite file, or with
 * --postgres <server URL> a new PostgreSQL database on that server), each a separate process with its own INSTANCE_ID, against the fake Telegram
 * server enforcing 30 messages/s for the bot. One broadcast to 3,000 recipients: achieved rate, lost,
 * duplicates; mid-way the instance holding Telegram's sender lease is killed with SIGKILL: time until another
 * instance sends again, lost, duplicates. Options: --instances N (3), --recipients N (3000).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Actor } from "../../src/access/actor.js";
import { broadcastServiceOn } from "./broadcast-service-on.js";
import { argValue, REPO_ROOT } from "../../src/cli/shared.js";
import { openDatabase } from "../../src/db/database.js";
import { SqliteLeases } from "../../src/db/lease-store.js";
import { benchDatabase, seedTelegramSubscribers } from "./bench-database.js";
import { startFakeTelegram } from "../support/fake-telegram.js";

const RATE = 30;
const args = process.argv.slice(2);
const instances = Number(argValue(args, "--instances") ?? 3);
const recipients = Number(argValue(args, "--recipients") ?? 3000);
const ACTOR: Actor = { label: "bench", role: "department_admin", unitId: null };
const FIRST_CHAT = 3_000_000;
const MARKER = "Bench scale";

const dir = mkdtempSync(join(tmpdir(), "bench-scale-"));
const target = benchDatabase(args, join(dir, "scale.db"), "scale");
const fake = await startFakeTelegram();
fake.rateLimit({ perSecond: RATE });
const children = new Map<string, ChildProcess>();
try {
  const database = openDatabase(target.location);
  seedTelegramSubscribers(database, recipients, FIRST_CHAT, Date.now());
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("TELEGRAM_") && k !== "PUBLIC_URL" && k !== "INSTANCE_ID" && k !== "DATABASE_URL")),
    PORT: "0",
    ...target.env,
    LOG_LEVEL: "warn",
    QUIET_HOURS: "",
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
    TELEGRAM_RATE_PER_SEC: String(RATE),
  };
  for (let i = 0; i < instances; i++) {
    const name = `instance-${String.fromCharCode(97 + i)}`;
    children.set(name, spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "src", "main.ts")], { cwd: REPO_ROOT, env: { ...env, INSTANCE_ID: name }, stdio: ["ignore", "ignore", "inherit"] }));
  }
  while (fake.requests.filter((r) => r.method === "getUpdates").length < instances) await sleep(50);

  const service = broadcastServiceOn(database);
  const { id } = service.create({ title: MARKER, text: { vi: "Thông báo thử qua nhiều máy chủ." } }, ACTOR);
  const sent = () => fake.sent.filter((m) => m.text.includes(MARKER));
  while (sent().length < recipients / 2) await sleep(100);

  const leases = new SqliteLeases(database.db);
  const holder = leases.holder("sender:telegram", Date.now()) ?? "";
  const killedAt = Date.now();
  const inFlightBefore = sent().length;
  await new Promise<void>((resolve) => {
    const child = children.get(holder);
    if (!child) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
  children.delete(holder);
  // Sends the killed instance had in flight may still land after the kill: "sending again" is the first
  // message after another instance took the sender lease.
  let takenAt = 0;
  let newHolder: string | undefined;
  while (!newHolder || newHolder === holder) {
    await sleep(20);
    newHolder = leases.holder("sender:telegram", Date.now());
    takenAt = Date.now();
  }
  while (!sent().some((m) => m.time >= takenAt - 20)) await sleep(20);
  const resumedAt = sent().find((m) => m.time >= takenAt - 20)?.time ?? Date.now();
  const takeover = newHolder.replace("instance-", "");
  while (service.get(id).status !== "done") await sleep(200);

  const all = sent();
  const perChat = new Map<number, number>();
  for (const m of all) perChat.set(m.chatId, (perChat.get(m.chatId) ?? 0) + 1);
  let lost = 0;
  for (let i = 0; i < recipients; i++) if (!perChat.has(FIRST_CHAT + i)) lost++;
  const duplicates = [...perChat.values()].reduce((sum, n) => sum + (n - 1), 0);
  const beforeKill = all.filter((m) => m.time <= killedAt);
  const spanBefore = ((beforeKill.at(-1)?.time ?? 0) - (beforeKill[0]?.time ?? 0)) / 1000;
  const rate = (beforeKill.length - 1) / spanBefore;
  console.log(`Node ${process.version}; ${instances} instances (separate processes) on one ${target.engine} database; fake Telegram enforces ${RATE} messages/s per bot`);
  console.log(`one broadcast to ${recipients} recipients:`);
  console.log(`  achieved rate before the kill ${rate.toFixed(2)} messages/s (${((100 * rate) / RATE).toFixed(1)}% of the limit), 429s ${fake.counters.tooManyRequests}`);
  console.log(`  SIGKILL of ${holder} (the sender lease holder) after ${inFlightBefore} messages: instance ${takeover} sent again ${((resumedAt - killedAt) / 1000).toFixed(1)} s later`);
  console.log(`  lost ${lost}, duplicates ${duplicates}`);
  database.close();
} finally {
  for (const child of children.values()) child.kill("SIGKILL");
  await fake.stop();
  target.drop();
  rmSync(dir, { recursive: true, force: true });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
