/**
 * npm run bench:robust — what real platforms and a careless or hostile sender do to the running product.
 * The product runs as a separate process (Telegram by webhook, Zalo, web chat) against the fake Telegram and
 * Zalo servers of the tests.
 *   1. Fuzz: N generated and mutated inputs (default 10,000) against each of /webhooks/telegram,
 *      /webhooks/zalo and /api/chat: real payload shapes, truncations, wrong types, huge fields, unicode edge
 *      cases. Reports answers by status class, 5xx count, crashes, and RSS before and after.
 *   2. Kill: a burst of 500 Zalo events and 500 Telegram updates, one per person, the product killed with
 *      SIGKILL in the middle and restarted; each event not acknowledged with a 2xx is resent, as the
 *      platforms do. Reports events lost (never answered) and answered twice.
 * Options: --inputs N, --burst N, --seed S, --rounds N (fuzz rounds), --heap-mb N (cap the product's heap).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { argValue, REPO_ROOT } from "../../src/cli/shared.js";
import { mulberry32 } from "../../src/nlu/random.js";
import { signZaloEvent, startFakeZalo, type FakeZalo } from "../support/fake-zalo.js";
import { startFakeTelegram, type FakeTelegram } from "../support/fake-telegram.js";

const args = process.argv.slice(2);
const INPUTS = Number(argValue(args, "--inputs") ?? 10_000);
const BURST = Number(argValue(args, "--burst") ?? 500);
/** fuzz rounds: RSS after each shows whether memory settles (warm-up) or keeps growing (a leak) */
const ROUNDS = Number(argValue(args, "--rounds") ?? 2);
/** caps the product's V8 heap: a leak then ends in a crash instead of a slowly growing RSS */
const HEAP_MB = argValue(args, "--heap-mb");
const random = mulberry32(Number(argValue(args, "--seed") ?? 20261202));
const WEBHOOK_SECRET = "bench-webhook-secret-0123456789";
const CONCURRENCY = 16;

interface Product {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

interface Fakes {
  telegram: FakeTelegram;
  zalo: FakeZalo;
}

// ───────────────────────────── the product as a process ─────────────────────────────

async function startProduct(): Promise<Product> {
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TELEGRAM_|ZALO_|PUBLIC_URL|CHAT_RATE)/.test(k))),
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_PATH: dbPath,
    LOG_LEVEL: "info",
    QUIET_HOURS: "",
    TELEGRAM_BOT_TOKEN: fakes.telegram.token,
    TELEGRAM_API_ROOT: fakes.telegram.apiRoot,
    PUBLIC_URL: "https://bench.example.org",
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    ...fakes.zalo.productEnv(tokens),
    // The fuzz is about malformed input, not about the rate limits (which answer 429 and are tested apart).
    CHAT_RATE_PER_MINUTE: "10000",
    CHAT_RATE_PER_IP_PER_MINUTE: "100000",
    CHAT_SESSIONS_PER_IP_PER_HOUR: "100000",
  };
  const heap = HEAP_MB ? [`--max-old-space-size=${HEAP_MB}`] : [];
  const child = spawn(process.execPath, [...heap, "--import", "tsx", join(REPO_ROOT, "src", "main.ts")], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+?)\/?"/.exec(out);
      if (match?.[1]) {
        child.stdout?.off("data", onData);
        child.stdout?.resume();
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", onData);
    void exited.then((code) => reject(new Error(`the product exited (${code}) before it was ready:\n${stderr}`)));
  });
  return { child, url, exited };
}

function rssMb(product: Product): number {
  const status = readFileSync(`/proc/${product.child.pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function kill(product: Product): Promise<void> {
  product.child.kill("SIGKILL");
  await product.exited;
}

async function stop(product: Product): Promise<void> {
  product.child.kill("SIGTERM");
  await product.exited;
}

// ───────────────────────────── sending ─────────────────────────────

interface Answer {
  status: number;
}

async function postRaw(url: string, body: string, headers: Record<string, string>): Promise<Answer> {
  try {
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
    await response.arrayBuffer();
    return { status: response.status };
  } catch {
    return { status: 0 };
  }
}

function postTelegram(base: string, body: string): Promise<Answer> {
  return postRaw(`${base}/webhooks/telegram`, body, { "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET });
}

function postZalo(base: string, body: string, timestamp: string): Promise<Answer> {
  const signature = signZaloEvent(fakes.zalo.appId, body, timestamp, fakes.zalo.oaSecretKey);
  return postRaw(`${base}/webhooks/zalo`, body, { "X-ZEvent-Signature": signature, "User-Agent": "ZaloWebhook/bench" });
}

async function inPool<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}

// ───────────────────────────── generation and mutation ─────────────────────────────

const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
const int = (max: number): number => Math.floor(random() * max);

const STRANGE_TEXTS = [
  "",
  " ",
  "\u0000\u0001\u0002",
  "\ud800",
  "\udfff lone low surrogate",
  "Cho em hỏi chuyển trường",
  "Cho em hoi chuyen truong",
  "cho e hoi mk vnedu ko dc",
  "Chuyển trường".normalize("NFD"),
  "\u202eRTL override\u202c",
  "\u200b\u200c\u200d\ufeff",
  "👨‍👩‍👧‍👦".repeat(200),
  "<script>alert(1)</script>",
  "<b>bold</b> & <i>",
  "%s%n%x{{constructor}}",
  "__proto__",
  "/start",
  "/start ABCDEFGH",
  "/link 22222222",
  "/follow ",
  "#done:1:1",
  "#snooze:999999999999999999999",
  "x".repeat(5000),
  "ẞ".repeat(3000),
  "\n\n\n",
  "𝕍𝕚𝕖𝕥𝕟𝕒𝕞",
];

const WRONG_TYPES: readonly unknown[] = [null, true, 0, -1, 1.5, 2 ** 63, "", "0", [], {}, [1, 2], { a: { b: {} } }, "9".repeat(400)];

function strangeValue(): unknown {
  return random() < 0.5 ? pick(STRANGE_TEXTS) : pick(WRONG_TYPES);
}

/** A copy of the object with one random path changed: removed, replaced by a wrong type or an odd string. */
function mutateObject(value: unknown): unknown {
  const copy = structuredClone(value);
  const paths: Array<{ parent: Record<string, unknown>; key: string }> = [];
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== "object") return;
    for (const [key, child] of Object.entries(node as Record<string, unknown>)) {
      paths.push({ parent: node as Record<string, unknown>, key });
      walk(child);
    }
  };
  walk(copy);
  const changes = 1 + int(3);
  for (let i = 0; i < changes && paths.length > 0; i++) {
    const { parent, key } = pick(paths);
    const roll = random();
    if (roll < 0.3) delete parent[key];
    else parent[key] = strangeValue();
  }
  if (random() < 0.1 && copy !== null && typeof copy === "object") (copy as Record<string, unknown>)[`extra_${int(99)}`] = strangeValue();
  return copy;
}

/** The serialised body, sometimes broken: truncated, not JSON, deeply nested, huge, or not an object. */
function mutateBody(valid: unknown): string {
  const roll = random();
  if (roll < 0.45) return JSON.stringify(mutateObject(valid));
  if (roll < 0.55) {
    const text = JSON.stringify(valid);
    return text.slice(0, int(text.length));
  }
  if (roll < 0.6) return pick(["", "null", "[]", "0", "\"text\"", "{", "}{", "nul", "{\"a\":}", "\u0000"]);
  if (roll < 0.65) return "[".repeat(5000) + "]".repeat(5000);
  if (roll < 0.7) return JSON.stringify({ ...(valid as object), padding: "x".repeat(200_000) });
  if (roll < 0.75) return JSON.stringify([valid, valid]);
  return JSON.stringify(valid);
}

let nextTelegramUpdate = 10_000_000;
let nextZaloMsg = 1;

function telegramPayload(): unknown {
  const chatId = 500_000 + int(5000);
  const roll = random();
  const from = { id: chatId, is_bot: false, first_name: "Phụ huynh", language_code: pick(["vi", "en", "fr", undefined]) };
  const chat = { id: chatId, type: random() < 0.9 ? "private" : pick(["group", "supergroup", "channel"]), first_name: "Phụ huynh" };
  const date = Math.floor(Date.now() / 1000);
  const update_id = nextTelegramUpdate++;
  if (roll < 0.55) return { update_id, message: { message_id: int(1e6), from, chat, date, text: random() < 0.6 ? pick(["Cho em hỏi chuyển trường", "tra cứu điểm thi", "/menu", "/help", "vnedu", "hello"]) : pick(STRANGE_TEXTS) } };
  if (roll < 0.7) return { update_id, callback_query: { id: String(int(1e9)), from, chat_instance: "1", data: pick(["#dvc.list", "#menu", "#done:1:1", "x".repeat(64), ""]), message: { message_id: 1, chat, date } } };
  if (roll < 0.8) return { update_id, message: { message_id: int(1e6), from, chat, date, photo: [{ file_id: "a", file_unique_id: "b", width: 1, height: 1 }], caption: pick(STRANGE_TEXTS) } };
  if (roll < 0.9) return { update_id, edited_message: { message_id: 1, from, chat, date, edit_date: date, text: "sửa" } };
  return { update_id, my_chat_member: { chat, from, date, old_chat_member: { status: "member", user: from }, new_chat_member: { status: "kicked", user: from, until_date: 0 } } };
}

function zaloPayload(): unknown {
  const userId = String(4_000_000_000_000_000_000n + BigInt(int(5000)));
  const timestamp = String(Date.now());
  const base = { app_id: fakes.zalo.appId, user_id_by_app: userId, timestamp };
  const message = { msg_id: `bench${nextZaloMsg++}`, text: random() < 0.6 ? pick(["cho em hỏi chuyển trường", "tra cuu diem thi", "/menu", "vnedu"]) : pick(STRANGE_TEXTS) };
  const roll = random();
  if (roll < 0.5) return { ...base, event_name: "user_send_text", sender: { id: userId }, recipient: { id: fakes.zalo.oaId }, message };
  if (roll < 0.6) return { ...base, event_name: "follow", oa_id: fakes.zalo.oaId, follower: { id: userId }, source: "oa_profile" };
  if (roll < 0.65) return { ...base, event_name: "unfollow", oa_id: fakes.zalo.oaId, follower: { id: userId }, source: "oa_profile" };
  if (roll < 0.8) {
    const kind = pick(["image", "file", "sticker", "gif", "audio", "video", "location", "link", "business_card"]);
    return { ...base, event_name: `user_send_${kind}`, sender: { id: userId }, recipient: { id: fakes.zalo.oaId }, message: { ...message, attachments: [{ type: kind, payload: { url: "https://example.invalid/x", description: pick(STRANGE_TEXTS) } }] } };
  }
  if (roll < 0.85) return { ...base, event_name: "oa_send_text", sender: { id: fakes.zalo.oaId }, recipient: { id: userId }, message };
  if (roll < 0.9) return { ...base, event_name: "user_click_chatnow", oa_id: fakes.zalo.oaId, user_id: userId };
  if (roll < 0.95) return { ...base, event_name: "anonymous_send_text", sender: { id: `anon${int(1e6)}` }, recipient: { id: fakes.zalo.oaId }, message: { ...message, conversation_id: `c${int(1e6)}` } };
  return { ...base, event_name: pick(["unknown_event", "", "user_seen_message", "user_received_message"]), sender: { id: userId }, message };
}

async function chatSession(base: string): Promise<string | undefined> {
  try {
    const response = await fetch(`${base}/api/chat/session`, { method: "POST" });
    if (response.status !== 201) return undefined;
    const body = (await response.json()) as { user?: string };
    return body.user;
  } catch {
    return undefined;
  }
}

// ───────────────────────────── 1. fuzz ─────────────────────────────

async function fuzz(): Promise<void> {
  const product = await startProduct();
  await sleep(1500);
  const rssBefore = rssMb(product);
  const sessions: string[] = [];
  for (let i = 0; i < 20; i++) {
    const user = await chatSession(product.url);
    sessions.push(user ?? `bench-user-${i}`);
  }
  const endpoints: Array<{ name: string; send: () => Promise<Answer> }> = [
    { name: "/webhooks/telegram", send: () => postTelegram(product.url, mutateBody(telegramPayload())) },
    {
      name: "/webhooks/zalo",
      send: () => {
        const payload = zaloPayload() as { timestamp?: unknown };
        const body = mutateBody(payload);
        return postZalo(product.url, body, String(payload.timestamp ?? ""));
      },
    },
    {
      name: "/api/chat",
      send: () => {
        const valid = { user: random() < 0.9 ? pick(sessions) : pick(STRANGE_TEXTS), text: pick(STRANGE_TEXTS.filter((t) => t.length > 0)) };
        return postRaw(`${product.url}/api/chat`, mutateBody(valid), {});
      },
    },
  ];
  let crashed = 0;
  void product.exited.then(() => (crashed += 1));
  console.log(`1. Fuzz: ${INPUTS.toLocaleString("en")} generated and mutated inputs per endpoint, ${ROUNDS} round(s)`);
  const rssAfter: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const endpoint of endpoints) {
      const classes = new Map<string, number>();
      const started = performance.now();
      await inPool(
        Array.from({ length: INPUTS }, (_, i) => i),
        async () => {
          const { status } = await endpoint.send();
          const key = status === 0 ? "no answer" : `${Math.floor(status / 100)}xx`;
          classes.set(key, (classes.get(key) ?? 0) + 1);
        },
      );
      const seconds = (performance.now() - started) / 1000;
      const summary = [...classes.entries()].sort().map(([k, n]) => `${k} ${n}`).join(", ");
      console.log(`   round ${round} ${endpoint.name.padEnd(20)} ${summary}; 5xx ${classes.get("5xx") ?? 0}; ${(INPUTS / seconds).toFixed(0)} req/s`);
    }
    await sleep(3000);
    if (product.child.exitCode !== null || crashed > 0) break;
    rssAfter.push(rssMb(product));
  }
  const alive = product.child.exitCode === null && crashed === 0;
  console.log(`   crashes ${alive ? 0 : 1}; RSS before ${rssBefore.toFixed(0)} MB, after each round ${rssAfter.map((r) => `${r.toFixed(0)} MB`).join(", ")}\n`);
  await stop(product);
}

// ───────────────────────────── 2. burst and kill -9 ─────────────────────────────

interface BurstEvent {
  channel: "telegram" | "zalo";
  person: string;
  body: string;
  timestamp: string;
  acknowledged: boolean;
}

async function killBurst(): Promise<void> {
  fakes.telegram.reset();
  fakes.zalo.reset();
  const question = "Cho em hỏi cách tra cứu điểm thi ạ";
  const events: BurstEvent[] = [];
  const telegramBase = 700_000_000;
  for (let i = 0; i < BURST; i++) {
    const chatId = telegramBase + i;
    const update = fakes.telegram.textUpdate(chatId, question);
    events.push({ channel: "telegram", person: String(chatId), body: JSON.stringify(update), timestamp: "", acknowledged: false });
  }
  for (let i = 0; i < BURST; i++) {
    const userId = String(8_100_000_000_000_000_000n + BigInt(i));
    const event = fakes.zalo.textEvent(userId, question, `burst${i}`);
    events.push({ channel: "zalo", person: userId, body: JSON.stringify(event), timestamp: String(event.timestamp ?? ""), acknowledged: false });
  }
  shuffle(events);

  // One answer's size in messages on each channel, measured on a person outside the burst.
  let product = await startProduct();
  const perAnswer = await answerSize(product, question);

  const send = (event: BurstEvent): Promise<Answer> =>
    event.channel === "telegram" ? postTelegram(product.url, event.body) : postZalo(product.url, event.body, event.timestamp);
  const killAfter = Math.floor(events.length / 2);
  let acknowledged = 0;
  let killing: Promise<void> | undefined;
  await inPool(events, async (event) => {
    if (killing) return;
    const { status } = await send(event);
    if (status >= 200 && status < 300) {
      event.acknowledged = true;
      acknowledged += 1;
      if (acknowledged === killAfter && !killing) killing = kill(product);
    }
  });
  await killing;
  const ackedAtKill = events.filter((e) => e.acknowledged).length;
  product = await startProduct();
  // The platforms resend what was not acknowledged.
  const resend = events.filter((e) => !e.acknowledged);
  for (let round = 0; round < 5 && resend.some((e) => !e.acknowledged); round++) {
    await inPool(
      resend.filter((e) => !e.acknowledged),
      async (event) => {
        const { status } = await send(event);
        if (status >= 200 && status < 300) event.acknowledged = true;
      },
    );
  }
  await waitQuiet(() => fakes.telegram.sent.length + fakes.zalo.sent.length, 5000, 120_000);
  const received = new Map<string, number>();
  for (const m of fakes.telegram.sent) received.set(`telegram:${m.chatId}`, (received.get(`telegram:${m.chatId}`) ?? 0) + 1);
  for (const m of fakes.zalo.sent) received.set(`zalo:${m.userId}`, (received.get(`zalo:${m.userId}`) ?? 0) + 1);
  let lost = 0;
  let twice = 0;
  for (const event of events) {
    const count = received.get(`${event.channel}:${event.person}`) ?? 0;
    if (count === 0) lost += 1;
    else if (count > perAnswer[event.channel]) twice += 1;
  }
  console.log(`2. Kill -9 mid-burst: ${BURST} Zalo events + ${BURST} Telegram updates, one person each, killed after ${ackedAtKill} were acknowledged`);
  console.log(`   resent (not acknowledged before the kill) ${resend.length}; events lost ${lost}, answered twice ${twice} (one answer = ${perAnswer.telegram} Telegram / ${perAnswer.zalo} Zalo message(s))`);
  await stop(product);
}

async function answerSize(product: Product, question: string): Promise<Record<"telegram" | "zalo", number>> {
  const probeChat = 699_999_999;
  const probeUser = "8099999999999999999";
  await postTelegram(product.url, JSON.stringify(fakes.telegram.textUpdate(probeChat, question)));
  const event = fakes.zalo.textEvent(probeUser, question, "probe1");
  await postZalo(product.url, JSON.stringify(event), String(event.timestamp ?? ""));
  await waitQuiet(() => fakes.telegram.sent.length + fakes.zalo.sent.length, 1500, 20_000);
  const sizes = {
    telegram: fakes.telegram.sent.filter((m) => m.chatId === probeChat).length,
    zalo: fakes.zalo.sent.filter((m) => m.userId === probeUser).length,
  };
  fakes.telegram.reset();
  fakes.zalo.reset();
  if (sizes.telegram === 0 || sizes.zalo === 0) throw new Error(`the probe question got no answer: ${JSON.stringify(sizes)}`);
  return sizes;
}

async function waitQuiet(count: () => number, quietMs: number, maxMs: number): Promise<void> {
  const started = Date.now();
  let last = count();
  let since = Date.now();
  while (Date.now() - started < maxMs) {
    await sleep(250);
    const now = count();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs && now > 0) return;
  }
}

function shuffle<T>(list: T[]): void {
  for (let i = list.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [list[i], list[j]] = [list[j] as T, list[i] as T];
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// Runs last: every const above is initialised by then.
const dir = mkdtempSync(join(tmpdir(), "bench-robust-"));
const dbPath = join(dir, "bot.db");
const fakes: Fakes = { telegram: await startFakeTelegram(), zalo: await startFakeZalo() };
const tokens = fakes.zalo.issueTokens();
try {
  console.log(`Node ${process.version}; ${INPUTS.toLocaleString("en")} inputs per endpoint, burst of ${BURST} + ${BURST}\n`);
  await fuzz();
  await killBurst();
} finally {
  await fakes.telegram.stop();
  await fakes.zalo.stop();
  rmSync(dir, { recursive: true, force: true });
}
