/**
 * npx tsx test/bench/bench-imports.ts [--csv-rows N] [--xlsx FILE] [--xlsx-rows N --xlsx-columns N]
 * Starts the real app and uploads (1) a units CSV of N rows (100,000 by default) while polling /healthz every
 * 10 ms, reporting the answer's status and the longest /healthz wait; (2) a units workbook (FILE, or one
 * generated with N rows of C columns of random text, saved next to the report for re-use) while sampling the
 * process's peak RSS (VmHWM, Linux; the parse worker is a thread of this process). --csv-rows 0 skips the CSV,
 * so the peak is the workbook's alone.
 */
import { readFileSync, writeFileSync } from "node:fs";
import ExcelJS from "exceljs";
import { argValue } from "../../src/cli/shared.js";
import { startTestApp } from "../support/test-app.js";

const args = process.argv.slice(2);
const CSV_ROWS = Number(argValue(args, "--csv-rows") ?? 100_000);
const XLSX_FILE = argValue(args, "--xlsx");
const XLSX_ROWS = Number(argValue(args, "--xlsx-rows") ?? 100_000);
const XLSX_COLUMNS = Number(argValue(args, "--xlsx-columns") ?? 8);

let seed = 7;
const word = () => {
  let s = "";
  for (let i = 0; i < 8; i++) {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    s += String.fromCharCode(97 + (seed % 26));
  }
  return s;
};

async function generateWorkbook(rows: number, columns: number): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet("Đơn vị");
  sheet.addRow(["code", "name", "type", "level", "parent_code", ...Array.from({ length: columns - 5 }, (_, i) => `note ${i}`)]);
  for (let i = 1; i <= rows; i++) {
    sheet.addRow([`T${i}`, `Trường ${word()} ${word()}`, "school", "thcs", "PGD-VT", ...Array.from({ length: columns - 5 }, () => `${word()} ${word()}`)]);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const running = await startTestApp();
const token = running.app.tokens.create({ name: "bench", role: "department_admin" }, "bench", running.clock.now()).token;
const upload = async (body: Uint8Array | string) => {
  const res = await fetch(`${running.url}/api/admin/imports/units?dryRun=true`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
    body,
  });
  const text = await res.text();
  return { status: res.status, text: text.slice(0, 160) };
};

async function csvWhileHealthChecks(): Promise<void> {
  const lines = ["code,name,type,level,parent_code", "SGDDT,Sở,department,,", "PGD-VT,Phòng,office,,SGDDT"];
  for (let i = 1; i <= CSV_ROWS; i++) lines.push(`T${i},Trường ${i},school,thcs,PGD-VT`);
  const csv = `${lines.join("\n")}\n`;
  let done = false;
  let worst = 0;
  const started = performance.now();
  const importing = upload(csv).finally(() => (done = true));
  while (!done) {
    const t = performance.now();
    await (await fetch(`${running.url}/healthz`)).text();
    worst = Math.max(worst, performance.now() - t);
    await new Promise((r) => setTimeout(r, 10));
  }
  const csvResult = await importing;
  console.log(`CSV ${CSV_ROWS} rows, ${(Buffer.byteLength(csv) / 1048576).toFixed(1)} MB: HTTP ${csvResult.status} in ${((performance.now() - started) / 1000).toFixed(1)} s; longest /healthz wait ${worst.toFixed(0)} ms`);
}

/** The process's peak resident set so far, from /proc (Linux). */
const peakRssMb = () => Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0) / 1024);

try {
  if (CSV_ROWS > 0) await csvWhileHealthChecks();

  const xlsx = XLSX_FILE ? readFileSync(XLSX_FILE) : await generateWorkbook(XLSX_ROWS, XLSX_COLUMNS);
  if (!XLSX_FILE) writeFileSync(`/tmp/bench-imports-${XLSX_ROWS}x${XLSX_COLUMNS}.xlsx`, xlsx);
  const base = process.memoryUsage().rss;
  const t0 = performance.now();
  const xlsxResult = await upload(xlsx);
  console.log(
    `XLSX ${(xlsx.length / 1048576).toFixed(1)} MB: HTTP ${xlsxResult.status} in ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
      `RSS ${(base / 1048576).toFixed(0)} MB before, process peak (VmHWM) ${peakRssMb()} MB — ${xlsxResult.text}`,
  );
} finally {
  await running.stop();
}
