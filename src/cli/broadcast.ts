/**
 * npm run broadcast -- --file note.md [--audience '<json>'] [--at ISO] [--title "..."] [--en note.en.md] [--urgent] [--yes] [--no-wait]
 *
 * Creates a broadcast straight in the database at DATABASE_PATH, as `cli:<os user>` (department_admin):
 * shows a preview (title, when, recipients, the Vietnamese text as plain text), asks for confirmation on a
 * terminal, creates it, then follows the running server's dispatcher with a progress bar. This command never
 * sends anything itself.
 *
 * Exit codes: 0 created (and, when waited for, finished or left to the server with Ctrl-C); 1 cancelled at the
 * prompt, or the broadcast was cancelled elsewhere while waiting; 2 usage, file, audience or validation error.
 */
import { localDateTime } from "../core/time/zoned-time.js";
import { readFileSync, realpathSync } from "node:fs";
import { userInfo } from "node:os";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { SkipReason } from "../broadcast/audience.js";
import { BroadcastError, BroadcastService, type BroadcastView } from "../broadcast/broadcast-service.js";
import { cliActor } from "../access/actor.js";
import { ConfigError, loadConfig, type Config } from "../config.js";
import { parseZonedIso } from "../core/time/zoned-time.js";
import { databaseLocation, openDatabase, type OpenDatabase } from "../db/database.js";
import type { DeliveryCounts } from "../outbox/sqlite-outbox-store.js";
import { buildServices } from "../wiring/services.js";
import { cliLogger, REPO_ROOT } from "./shared.js";

const USAGE = `usage: npm run broadcast -- --file <note.md> [--audience '<json>'] [--at <ISO time>] [--title "<title>"]
                            [--en <note.en.md>] [--urgent] [--yes] [--no-wait]

  --file      the Vietnamese text (UTF-8, Markdown subset: **bold**, *italic*, [link](https://…), - lists)
  --title     the title; otherwise the file's first line when it is a "# heading" (then left out of the body)
  --audience  JSON, e.g. '{"units":["PGD-VT"],"levels":["thcs"]}'; fields roles, units, levels, channels,
              locales; default {} = everyone
  --at        when to send, ISO time such as 2026-01-13T08:00 (Vietnam time unless it has an offset);
              default now (non-urgent messages wait for the end of quiet hours)
  --en        the English text for English-speaking recipients (otherwise they get the Vietnamese)
  --urgent    send during quiet hours too
  --yes       do not ask for confirmation (required when not on a terminal)
  --no-wait   exit right after creating instead of following the sending`;

const STALL_MESSAGE = "No progress: is the server running (npm start)? The broadcast is saved and will go out when it runs.";
const BAR_WIDTH = 20;

const SKIP_EXPLANATIONS: Record<SkipReason, string> = {
  not_subscribed: "not subscribed",
  unreachable: "unreachable (blocked the bot)",
  no_push_channel: "web chat only, cannot be pushed to",
};

export interface TextSink {
  write(chunk: string): unknown;
}

export interface BroadcastCliIo {
  stdout: TextSink;
  stderr: TextSink;
  /** where the confirmation is read from (needed on a TTY without --yes) */
  stdin?: NodeJS.ReadableStream;
  /** interactive terminal: ask before sending and redraw the progress bar in place */
  isTTY: boolean;
  now?: () => Date;
  /** how often the broadcast is looked at while waiting (500 ms) */
  pollMs?: number;
  /** without a TTY, how often a progress line is printed (5 s) */
  reportEveryMs?: number;
  /** how long without movement, while rows are queued, before the "is the server running?" hint (15 s) */
  stallMs?: number;
  /** an open database to use (and leave open); otherwise DATABASE_PATH is opened and closed on exit */
  database?: OpenDatabase;
  config?: Config;
  /** aborted on Ctrl-C */
  signal?: AbortSignal;
  /** the OS user in the actor label (os.userInfo() by default) */
  username?: string;
}

/** Ends the command with a message (printed as is on stderr) and an exit code. */
class CliExit extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly showUsage = false,
  ) {
    super(message);
  }
}

/** A usage, file or input error: `error: <message>`, exit 2. */
function failure(message: string, showUsage = false): CliExit {
  return new CliExit(2, `error: ${message}`, showUsage);
}

interface Options {
  file: string;
  audience: unknown;
  at: string | undefined;
  title: string | undefined;
  en: string | undefined;
  urgent: boolean;
  yes: boolean;
  wait: boolean;
}

/** Runs the command; resolves with the exit code. Never calls process.exit. */
export async function runBroadcastCli(args: string[], io: BroadcastCliIo): Promise<number> {
  const out = (line: string) => io.stdout.write(`${line}\n`);
  const err = (line: string) => io.stderr.write(`${line}\n`);
  let database: OpenDatabase | undefined;
  let ownsDatabase = false;
  try {
    const options = parseOptions(args);
    if (options === "help") {
      out(USAGE);
      return 0;
    }
    const { title, textVi } = readNote(options.file, options.title);
    const textEn = options.en === undefined ? undefined : readUtf8(options.en, "--en");

    const config = io.config ?? loadConfig();
    if (io.database) database = io.database;
    else {
      database = openDatabase(databaseLocation(config));
      ownsDatabase = true;
    }
    const now = io.now ?? (() => new Date());
    const service = buildServices({ config, database, clock: { now }, logger: cliLogger(err), contentRoot: REPO_ROOT }).broadcasts;
    const actor = cliActor(io.username ?? osUsername());
    const body = {
      title,
      text: textEn === undefined ? { vi: textVi } : { vi: textVi, en: textEn },
      audience: options.audience,
      ...(options.at !== undefined ? { sendAt: options.at } : {}),
      urgent: options.urgent,
    };
    const hints = { file: options.file, en: options.en };

    // 1. Preview.
    const preview = withHints(hints, () => service.preview(body, actor));
    const requested = options.at !== undefined ? parseZonedIso(options.at, config.TZ_NAME) : now();
    const sendAt = new Date(preview.sendAt);
    out(`Title:      ${title}`);
    let when = `${sendAt.getTime() <= now().getTime() ? "now, " : ""}${formatWhen(sendAt, config.TZ_NAME)}`;
    if (requested && sendAt.getTime() > requested.getTime() + 1000) when += " — held back by quiet hours (--urgent sends during them)";
    out(`Goes out:   ${when}`);
    if (options.urgent) out("Urgent:     yes, quiet hours do not apply");
    const r = preview.recipients;
    out(`Recipients: ${r.total} matched · ${r.queued} will be sent · ${r.total - r.queued} skipped`);
    for (const [reason, n] of Object.entries(r.skipped)) {
      out(`  skipped, ${SKIP_EXPLANATIONS[reason as SkipReason] ?? reason}: ${n}`);
    }
    if (r.total === 0) out("  Nobody matches this audience.");
    out(`English:    ${options.en ? `from ${options.en}` : "none (English-speaking recipients get the Vietnamese)"}`);
    out("");
    out("──── message (Vietnamese, as plain text) ────");
    out((preview.rendered.zalo?.vi ?? []).join("\n\n"));
    out("─────────────────────────────────────────────");

    // 2. Confirmation.
    if (!options.yes) {
      if (!io.isTTY) {
        throw new CliExit(2, "Not a terminal, so I cannot ask for confirmation: nothing was created. Add --yes to send.");
      }
      if (!io.stdin) throw new CliExit(2, "No input to read the confirmation from: nothing was created. Add --yes to send.");
      io.stdout.write("Gửi? / Send? [y/N] ");
      const answer = (await readAnswer(io.stdin, io.signal)).trim().normalize("NFC").toLowerCase();
      if (!["y", "yes", "c", "có"].includes(answer)) {
        if (io.signal?.aborted) out("");
        out("Cancelled, nothing was created.");
        return 1;
      }
    }

    // 3. Create.
    const created = withHints(hints, () => service.create(body, actor));
    const view = service.get(created.id);
    if (created.status === "scheduled") {
      out(`Broadcast ${created.id} scheduled for ${formatWhen(new Date(view.sendAt), config.TZ_NAME)}, ${created.recipients} recipients matched now.`);
      out(`The running server sends it then. Follow it with GET /api/admin/broadcasts/${created.id}; cancel with POST /api/admin/broadcasts/${created.id}/cancel.`);
      return 0;
    }
    out(`Broadcast ${created.id} created: ${view.counts.queued} to send, ${view.counts.skipped} skipped. The server's dispatcher sends it.`);
    if (!options.wait) {
      out(`Follow it with GET /api/admin/broadcasts/${created.id}`);
      return 0;
    }

    // 4. Follow the server's progress.
    return await follow(created.id, service, io, now);
  } catch (error) {
    if (error instanceof CliExit) {
      err(error.message);
      if (error.showUsage) err(USAGE);
      return error.code;
    }
    if (error instanceof BroadcastError || error instanceof ConfigError) {
      err(`error: ${error.message}`);
      return 2;
    }
    throw error;
  } finally {
    if (ownsDatabase) database?.close();
  }
}

function parseOptions(args: string[]): Options | "help" {
  const parse = () =>
    parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        file: { type: "string", short: "f" },
        audience: { type: "string" },
        at: { type: "string" },
        title: { type: "string" },
        en: { type: "string" },
        urgent: { type: "boolean" },
        yes: { type: "boolean", short: "y" },
        "no-wait": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse().values;
  } catch (error) {
    throw failure((error as Error).message, true);
  }
  if (values.help) return "help";
  if (!values.file) throw failure("--file is required", true);
  let audience: unknown = {};
  if (values.audience !== undefined) {
    try {
      audience = JSON.parse(values.audience);
    } catch (error) {
      throw failure(
        `--audience is not valid JSON (${(error as Error).message}); write it in single quotes, e.g. --audience '{"units":["PGD-VT"]}'`,
      );
    }
  }
  return {
    file: values.file,
    audience,
    at: values.at,
    title: values.title,
    en: values.en,
    urgent: values.urgent ?? false,
    yes: values.yes ?? false,
    wait: !values["no-wait"],
  };
}

/** The Vietnamese file with its title: --title, else a leading "# heading" line (taken out of the body). */
function readNote(file: string, titleOption: string | undefined): { title: string; textVi: string } {
  const text = readUtf8(file, "--file").replace(/\r\n?/g, "\n");
  if (titleOption !== undefined) {
    if (titleOption.trim() === "") throw failure("--title is empty");
    return { title: titleOption.trim(), textVi: text };
  }
  const lines = text.split("\n");
  const first = lines.findIndex((l) => l.trim() !== "");
  const heading = first >= 0 ? /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(lines[first] ?? "") : null;
  const title = heading?.[1]?.trim();
  if (!title) {
    throw failure(`no title: give --title "..." or start ${file} with a "# heading" line`);
  }
  return { title, textVi: lines.slice(first + 1).join("\n").replace(/^\s*\n/, "") };
}

function readUtf8(file: string, option: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder" : (error as Error).message;
    throw failure(`${option} ${file}: cannot read it: ${why}`);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw failure(`${option} ${file} is not UTF-8 text; save it as UTF-8 (in Notepad: Save As → Encoding: UTF-8)`);
  }
}

/** Runs a service call, adding which option a refused field came from. */
function withHints<T>(hints: { file: string; en: string | undefined }, call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (!(error instanceof BroadcastError)) throw error;
    const f = error.field;
    const source = f.startsWith("audience")
      ? "--audience"
      : f === "sendAt"
        ? "--at"
        : f === "title"
          ? "--title or the # heading"
          : f === "text.vi"
            ? hints.file
            : f === "text.en"
              ? (hints.en ?? "--en")
              : undefined;
    if (!source) throw error;
    throw new BroadcastError(error.status, error.field, `${error.message.slice(f.length + 2)} (from ${source})`);
  }
}

/** Polls the broadcast until it is done or cancelled, drawing the progress; Ctrl-C leaves it to the server. */
async function follow(id: number, service: BroadcastService, io: BroadcastCliIo, now: () => Date): Promise<number> {
  const pollMs = io.pollMs ?? 500;
  const reportEveryMs = io.reportEveryMs ?? 5000;
  const stallMs = io.stallMs ?? 15_000;
  const samples: { t: number; delivered: number }[] = [];
  let drawnLength = 0;
  let lastReport = -Infinity;
  let lastKey = "";
  let lastChange = performance.now();
  let warned = false;

  const draw = (counts: DeliveryCounts, final: boolean) => {
    const t = performance.now();
    const delivered = counts.sent + counts.failed;
    samples.push({ t, delivered });
    while (samples.length > 2 && (samples[0]?.t ?? t) < t - 5000) samples.shift();
    const oldest = samples[0] ?? { t, delivered };
    const rate = t > oldest.t ? ((delivered - oldest.delivered) * 1000) / (t - oldest.t) : 0;
    const line = progressLine(counts, rate);
    if (io.isTTY) {
      io.stdout.write(`\r${line}${" ".repeat(Math.max(0, drawnLength - line.length))}${final ? "\n" : ""}`);
      drawnLength = final ? 0 : line.length;
    } else if (final || t - lastReport >= reportEveryMs) {
      io.stdout.write(`${line}\n`);
      lastReport = t;
    }
  };
  const endLine = () => {
    if (io.isTTY && drawnLength > 0) io.stdout.write("\n");
    drawnLength = 0;
  };

  for (;;) {
    let view: BroadcastView = service.get(id);
    if (view.status === "sending" && view.counts.queued === 0) {
      // Every row has its outcome: the broadcast is done (its lifecycle decides, as when the server sends).
      service.lifecycle.closeIfFinished(id, now());
      view = service.get(id);
    }
    if (view.status === "done" || view.status === "cancelled") {
      draw(view.counts, true);
      const c = view.counts;
      const reasons = Object.entries(c.reasons).map(([reason, n]) => `${reason} ${n}`);
      const summary = `sent ${c.sent}, failed ${c.failed}, skipped ${c.skipped}${reasons.length ? ` (${reasons.join(", ")})` : ""}`;
      if (view.status === "done") {
        io.stdout.write(`Done: broadcast ${id} ${summary}.\n`);
        return 0;
      }
      io.stdout.write(`Broadcast ${id} was cancelled: ${summary}, ${c.cancelled} not sent.\n`);
      return 1;
    }
    const key = `${view.counts.queued}/${view.counts.sent}/${view.counts.failed}/${view.counts.cancelled}`;
    if (key !== lastKey) {
      lastKey = key;
      lastChange = performance.now();
    }
    draw(view.counts, false);
    if (!warned && view.counts.queued > 0 && performance.now() - lastChange >= stallMs) {
      warned = true;
      endLine();
      io.stderr.write(`${STALL_MESSAGE}\n`);
    }
    if (!(await sleep(pollMs, io.signal))) {
      endLine();
      io.stdout.write(`Still sending in the server; follow it with GET /api/admin/broadcasts/${id}\n`);
      return 0;
    }
  }
}

/** `[##########----------]  50%  sent 150 · failed 2 · skipped 10 · queued 148  (31/s)`; skipped rows are not part of the percentage. */
export function progressLine(counts: DeliveryCounts, ratePerSecond: number): string {
  const finished = counts.sent + counts.failed + counts.cancelled;
  const all = finished + counts.queued;
  const fraction = all === 0 ? 1 : finished / all;
  const filled = Math.floor(fraction * BAR_WIDTH);
  const percent = Math.floor(fraction * 100);
  const rate = ratePerSecond >= 10 || ratePerSecond === 0 ? String(Math.round(ratePerSecond)) : ratePerSecond.toFixed(1);
  return (
    `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${String(percent).padStart(3)}%  ` +
    `sent ${counts.sent} · failed ${counts.failed} · skipped ${counts.skipped} · queued ${counts.queued}  (${rate}/s)`
  );
}

/** "2026-01-13T01:00:00.000Z = 2026-01-13 08:00 Asia/Ho_Chi_Minh" */
function formatWhen(at: Date, timeZone: string): string {
  return `${at.toISOString()} = ${localDateTime(at, timeZone)} ${timeZone}`;
}

/** Resolves true after ms, or false at once when the signal is (or gets) aborted. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** One line from the input; "" at end of input or when the signal is aborted (Ctrl-C at the prompt). */
function readAnswer(input: NodeJS.ReadableStream, signal: AbortSignal | undefined): Promise<string> {
  if (signal?.aborted) return Promise.resolve("");
  return new Promise((resolve) => {
    const rl = createInterface({ input, terminal: false });
    let settled = false;
    const finish = (answer: string) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      rl.close();
      resolve(answer);
    };
    const onAbort = () => finish("");
    rl.once("line", (line) => finish(line));
    rl.once("close", () => finish(""));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function osUsername(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}

function isMain(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href || import.meta.url === pathToFileURL(script).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.on("SIGINT", onSigint);
  runBroadcastCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    isTTY: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    signal: controller.signal,
  })
    .then(
      (code) => {
        process.exitCode = code;
      },
      (error: unknown) => {
        process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
      },
    )
    .finally(() => process.off("SIGINT", onSigint));
}
