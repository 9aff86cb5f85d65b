import { expectRejected as expectRejectedFrom } from "./support/import-assertions.js";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { asc } from "drizzle-orm";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type OpenDatabase } from "../src/db/database.js";
import { units } from "../src/db/schema.js";
import { CsvError, parseCsv } from "../src/registry/csv.js";
import { formatProblem, importUnits, type ImportProblem, type ImportReport } from "../src/registry/units-import.js";
import { windows1258 } from "./support/windows-1258.js";
import { testDatabase, databaseEnv } from "./support/engine.js";

const ROOT = join(import.meta.dirname, "..");
const SAMPLE = readFileSync(join(ROOT, "test", "fixtures", "units-sample.csv"), "utf8");
const T0 = new Date("2025-09-01T08:00:00+07:00");
const T1 = new Date("2025-10-01T08:00:00+07:00");
const HEADER = "code,name,type,level,parent_code";

let database: OpenDatabase;
beforeEach(() => {
  database = openDatabase(testDatabase(":memory:"));
});
afterEach(() => database.close());

const run = (input: string | string[][], now = T0, dryRun = false): ImportReport =>
  importUnits(database, input, { dryRun, now });
const all = () => database.db.select().from(units).orderBy(asc(units.id)).all();
const byCode = (code: string) => all().find((u) => u.code === code);
const csv = (...lines: string[]) => `${[HEADER, ...lines].join("\n")}\n`;
/** The sample's department and office, for files that add to it. */
const BASE = ["SGDDT,Sở Giáo dục và Đào tạo,department,,", "PGD-VT,Phòng GDĐT Thành phố Vũng Tàu,office,,SGDDT"];

/** Asserts the import failed with one problem at (row, column) matching `text`, and wrote nothing. */
function expectRejected(report: ImportReport, row: number, column: string, text: RegExp, before: unknown[] = []): ImportProblem {
  return expectRejectedFrom(report, row, column, text, all, before);
}

describe("importUnits: the sample province", () => {
  it("imports the Department, 3 offices, 12 schools under them and 3 units directly under the Department", () => {
    const report = run(SAMPLE);
    expect(report).toEqual({ ok: true, created: 19, updated: 0, unchanged: 0, problems: [] });
    const rows = all();
    expect(rows).toHaveLength(19);
    const ids = new Map(rows.map((u) => [u.code, u.id]));
    const sgd = byCode("SGDDT");
    expect(sgd).toMatchObject({ type: "department", level: null, parentId: null });
    expect(rows.filter((u) => u.type === "office").map((u) => [u.code, u.parentId])).toEqual([
      ["PGD-VT", sgd?.id],
      ["PGD-BR", sgd?.id],
      ["PGD-XM", sgd?.id],
    ]);
    expect(rows.filter((u) => u.type === "school" && u.parentId === sgd?.id).map((u) => u.code)).toEqual(["THPT-VT", "THPT-CT", "GDTX-TINH"]);
    expect(rows.filter((u) => u.parentId === ids.get("PGD-XM"))).toHaveLength(4);
    expect(byCode("THPT-VT")).toMatchObject({
      name: "Trường THPT Vũng Tàu",
      nameFolded: "truong thpt vung tau",
      type: "school",
      level: "thpt",
      createdAt: T0.getTime(),
      updatedAt: T0.getTime(),
    });
    expect(byCode("PGD-VT")?.nameFolded).toBe("phong gddt thanh pho vung tau");
    expect(byCode("GDTX-TINH")?.level).toBe("gdtx");
  });

  it("re-importing the same file changes nothing", () => {
    run(SAMPLE, T0);
    const before = all();
    expect(run(SAMPLE, T1)).toEqual({ ok: true, created: 0, updated: 0, unchanged: 19, problems: [] });
    expect(all()).toEqual(before);
  });

  it("updates changed units by code, keeping their id and createdAt", () => {
    run(SAMPLE, T0);
    const old = byCode("THCS-NGUYENDU-XM");
    const edited = SAMPLE.replace("Trường THCS Nguyễn Du,school,thcs,PGD-XM", "Trường THCS Nguyễn Du,school,thcs,PGD-BR").replace(
      "Trường THPT Châu Thành,",
      "Trường THPT Châu Thành (Bà Rịa),",
    );
    const extra = `${edited}THPT-XM,Trường THPT Xuyên Mộc,school,thpt,SGDDT\n`;
    expect(run(extra, T1)).toEqual({ ok: true, created: 1, updated: 2, unchanged: 17, problems: [] });
    expect(byCode("THCS-NGUYENDU-XM")).toMatchObject({
      id: old?.id,
      parentId: byCode("PGD-BR")?.id,
      createdAt: T0.getTime(),
      updatedAt: T1.getTime(),
    });
    expect(byCode("THPT-CT")).toMatchObject({ name: "Trường THPT Châu Thành (Bà Rịa)", nameFolded: "truong thpt chau thanh ba ria" });
    expect(byCode("THPT-VT")?.updatedAt).toBe(T0.getTime());
    expect(byCode("THPT-XM")).toMatchObject({ createdAt: T1.getTime(), parentId: byCode("SGDDT")?.id });
  });

  it("inserts parents before children whatever the order of the rows", () => {
    const report = run(
      csv("TH-A,Trường Tiểu học A,school,tieu_hoc,PGD-VT", "PGD-VT,Phòng GDĐT Thành phố Vũng Tàu,office,,SGDDT", "SGDDT,Sở GDĐT,department,,"),
    );
    expect(report.ok).toBe(true);
    expect(byCode("TH-A")?.parentId).toBe(byCode("PGD-VT")?.id);
    expect(byCode("PGD-VT")?.parentId).toBe(byCode("SGDDT")?.id);
  });

  it("accepts parents already in the database and leaves units missing from the file alone", () => {
    run(SAMPLE);
    const report = run(csv("TH-MOI-VT,Trường Tiểu học Mới,school,tieu_hoc,PGD-VT"), T1);
    expect(report).toEqual({ ok: true, created: 1, updated: 0, unchanged: 0, problems: [] });
    expect(all()).toHaveLength(20);
    expect(byCode("TH-MOI-VT")?.parentId).toBe(byCode("PGD-VT")?.id);
  });
});

describe("importUnits: what spreadsheets really contain", () => {
  it("normalises NFD text, stray spaces and inner runs of whitespace", () => {
    const nfd = csv(
      ...BASE,
      ` THPT-VT ,  ${"Trường   THPT  Vũng Tàu".normalize("NFD")}  , school , ${"THPT".normalize("NFD")} ,  SGDDT `,
      `MN-A,${"Trường Mầm non Hoa Phượng".normalize("NFD")},${"Trường".normalize("NFD")},${"Mầm non".normalize("NFD")},PGD-VT`,
    );
    expect(run(nfd)).toMatchObject({ ok: true, created: 4 });
    const school = byCode("THPT-VT");
    expect(school).toMatchObject({ name: "Trường THPT Vũng Tàu", nameFolded: "truong thpt vung tau", level: "thpt" });
    expect(school?.name).toBe("Trường THPT Vũng Tàu".normalize("NFC"));
    expect(school?.parentId).toBe(byCode("SGDDT")?.id);
    expect(byCode("MN-A")).toMatchObject({ name: "Trường Mầm non Hoa Phượng", type: "school", level: "mam_non" });
    // The same units typed in NFC without the extra spaces are the same units.
    const nfc = csv(...BASE, "THPT-VT,Trường THPT Vũng Tàu,school,thpt,SGDDT", "MN-A,Trường Mầm non Hoa Phượng,school,mam_non,PGD-VT");
    expect(run(nfc, T1)).toMatchObject({ ok: true, created: 0, updated: 0, unchanged: 4 });
  });

  it("accepts Vietnamese headers and values, with or without tone marks, in any case", () => {
    const file = [
      "STT;MÃ ĐƠN VỊ;Tên đơn vị;loại đơn vị;Cấp học;Mã đơn vị cấp trên;Địa chỉ",
      "1;SGDDT;Sở Giáo dục và Đào tạo;Sở;;;Số 1 Phạm Văn Đồng, Bà Rịa",
      "2;PGD-VT;Phòng GDĐT Thành phố Vũng Tàu;Phòng GDĐT;;SGDDT;",
      "3;PGD-BR;Phòng GDĐT Thành phố Bà Rịa;phong;;SGDDT;",
      "4;MN-A;Trường Mầm non Sao Mai;Trường;Mầm non;PGD-VT;",
      "5;TH-A;Trường Tiểu học Thắng Nhất;truong;tieu hoc;PGD-VT;",
      "6;THCS-A;Trường THCS Văn Lang;TRƯỜNG;thcs;PGD-BR;",
      "7;THPT-A;Trường THPT Vũng Tàu;Trường;THPT;SGDDT;",
      "8;GDTX-A;Trung tâm GDTX tỉnh;Trung tâm;TT GDTX;SGDDT;",
      "9;GDTX-B;Trung tâm GDTX Xuyên Mộc;trung tam;GDTX;SGDDT;",
    ].join("\r\n");
    expect(run(file)).toEqual({ ok: true, created: 9, updated: 0, unchanged: 0, problems: [] });
    expect(all().map((u) => [u.code, u.type, u.level])).toEqual([
      ["SGDDT", "department", null],
      ["PGD-VT", "office", null],
      ["PGD-BR", "office", null],
      ["MN-A", "school", "mam_non"],
      ["TH-A", "school", "tieu_hoc"],
      ["THCS-A", "school", "thcs"],
      ["THPT-A", "school", "thpt"],
      ["GDTX-A", "school", "gdtx"],
      ["GDTX-B", "school", "gdtx"],
    ]);
  });

  it("accepts the other Vietnamese header spellings", () => {
    const rows = [
      ["Mã trường", "Tên trường", "Loại", "Cấp", "Đơn vị cấp trên"],
      ["SGDDT", "Sở GDĐT", "So", "", ""],
      ["THPT-A", "Trường THPT A", "Truong", "Trung học phổ thông", "SGDDT"],
    ];
    expect(run(rows)).toMatchObject({ ok: true, created: 2 });
    const short = [
      ["Ma", "Ten", "Loai", "Cap hoc", "Ma cap tren"],
      ["THPT-B", "Trường THPT B", "Trường", "THPT", "SGDDT"],
    ];
    expect(run(short)).toMatchObject({ ok: true, created: 1 });
  });

  it("reads a semicolon-delimited file with a UTF-8 BOM and CRLF line ends", () => {
    const file = `\uFEFFcode;name;type;level;parent_code\r\nSGDDT;Sở GDĐT;department;;\r\nTHPT-VT;Trường THPT Vũng Tàu;school;thpt;SGDDT\r\n`;
    expect(run(file)).toMatchObject({ ok: true, created: 2 });
    expect(byCode("SGDDT")?.name).toBe("Sở GDĐT");
    expect(byCode("THPT-VT")?.name).toBe("Trường THPT Vũng Tàu");
  });

  it("reads a quoted field with a comma and a doubled quote", () => {
    const file = csv(...BASE, `THPT-LQD,"Trường THPT chuyên ""Lê Quý Đôn"", Vũng Tàu",school,thpt,SGDDT`);
    expect(run(file)).toMatchObject({ ok: true, created: 3 });
    expect(byCode("THPT-LQD")).toMatchObject({
      name: 'Trường THPT chuyên "Lê Quý Đôn", Vũng Tàu',
      nameFolded: "truong thpt chuyen le quy don vung tau",
    });
  });

  it("skips blank rows, and counts rows by file line even when a quoted name spans two lines", () => {
    const file = csv("SGDDT,Sở GDĐT,department,,", "", ",,,,", `THPT-A,"Trường THPT\nVũng Tàu",school,thpt,SGDDT`, "THPT-B,Trường THPT B,school,cap 4,SGDDT");
    const report = run(file);
    expect(formatProblem(expectRejected(report, 7, "level", /unknown level/))).toBe('row 7, column level: unknown level "cap 4"');
    expect(run(file.replace("cap 4", "thpt"))).toMatchObject({ ok: true, created: 3 });
    expect(byCode("THPT-A")?.name).toBe("Trường THPT Vũng Tàu");
  });
});

describe("importUnits: bad input is reported with row and column, and nothing is written", () => {
  it("missing required columns are reported once, on row 1", () => {
    const report = run([["Mã", "Tên", "Cấp học"], ["A", "Trường A", "THPT"], ["B", "Trường B", "THCS"]]);
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => [p.row, p.column])).toEqual([
      [1, "type"],
      [1, "parent_code"],
    ]);
    expect(report.problems[0]?.problem).toMatch(/missing column "type"/);
    expect(all()).toEqual([]);
  });

  it("a missing level column is reported once when the file has schools", () => {
    const report = run([["code", "name", "type", "parent_code"], ["SGDDT", "Sở", "department", ""], ["A", "Trường A", "school", "SGDDT"], ["B", "Trường B", "school", "SGDDT"]]);
    expectRejected(report, 1, "level", /missing column "level"/);
    expect(report.problems).toHaveLength(1);
    // Without schools the level column is not needed.
    expect(run([["code", "name", "type", "parent_code"], ["SGDDT", "Sở", "department", ""]])).toMatchObject({ ok: true, created: 1 });
  });

  it("a column given twice is reported on row 1", () => {
    expectRejected(run([["code", "Mã đơn vị", "name", "type", "level", "parent_code"], ["A", "A", "Sở", "department", "", ""]]), 1, "code", /repeats/);
  });

  it("empty code and empty name", () => {
    const report = run(csv(...BASE, ",Trường THPT A,school,thpt,SGDDT", "THPT-B,  ,school,thpt,SGDDT"));
    expectRejected(report, 4, "code", /code is empty/);
    expectRejected(report, 5, "name", /name is empty/);
  });

  it("unknown or empty type, unknown level, level on an office", () => {
    const report = run(
      csv(...BASE, "A,Trường A,trường học cũ,thpt,SGDDT", "B,Trường B,school,cap 4,SGDDT", "C,Trường C,,thpt,SGDDT", "PGD-X,Phòng X,office,THCS,SGDDT"),
    );
    expect(formatProblem(expectRejected(report, 4, "type", /unknown type/))).toBe('row 4, column type: unknown type "trường học cũ"');
    expect(formatProblem(expectRejected(report, 5, "level", /unknown level/))).toBe('row 5, column level: unknown level "cap 4"');
    expectRejected(report, 6, "type", /type is empty/);
    expectRejected(report, 7, "level", /must be empty for an office/);
  });

  it("a school without level", () => {
    expectRejected(run(csv(...BASE, "TH-A,Trường Tiểu học A,school,,PGD-VT")), 4, "level", /needs a level/);
  });

  it("duplicate codes in the file, also when they differ only in letter case", () => {
    const report = run(csv(...BASE, "TH-A,Trường A,school,tieu_hoc,PGD-VT", "TH-A,Trường A bis,school,tieu_hoc,PGD-VT", "th-a,Trường a,school,tieu_hoc,PGD-VT"));
    expectRejected(report, 5, "code", /duplicate code "TH-A" \(first on row 4\)/);
    expectRejected(report, 6, "code", /letter case/);
  });

  it("a parent that is neither in the file nor in the database", () => {
    const report = run(csv(...BASE, "TH-A,Trường A,school,tieu_hoc,PGD-XX", "TH-B,Trường B,school,tieu_hoc,pgd-vt"));
    expectRejected(report, 4, "parent_code", /unknown parent "PGD-XX"/);
    expectRejected(report, 5, "parent_code", /did you mean "PGD-VT"/);
  });

  it("a unit that is its own parent or ancestor, within the file", () => {
    const report = run(csv(...BASE, "PGD-A,Phòng A,office,,PGD-B", "PGD-B,Phòng B,office,,PGD-A", "PGD-C,Phòng C,office,,PGD-C"));
    expectRejected(report, 4, "parent_code", /"PGD-A" is its own ancestor: PGD-A → PGD-B → PGD-A/);
    expectRejected(report, 5, "parent_code", /its own ancestor/);
    expectRejected(report, 6, "parent_code", /its own parent/);
  });

  it("a cycle through units already in the database", () => {
    run(SAMPLE);
    const before = all();
    // TH-THANGNHAT-VT stays in the database under PGD-VT; moving PGD-VT under it closes a loop.
    const report = run(csv("PGD-VT,Phòng GDĐT Thành phố Vũng Tàu,office,,TH-THANGNHAT-VT"), T1);
    expectRejected(report, 2, "parent_code", /PGD-VT → TH-THANGNHAT-VT → PGD-VT/, before);
  });

  it("a unit under a school, and a department under another unit", () => {
    const report = run(csv(...BASE, "TH-A,Trường A,school,tieu_hoc,PGD-VT", "TH-B,Điểm trường B,school,tieu_hoc,TH-A", "SGD-2,Sở khác,department,,PGD-VT"));
    expectRejected(report, 5, "parent_code", /is a school/);
    expectRejected(report, 6, "parent_code", /department cannot be under/);
  });

  it("more than one department, in the file or with the database", () => {
    expectRejected(run(csv(...BASE, "SGD-2,Sở Giáo dục khác,Sở,,")), 4, "type", /more than one department: "SGD-2" and "SGDDT" \(row 2\)/);
    run(SAMPLE);
    const before = all();
    expectRejected(run(csv("SGD-MOI,Sở GDĐT tỉnh mới,department,,"), T1), 2, "type", /"SGDDT" \(already in the database\)/, before);
  });

  it("collects every problem of the file, in row order", () => {
    const report = run(csv(...BASE, ",,bad,bad,", "X,Trường X,school,,NOWHERE", "X,Trường X,school,thpt,ELSEWHERE"));
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => `${p.row}:${p.column}`)).toEqual([
      "4:code",
      "4:name",
      "4:type",
      "4:level",
      "5:level",
      "5:parent_code",
      "6:code",
      "6:parent_code",
    ]);
    expect(all()).toEqual([]);
  });

  it("a quoted field that never closes, an empty file, a header without rows", () => {
    expectRejected(run(csv(...BASE, 'TH-A,"Trường A,school,tieu_hoc,PGD-VT')), 4, "", /never closed/);
    expectRejected(run(""), 1, "", /empty/);
    expectRejected(run(`${HEADER}\n`), 1, "", /no units/);
  });
});

describe("importUnits: dry run", () => {
  it("validates and counts but writes nothing", () => {
    expect(run(SAMPLE, T0, true)).toEqual({ ok: true, created: 19, updated: 0, unchanged: 0, problems: [] });
    expect(all()).toEqual([]);
    run(SAMPLE, T0);
    const before = all();
    const edited = SAMPLE.replace("Trường THPT Vũng Tàu", "Trường THPT Vũng Tàu (cơ sở 1)");
    expect(run(`${edited}TH-NEW,Trường Tiểu học Mới,school,tieu_hoc,PGD-VT\n`, T1, true)).toEqual({
      ok: true,
      created: 1,
      updated: 1,
      unchanged: 18,
      problems: [],
    });
    expect(all()).toEqual(before);
    expectRejected(run(csv("A,Trường A,school,,SGDDT"), T1, true), 2, "level", /needs a level/, before);
  });
});

describe("parseCsv", () => {
  it("detects the delimiter from the header line only", () => {
    expect(parseCsv("a;b;c\n1,5;2;3\n").records.map((r) => r.fields)).toEqual([["a", "b", "c"], ["1,5", "2", "3"]]);
    expect(parseCsv('"x;y",b\n1;2,3').records.map((r) => r.fields)).toEqual([["x;y", "b"], ["1;2", "3"]]);
    expect(parseCsv("single\nvalue").delimiter).toBe(",");
  });

  it("handles quotes, doubled quotes, CRLF, lone CR and line breaks inside quotes, with record line numbers", () => {
    const { records } = parseCsv('\uFEFFa,b\r\n"1, ""one""","multi\r\nline"\r\n\r\nx,\ry,"" \n');
    expect(records).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ['1, "one"', "multi\nline"] },
      { line: 4, fields: [""] },
      { line: 5, fields: ["x", ""] },
      { line: 6, fields: ["y", " "] },
    ]);
  });

  it("throws CsvError naming the line of a quote that never closes", () => {
    expect(() => parseCsv('a,b\n1,"open\n2,3\n')).toThrow(CsvError);
    try {
      parseCsv('a,b\n1,"open\n2,3\n');
    } catch (error) {
      expect((error as CsvError).line).toBe(2);
    }
  });
});

describe("npm run import", () => {
  const pexec = promisify(execFile);
  const dir = mkdtempSync(join(tmpdir(), "sogd-import-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cli = async (args: string[], dbName = "cli.db") => {
    try {
      const { stdout, stderr } = await pexec(join(ROOT, "node_modules", ".bin", "tsx"), [join(ROOT, "src", "cli", "import.ts"), ...args], {
        cwd: ROOT,
        env: { ...process.env, ...databaseEnv(join(dir, dbName)), LOG_LEVEL: "silent" },
        timeout: 60_000,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it("dry-runs, imports, re-imports, and reports problems with exit code 1", async () => {
    const sample = join(ROOT, "test", "fixtures", "units-sample.csv");
    const dry = await cli(["units", sample, "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/Dry run.*19 created, 0 updated, 0 unchanged/);
    const first = await cli(["units", sample]);
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toMatch(/19 created/);
    expect((await cli(["units", sample])).stdout).toMatch(/0 created, 0 updated, 19 unchanged/);

    const bad = join(dir, "bad.csv");
    writeFileSync(bad, csv("TH-X,Trường X,school,tieu_hoc,PGD-VT", "TH-Y,Trường Y,school,tieu_hoc,PGD-VT", "TH-Z,Trường Z,school,tieu_hoc,PGD-VT", "TH-W,Trường W,school,tieu_hoc,PGD-VT", "TH-V,Trường V,school,tieu_hoc,PGD-VT", "TH-U,Trường U,school,cap 4,PGD-VT"));
    const failed = await cli(["units", bad]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('row 7, column level: unknown level "cap 4"');
    expect(failed.stdout).toMatch(/1 problem; nothing was imported/);
  }, 120_000);

  it("reads a Windows-1258 CSV (Excel's \"CSV\" on a Vietnamese Windows) as Vietnamese; refuses unknown commands or options", async () => {
    const latin = join(dir, "cp1258.csv");
    writeFileSync(latin, windows1258(`${HEADER}\n${BASE.join("\n")}\nTH-DN,Trường Tiểu học Đồng Nai – Quỳnh Hương,school,Tiểu học,PGD-VT\n`));
    const [imported, unknown, typo] = await Promise.all([
      cli(["units", latin], "cp1258.db"),
      cli(["schools", latin]),
      cli(["units", latin, "--dryrun"]),
    ]);
    expect(imported, imported.stderr).toMatchObject({ code: 0 });
    expect(imported.stdout).toMatch(/Windows-1258/);
    expect(imported.stdout).toMatch(/3 created/);
    const check = openDatabase(testDatabase(join(dir, "cp1258.db")));
    try {
      expect(check.db.select({ code: units.code, name: units.name, level: units.level }).from(units).orderBy(asc(units.id)).all()).toEqual([
        { code: "SGDDT", name: "Sở Giáo dục và Đào tạo", level: null },
        { code: "PGD-VT", name: "Phòng GDĐT Thành phố Vũng Tàu", level: null },
        { code: "TH-DN", name: "Trường Tiểu học Đồng Nai – Quỳnh Hương", level: "tieu_hoc" },
      ]);
    } finally {
      check.close();
    }
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/usage/);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown option --dryrun/);
  }, 60_000);
});

describe("importUnits: problem codes", () => {
  it("names each problem with a stable code and its values", () => {
    const database = openDatabase(testDatabase(":memory:"));
    try {
      const report = importUnits(
        database,
        ["code,name,type,level,parent_code", "SGDDT,Sở,department,,", "PGD-A,Phòng A,office,thcs,SGDDT", "TH-1,Trường 1,school,tieu_hoc,pgd-a", "TH-1,Trường 1 lặp,school,tieu_hoc,SGDDT", "TH-2,Trường 2,school,,TH-1"].join("\n"),
        { dryRun: true, now: new Date("2026-01-01T00:00:00Z") },
      );
      expect(report.problems.map(({ row, column, code, params }) => ({ row, column, code, params }))).toEqual([
        { row: 3, column: "level", code: "level_not_allowed", params: { type: "office", value: "thcs" } },
        { row: 4, column: "parent_code", code: "unknown_parent_near", params: { value: "pgd-a", suggestion: "PGD-A" } },
        { row: 5, column: "code", code: "duplicate", params: { value: "TH-1", firstRow: 4 } },
        { row: 6, column: "level", code: "level_required", params: undefined },
        { row: 6, column: "parent_code", code: "parent_is_school", params: { value: "TH-1" } },
      ]);
    } finally {
      database.close();
    }
  });
});
