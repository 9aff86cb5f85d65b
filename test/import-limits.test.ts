import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { isMainThread, threadId } from "node:worker_threads";
import { asc } from "drizzle-orm";
import ExcelJS from "exceljs";
import JSZip from "jszip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/database.js";
import { people, units } from "../src/db/schema.js";
import { parseInWorker } from "../src/registry/parse-in-worker.js";
import { startTestApp, type RunningApp } from "./support/test-app.js";
import { windows1258 } from "./support/windows-1258.js";
import { testDatabase, databaseEnv } from "./support/engine.js";

const ROOT = join(import.meta.dirname, "..");
const UNITS_HEADER = "code,name,type,level,parent_code";
const BASE = ["SGDDT,Sở Giáo dục và Đào tạo,department,,", "PGD-VT,Phòng GDĐT Thành phố Vũng Tàu,office,,SGDDT"];

/** A CSV of `n` schools under PGD-VT (about 35 bytes a row). */
const schools = (n: number) => {
  const lines = [UNITS_HEADER, ...BASE];
  for (let i = 1; i <= n; i++) lines.push(`T${i},Trường ${i},school,thcs,PGD-VT`);
  return `${lines.join("\n")}\n`;
};

async function workbook(rows: (string | number)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet("Đơn vị");
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe("imports through the admin API: limits, malformed files, encodings, codes and control characters", () => {
  let running: RunningApp;
  let admin: string;

  const upload = async (kind: "units" | "people", body: string | Uint8Array, query = "") => {
    const res = await fetch(`${running.url}/api/admin/imports/${kind}${query}`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/octet-stream" },
      body,
    });
    return { status: res.status, body: (await res.json()) as { error?: string; ok?: boolean; created?: number; problems?: { row: number; column: string; problem: string }[] } };
  };
  const stored = <T>(read: (db: ReturnType<typeof openDatabase>["db"]) => T): T => {
    const database = openDatabase(testDatabase(running.dbPath));
    try {
      return read(database.db);
    } finally {
      database.close();
    }
  };
  const unitRows = () => stored((db) => db.select({ code: units.code, name: units.name }).from(units).orderBy(asc(units.id)).all());

  beforeAll(async () => {
    running = await startTestApp();
    admin = running.app.tokens.create({ name: "admin", role: "department_admin" }, "test", running.clock.now()).token;
  });
  afterAll(async () => {
    await running.stop();
  });

  it("parses in a worker thread, not on the thread that answers requests", async () => {
    const parsed = await parseInWorker(Buffer.from(`${UNITS_HEADER}\n${BASE.join("\n")}\n`));
    expect(parsed.records.map((r) => r.fields[0])).toEqual(["code", "SGDDT", "PGD-VT"]);
    expect(isMainThread).toBe(true);
    expect(parsed.thread).toBeGreaterThan(threadId);
  });

  it("answers 413 with the limit for a file over 5 MB, and imports nothing", async () => {
    const big = Buffer.alloc(6 * 1024 * 1024, "a");
    const res = await upload("units", big);
    expect(res.status).toBe(413);
    expect(res.body.error).toMatch(/lớn hơn 5 MB.*larger than 5 MB/);
    expect(unitRows()).toEqual([]);
  });

  it("answers 400, not 500, for a malformed or truncated workbook and for a legacy .xls", async () => {
    const good = await workbook([UNITS_HEADER.split(","), ...BASE.map((l) => l.split(","))]);
    const garbage = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(2000, 7)]);
    const truncated = good.subarray(0, Math.floor(good.length / 2));
    const corrupt = Buffer.from(good);
    corrupt.fill(0x41, 200, 2000); // the first entries' compressed data, the directory intact
    const xls = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(500)]);
    for (const body of [garbage, truncated, corrupt]) {
      const res = await upload("units", body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/Excel.*\.xlsx/);
    }
    const legacy = await upload("units", xls);
    expect(legacy.status).toBe(400);
    expect(legacy.body.error).toMatch(/Excel 97-2003.*Save As/);
    expect(unitRows()).toEqual([]);
  });

  it("answers 413 for a workbook that would unpack to more than the limit (zip bomb)", async () => {
    const zip = await JSZip.loadAsync(await workbook([UNITS_HEADER.split(","), ...BASE.map((l) => l.split(","))]));
    zip.file("xl/media/image1.png", Buffer.alloc(60 * 1024 * 1024));
    const bomb = await zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE" });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const res = await upload("units", bomb);
    expect(res.status).toBe(413);
    expect(res.body.error).toMatch(/unpacks to more than 40 MB/);
  });

  it("a 100,000-row CSV is refused with 413 while /healthz keeps answering within 200 ms", async () => {
    const csv = schools(100_000);
    expect(Buffer.byteLength(csv)).toBeLessThan(5 * 1024 * 1024);
    let done = false;
    const importing = upload("units", csv).finally(() => {
      done = true;
    });
    const latencies: number[] = [];
    while (!done) {
      const started = performance.now();
      const health = await fetch(`${running.url}/healthz`);
      expect(health.status).toBe(200);
      await health.json();
      latencies.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, 10));
    }
    const res = await importing;
    expect(res.status).toBe(413);
    expect(res.body.error).toMatch(/hơn 20,000 dòng.*more than 20,000 rows/);
    expect(latencies.length).toBeGreaterThan(0);
    expect(Math.max(...latencies)).toBeLessThan(200);
    expect(unitRows()).toEqual([]);
  }, 60_000);

  it("imports a Windows-1258 CSV with correct Vietnamese, the same as its UTF-8 twin", async () => {
    const text = `${UNITS_HEADER}\n${BASE.join("\n")}\nTH-DN,Trường Tiểu học Đồng Nai – Quỳnh Hương,school,Tiểu học,PGD-VT\n`;
    const res = await upload("units", windows1258(text), "?dryRun=true");
    expect(res.status).toBe(200);
    const real = await upload("units", windows1258(text));
    expect(real.body).toMatchObject({ ok: true, created: 3 });
    expect(unitRows()).toEqual([
      { code: "SGDDT", name: "Sở Giáo dục và Đào tạo" },
      { code: "PGD-VT", name: "Phòng GDĐT Thành phố Vũng Tàu" },
      { code: "TH-DN", name: "Trường Tiểu học Đồng Nai – Quỳnh Hương" },
    ]);
    expect((await upload("units", Buffer.from(text))).body).toMatchObject({ ok: true, created: 0, unchanged: 3 });
  });

  it("refuses unit codes that are too long or not ASCII, and cells over 500 characters, with row and column", async () => {
    const longCode = `TH-${"X".repeat(52)}`; // 55 characters: "#unfollow:" + it would exceed Telegram's 64-byte callback_data
    const res = await upload(
      "units",
      [UNITS_HEADER, ...BASE, `${longCode},Trường A,school,thcs,PGD-VT`, "Trường B,Trường B,school,thcs,PGD-VT", `TH-C,${"C".repeat(501)},school,thcs,PGD-VT`].join("\n"),
    );
    expect(res.status).toBe(400);
    expect(res.body.problems).toEqual([{ row: 6, column: "name", code: "cell_too_long", params: { length: 501, max: 500 }, problem: "name is 501 characters long (at most 500)" }]);
    const codes = await upload("units", [UNITS_HEADER, ...BASE, `${longCode},Trường A,school,thcs,PGD-VT`, "Trường B,Trường B,school,thcs,PGD-VT"].join("\n"));
    expect(codes.status).toBe(400);
    expect(codes.body.problems?.map((p) => [p.row, p.column])).toEqual([
      [4, "code"],
      [5, "code"],
    ]);
    expect(codes.body.problems?.[0]?.problem).toMatch(/invalid code "TH-X+…": at most 32 characters.*\(55 characters given\)/);
    expect(codes.body.problems?.[1]?.problem).toMatch(/invalid code "Trường B"/);
    expect(unitRows().map((u) => u.code)).not.toContain(longCode);
  });

  it("strips terminal escape sequences and control characters from every imported text field", async () => {
    const esc = "\x1b";
    const res = await upload(
      "units",
      `${UNITS_HEADER}\nTH-ESC,${esc}[31mTrường${esc}[0m ${esc}]0;pwned\x07Đỏ\x7f\x08,school,thcs,PGD-VT\n`,
    );
    expect(res.body).toMatchObject({ ok: true, created: 1 });
    const person = await upload("people", `ref,name,role,unit_code,phone,email\nCB-ESC,${esc}[2J${esc}[HNguyễn\u202eVăn A,it_lead,TH-ESC,,\n`);
    expect(person.body).toMatchObject({ ok: true, created: 1 });
    expect(stored((db) => db.select({ name: units.name }).from(units).all()).find((u) => u.name.includes("Đỏ"))?.name).toBe("Trường Đỏ");
    expect(stored((db) => db.select({ name: people.name }).from(people).all())).toEqual([{ name: "NguyễnVăn A" }]);
  });
});

describe("npm run import: same rules as the API", () => {
  const pexec = promisify(execFile);
  const dir = mkdtempSync(join(tmpdir(), "sogd-limits-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cli = async (args: string[]) => {
    try {
      const { stdout, stderr } = await pexec(join(ROOT, "node_modules", ".bin", "tsx"), [join(ROOT, "src", "cli", "import.ts"), ...args], {
        cwd: ROOT,
        env: { ...process.env, ...databaseEnv(join(dir, "cli.db")), LOG_LEVEL: "silent" },
        timeout: 60_000,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it("never prints a control character from the file, and refuses oversize files and malformed workbooks", async () => {
    const escaped = join(dir, "escape.csv");
    writeFileSync(escaped, `${UNITS_HEADER}\n${BASE.join("\n")}\nTH-E,Trường E,\x1b[2J\x1b]0;pwned\x07bad\x1b[5m,thcs,PGD-VT\n`);
    const big = join(dir, "big.csv");
    writeFileSync(big, schools(170_000));
    const broken = join(dir, "broken.csv");
    writeFileSync(broken, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100)]));
    const [bad, tooBig, brokenRun] = await Promise.all([cli(["units", escaped, "--dry-run"]), cli(["units", big]), cli(["units", broken])]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('row 4, column type: unknown type "bad"');
    expect(bad.stdout + bad.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/); // eslint-disable-line no-control-regex
    expect(tooBig.code).toBe(1);
    expect(tooBig.stderr).toMatch(/larger than 5 MB/);
    expect(brokenRun.code).toBe(1);
    expect(brokenRun.stderr).toMatch(/cannot be read as an Excel workbook/);
    expect(readFileSync(escaped, "utf8")).toContain("\x1b[2J"); // the file really held the escapes
  }, 120_000);
});
