import { expectRejected as expectRejectedFrom } from "./support/import-assertions.js";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { asc, eq } from "drizzle-orm";
import ExcelJS, { type CellValue } from "exceljs";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteConversationStore } from "../src/db/conversation-store.js";
import { openDatabase, type OpenDatabase } from "../src/db/database.js";
import { people, units, userUnits, users } from "../src/db/schema.js";
import { importPeople, parseEmail, parsePersonRole, parsePhone } from "../src/registry/people-import.js";
import { formatProblem, importUnits, type ImportProblem, type ImportReport } from "../src/registry/units-import.js";
import { cellText, readSheetRows } from "../src/registry/xlsx.js";
import { testDatabase, databaseEnv } from "./support/engine.js";

const ROOT = join(import.meta.dirname, "..");
const UNITS = readFileSync(join(ROOT, "test", "fixtures", "units-sample.csv"), "utf8");
const SAMPLE = readFileSync(join(ROOT, "test", "fixtures", "people-sample.csv"), "utf8");
const T0 = new Date("2025-09-01T08:00:00+07:00");
const T1 = new Date("2025-10-01T08:00:00+07:00");
const HEADER = "ref,name,role,unit_code,phone,email";

let database: OpenDatabase;
beforeEach(() => {
  database = openDatabase(testDatabase(":memory:"));
  expect(importUnits(database, UNITS, { dryRun: false, now: T0 })).toMatchObject({ ok: true, created: 19 });
});
afterEach(() => database.close());

const run = (input: string | string[][], now = T0, dryRun = false): ImportReport =>
  importPeople(database, input, { dryRun, now });
const all = () => database.db.select().from(people).orderBy(asc(people.id)).all();
const byRef = (ref: string) => all().find((p) => p.ref === ref);
const unitId = (code: string) => database.db.select().from(units).where(eq(units.code, code)).get()?.id;
const csv = (...lines: string[]) => `${[HEADER, ...lines].join("\n")}\n`;

/** Asserts the import failed with one problem at (row, column) matching `text`, and wrote nothing. */
function expectRejected(report: ImportReport, row: number, column: string, text: RegExp, before: unknown[] = []): ImportProblem {
  return expectRejectedFrom(report, row, column, text, all, before);
}

describe("importPeople: the sample province", () => {
  it("imports 2 Department staff, 5 office staff, 15 school leaders and 13 IT leads", () => {
    expect(run(SAMPLE)).toEqual({ ok: true, created: 35, updated: 0, unchanged: 0, problems: [] });
    const rows = all();
    expect(rows).toHaveLength(35);
    const count = (role: string) => rows.filter((p) => p.role === role).length;
    expect([count("department_staff"), count("office_staff"), count("school_leader"), count("it_lead")]).toEqual([2, 5, 15, 13]);
    expect(byRef("CB0001")).toMatchObject({
      name: "Nguyễn Văn Hùng",
      role: "department_staff",
      unitId: unitId("SGDDT"),
      phone: "02543852123",
      email: "nvhung@baria-vungtau.edu.vn",
      userId: null,
      linkedAt: null,
      createdAt: T0.getTime(),
      updatedAt: T0.getTime(),
    });
    expect(byRef("CB0002")?.phone).toBe("0912345678");
    expect(byRef("CB0004")).toMatchObject({ unitId: unitId("PGD-VT"), email: null });
    expect(byRef("CB0005")?.phone).toBe("+84918222333");
    expect(byRef("CB0007")?.phone).toBeNull();
    expect(byRef("CB0035")).toMatchObject({ role: "it_lead", unitId: unitId("GDTX-TINH") });
  });

  it("re-importing the same file changes nothing and never duplicates", () => {
    run(SAMPLE, T0);
    const before = all();
    expect(run(SAMPLE, T1)).toEqual({ ok: true, created: 0, updated: 0, unchanged: 35, problems: [] });
    expect(all()).toEqual(before);
  });

  it("updates changed people by ref, keeping their id and createdAt, and leaves people missing from the file alone", () => {
    run(SAMPLE, T0);
    const old = byRef("CB0011");
    const file = csv(
      "CB0011,Lý Thị Thanh Tâm,school_leader,TH-THANGNHAT-VT,0909 234 011,LTTam@ThangNhat.edu.vn",
      "CB0036,Nguyễn Văn Mới,it_lead,MN-LONGHUONG-BR,,",
      "CB0009,Bùi Thị Kim Oanh,it_lead,MN-SAOMAI-VT,0908 123 002,btkoanh@mnsaomai.edu.vn",
    );
    expect(run(file, T1)).toEqual({ ok: true, created: 1, updated: 1, unchanged: 1, problems: [] });
    expect(all()).toHaveLength(36);
    expect(byRef("CB0011")).toMatchObject({
      id: old?.id,
      role: "school_leader",
      email: "LTTam@thangnhat.edu.vn",
      createdAt: T0.getTime(),
      updatedAt: T1.getTime(),
    });
    expect(byRef("CB0009")?.updatedAt).toBe(T0.getTime());
    expect(byRef("CB0036")).toMatchObject({ createdAt: T1.getTime(), phone: null, email: null });
  });

  it("without phone or e-mail columns keeps the stored values; an empty cell clears them", () => {
    run(SAMPLE, T0);
    expect(run([["ref", "name", "role", "unit_code"], ["CB0001", "Nguyễn Văn Hùng", "department_staff", "SGDDT"]], T1)).toMatchObject({
      ok: true,
      unchanged: 1,
    });
    expect(byRef("CB0001")).toMatchObject({ phone: "02543852123", email: "nvhung@baria-vungtau.edu.vn" });
    expect(run(csv("CB0001,Nguyễn Văn Hùng,department_staff,SGDDT,,"), T1)).toMatchObject({ ok: true, updated: 1 });
    expect(byRef("CB0001")).toMatchObject({ phone: null, email: null, updatedAt: T1.getTime() });
  });
});

describe("importPeople: what spreadsheets really contain", () => {
  it("accepts Vietnamese headers and roles, with or without tone marks, in any case", () => {
    const file = [
      "STT;MÃ CÁN BỘ;Họ và tên;Chức vụ;Mã trường;SĐT;Thư điện tử;Ghi chú",
      "1;CB0101;Nguyễn Văn An;Hiệu trưởng;THPT-VT;0918 000 101;an@thptvungtau.edu.vn;",
      "2;CB0102;Trần Thị Bình;Phó hiệu trưởng;THPT-VT;;;kiêm nhiệm",
      "3;CB0103;Lê Văn Cường;ban giam hieu;THPT-CT;;;",
      "4;CB0104;Phạm Thị Dung;Lãnh đạo;THPT-CT;;;",
      "5;CB0105;Hoàng Văn Em;Phụ trách CNTT;THCS-HKN-VT;;;",
      "6;CB0106;Vũ Thị Gấm;Giáo viên Tin học;THCS-VANLANG-VT;;;",
      "7;CB0107;Đỗ Văn Hải;GV tin học;TH-KIMDONG-BR;;;",
      "8;CB0108;Bùi Thị Hoa;Chuyên viên phòng;PGD-BR;;;",
      "9;CB0109;Ngô Văn Ích;CHUYÊN VIÊN PHÒNG GDĐT;PGD-XM;;;",
      "10;CB0110;Đặng Thị Kim;Chuyên viên Sở;SGDDT;;;",
      "11;CB0111;Mai Văn Lâm;can bo so;SGDDT;;;",
      "12;CB0112;Lý Thị Mến;IT_LEAD;MN-SAOMAI-VT;;;",
    ].join("\r\n");
    expect(run(file)).toEqual({ ok: true, created: 12, updated: 0, unchanged: 0, problems: [] });
    expect(all().map((p) => p.role)).toEqual([
      "school_leader",
      "school_leader",
      "school_leader",
      "school_leader",
      "it_lead",
      "it_lead",
      "it_lead",
      "office_staff",
      "office_staff",
      "department_staff",
      "department_staff",
      "it_lead",
    ]);
    expect(byRef("CB0101")).toMatchObject({ name: "Nguyễn Văn An", phone: "0918000101", email: "an@thptvungtau.edu.vn" });
  });

  it("accepts the other Vietnamese header spellings; a unit name column beside the unit code is ignored", () => {
    const rows = [
      ["Mã định danh", "Họ tên", "Vai trò", "Đơn vị", "Điện thoại", "Email"],
      ["CB0201", "Trần Văn Nam", "Hieu truong", "THPT-VT", "+84 918 000 201", "nam@thptvungtau.edu.vn"],
    ];
    expect(run(rows)).toMatchObject({ ok: true, created: 1 });
    expect(byRef("CB0201")).toMatchObject({ unitId: unitId("THPT-VT"), phone: "+84918000201" });
    const short = [
      ["Mã", "Tên", "Vai trò", "Đơn vị", "Mã đơn vị", "E-mail"],
      ["CB0202", "Lê Thị Oanh", "Chuyên viên Sở", "Sở Giáo dục và Đào tạo", "SGDDT", ""],
    ];
    expect(run(short)).toMatchObject({ ok: true, created: 1 });
    expect(byRef("CB0202")).toMatchObject({ name: "Lê Thị Oanh", unitId: unitId("SGDDT") });
  });

  it("normalises NFD text and stray spaces, so the same person typed in NFC is unchanged", () => {
    const nfd = csv(` CB0301 ,  ${"Nguyễn   Thị  Ánh".normalize("NFD")} , ${"Hiệu trưởng".normalize("NFD")} , THPT-VT , 0918 000 301 , a@b.vn `);
    expect(run(nfd)).toMatchObject({ ok: true, created: 1 });
    expect(byRef("CB0301")?.name).toBe("Nguyễn Thị Ánh".normalize("NFC"));
    expect(run(csv("CB0301,Nguyễn Thị Ánh,school_leader,THPT-VT,0918000301,a@b.vn"), T1)).toMatchObject({ ok: true, unchanged: 1 });
  });
});

describe("importPeople: bad input is reported with row and column, and nothing is written", () => {
  it("missing required columns are reported on row 1", () => {
    const report = run([["Mã cán bộ", "Họ và tên", "SĐT"], ["CB1", "A", ""]]);
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => [p.row, p.column])).toEqual([
      [1, "role"],
      [1, "unit_code"],
    ]);
    expect(report.problems[0]?.problem).toMatch(/missing column "role" \(or "vai tro", "chuc vu"/);
    expect(all()).toEqual([]);
  });

  it("a column given twice, and a name split into family and given name", () => {
    expectRejected(run([["ref", "Mã cán bộ", "name", "role", "unit_code"], ["CB1", "CB1", "A", "it_lead", "THPT-VT"]]), 1, "ref", /repeats/);
    expectRejected(run([["Mã", "Họ đệm", "Tên", "Vai trò", "Mã đơn vị"], ["CB1", "Nguyễn Văn", "An", "it_lead", "THPT-VT"]]), 1, "name", /split into "Họ đệm" and "Tên"/);
  });

  it("empty ref, empty name, empty or unknown role, empty unit", () => {
    const report = run(csv(",Nguyễn Văn A,it_lead,THPT-VT,,", "CB2,  ,it_lead,THPT-VT,,", "CB3,Nguyễn Văn C,,THPT-VT,,", "CB4,Nguyễn Văn D,Bảo vệ,THPT-VT,,", "CB5,Nguyễn Văn E,it_lead,,,"));
    expectRejected(report, 2, "ref", /ref is empty/);
    expectRejected(report, 3, "name", /name is empty/);
    expectRejected(report, 4, "role", /role is empty/);
    expect(formatProblem(expectRejected(report, 5, "role", /unknown role/))).toBe('row 5, column role: unknown role "Bảo vệ"');
    expectRejected(report, 6, "unit_code", /unit_code is empty/);
  });

  it("a unit that is not in the database", () => {
    const report = run(csv("CB1,Nguyễn Văn A,it_lead,THPT-XX,,", "CB2,Nguyễn Văn B,it_lead,thpt-vt,,"));
    expectRejected(report, 2, "unit_code", /unknown unit "THPT-XX"/);
    expectRejected(report, 3, "unit_code", /did you mean "THPT-VT"/);
  });

  it("a role in the wrong type of unit", () => {
    const report = run(
      csv("CB1,A,it_lead,PGD-VT,,", "CB2,B,school_leader,SGDDT,,", "CB3,C,office_staff,THPT-VT,,", "CB4,D,department_staff,PGD-BR,,", "CB5,E,Chuyên viên Sở,TH-KIMDONG-BR,,"),
    );
    expect(formatProblem(expectRejected(report, 2, "role", /must belong to a school/))).toBe(
      'row 2, column role: an IT lead must belong to a school, but "PGD-VT" is an office',
    );
    expectRejected(report, 3, "role", /a school leader must belong to a school, but "SGDDT" is the Department/);
    expectRejected(report, 4, "role", /office staff must belong to an office, but "THPT-VT" is a school/);
    expectRejected(report, 5, "role", /Department staff must belong to the Department/);
    expectRejected(report, 6, "role", /Department staff must belong to the Department/);
  });

  it("duplicate refs in the file, also when they differ only in letter case, and a case-only twin in the database", () => {
    const report = run(csv("CB1,A,it_lead,THPT-VT,,", "CB1,A bis,it_lead,THPT-VT,,", "cb1,a,it_lead,THPT-VT,,"));
    expectRejected(report, 3, "ref", /duplicate ref "CB1" \(first on row 2\)/);
    expectRejected(report, 4, "ref", /letter case/);
    run(SAMPLE);
    const before = all();
    expectRejected(run(csv("cb0001,Nguyễn Văn Hùng,department_staff,SGDDT,,"), T1), 2, "ref", /differs only in letter case from "CB0001"/, before);
  });

  it("malformed phones and e-mails", () => {
    const report = run(
      csv(
        "CB1,A,it_lead,THPT-VT,0912-345-678,",
        "CB2,B,it_lead,THPT-VT,091 234 567,",
        "CB3,C,it_lead,THPT-VT,912345678,",
        "CB4,D,it_lead,THPT-VT,+1 202 555 0100,",
        "CB5,E,it_lead,THPT-VT,0912345678 / 0987654321,",
        "CB6,F,it_lead,THPT-VT,,a@b",
        "CB7,G,it_lead,THPT-VT,,nguyễn@truong.edu.vn",
        "CB8,H,it_lead,THPT-VT,,a..b@truong.edu.vn",
        "CB9,I,it_lead,THPT-VT,,a@truong.edu.vn; b@truong.edu.vn",
      ),
    );
    expect(formatProblem(expectRejected(report, 2, "phone", /malformed phone/))).toMatch(/^row 2, column phone: malformed phone "0912-345-678"/);
    expectRejected(report, 3, "phone", /a Vietnamese number/);
    expectRejected(report, 4, "phone", /leading 0 is missing/);
    expectRejected(report, 5, "phone", /malformed phone/);
    expectRejected(report, 6, "phone", /malformed phone/);
    expect(formatProblem(expectRejected(report, 7, "email", /malformed e-mail/))).toBe('row 7, column email: malformed e-mail "a@b"');
    expectRejected(report, 8, "email", /malformed e-mail/);
    expectRejected(report, 9, "email", /malformed e-mail/);
    expectRejected(report, 10, "email", /malformed e-mail/);
  });

  it("collects every problem of the file, in row and column order", () => {
    const report = run(csv(",,nobody,,12,x", "CB2,B,office_staff,NOWHERE,0912345678,", "CB2,B,it_lead,PGD-VT,,b@"));
    expect(report.problems.map((p) => `${p.row}:${p.column}`)).toEqual([
      "2:ref",
      "2:name",
      "2:role",
      "2:unit_code",
      "2:phone",
      "2:email",
      "3:unit_code",
      "4:ref",
      "4:role",
      "4:email",
    ]);
    expect(report.ok).toBe(false);
    expect(all()).toEqual([]);
  });

  it("a quoted field that never closes, an empty file, a header without rows", () => {
    expectRejected(run(csv('CB1,"Nguyễn Văn A,it_lead,THPT-VT,,')), 2, "", /never closed/);
    expectRejected(run(""), 1, "", /empty/);
    expectRejected(run(`${HEADER}\n,,,,,\n`), 1, "", /no people/);
  });
});

describe("importPeople: dry run", () => {
  it("validates and counts but writes nothing", () => {
    expect(run(SAMPLE, T0, true)).toEqual({ ok: true, created: 35, updated: 0, unchanged: 0, problems: [] });
    expect(all()).toEqual([]);
    run(SAMPLE, T0);
    const before = all();
    const edited = SAMPLE.replace("CB0002,Trần Thị Thu Hà", "CB0002,Trần Thị Thu Hằng");
    expect(run(`${edited}CB0036,Nguyễn Văn Mới,it_lead,MN-LONGHUONG-BR,,\n`, T1, true)).toEqual({
      ok: true,
      created: 1,
      updated: 1,
      unchanged: 34,
      problems: [],
    });
    expect(all()).toEqual(before);
    expectRejected(run(csv("CB0036,A,it_lead,SGDDT,,"), T1, true), 2, "role", /must belong to a school/, before);
  });
});

describe("importPeople: a person linked to a chat user", () => {
  const linkedUser = (ref: string) => {
    const user = new SqliteConversationStore(database.db).touchUser("telegram", `chat-${ref}`, T0);
    database.db.update(people).set({ userId: user.id, linkedAt: T0.getTime() }).where(eq(people.ref, ref)).run();
    database.db.update(users).set({ role: "it_lead" }).where(eq(users.id, user.id)).run();
    database.db.insert(userUnits).values({ userId: user.id, unitId: unitId("MN-SAOMAI-VT") as number, createdAt: T0.getTime() }).run();
    return user.id;
  };
  const memberships = (userId: number) =>
    database.db
      .select({ unitId: userUnits.unitId })
      .from(userUnits)
      .where(eq(userUnits.userId, userId))
      .orderBy(asc(userUnits.unitId))
      .all()
      .map((r) => r.unitId);
  const roleOf = (userId: number) => database.db.select().from(users).where(eq(users.id, userId)).get()?.role;

  it("keeps the link; the user's role and staff unit follow the person", () => {
    run(SAMPLE, T0);
    const userId = linkedUser("CB0009"); // it_lead at MN-SAOMAI-VT
    // The user also follows another school (as a parent): that stays.
    database.db.insert(userUnits).values({ userId, unitId: unitId("TH-KIMDONG-BR") as number, createdAt: T0.getTime() }).run();

    const moved = csv("CB0009,Bùi Thị Kim Oanh,Hiệu trưởng,TH-THANGNHAT-VT,0908 123 002,btkoanh@mnsaomai.edu.vn");
    expect(run(moved, T1, true)).toMatchObject({ ok: true, updated: 1 });
    expect(roleOf(userId)).toBe("it_lead");
    expect(memberships(userId)).toEqual([unitId("MN-SAOMAI-VT"), unitId("TH-KIMDONG-BR")].sort((a, b) => (a ?? 0) - (b ?? 0)));

    expect(run(moved, T1)).toEqual({ ok: true, created: 0, updated: 1, unchanged: 0, problems: [] });
    expect(byRef("CB0009")).toMatchObject({ userId, linkedAt: T0.getTime(), role: "school_leader", unitId: unitId("TH-THANGNHAT-VT") });
    expect(roleOf(userId)).toBe("school_leader");
    expect(memberships(userId)).toEqual([unitId("TH-THANGNHAT-VT"), unitId("TH-KIMDONG-BR")].sort((a, b) => (a ?? 0) - (b ?? 0)));

    // Again: nothing changes, no duplicate membership.
    expect(run(moved, T1)).toMatchObject({ ok: true, unchanged: 1 });
    expect(memberships(userId)).toHaveLength(2);
  });

  it("a person moved onto a unit the user already follows keeps one membership", () => {
    run(SAMPLE, T0);
    const userId = linkedUser("CB0009");
    database.db.insert(userUnits).values({ userId, unitId: unitId("THPT-VT") as number, createdAt: T0.getTime() }).run();
    expect(run(csv("CB0009,Bùi Thị Kim Oanh,it_lead,THPT-VT,,"), T1)).toMatchObject({ ok: true, updated: 1 });
    expect(memberships(userId)).toEqual([unitId("THPT-VT")]);
    expect(roleOf(userId)).toBe("it_lead");
  });
});

describe("parsePhone, parseEmail, parsePersonRole", () => {
  it("normalises Vietnamese numbers to digits with a leading 0 or +84", () => {
    expect(parsePhone("0912 345 678")).toEqual({ ok: true, phone: "0912345678" });
    expect(parsePhone("0912.345.678")).toEqual({ ok: true, phone: "0912345678" });
    expect(parsePhone("+84 912 345 678")).toEqual({ ok: true, phone: "+84912345678" });
    expect(parsePhone("+84 0912 345 678")).toEqual({ ok: true, phone: "+84912345678" });
    expect(parsePhone("84912345678")).toEqual({ ok: true, phone: "+84912345678" });
    expect(parsePhone("0254 3852 123")).toEqual({ ok: true, phone: "02543852123" });
    for (const bad of ["", "0123 456 789", "0912 345 6789", "(0254) 3852123", "+1 202 555 0100", "09123456a8", "+", "..."]) {
      expect(parsePhone(bad).ok, bad).toBe(false);
    }
  });

  it("checks e-mails and lower-cases the domain only", () => {
    expect(parseEmail("Nguyen.Van-A+tin@Truong.EDU.vn")).toBe("Nguyen.Van-A+tin@truong.edu.vn");
    for (const bad of ["a@b", "@b.vn", "a@.vn", "a b@c.vn", ".a@b.vn", "a@-b.vn", "mailto:a@b.vn"]) expect(parseEmail(bad), bad).toBeUndefined();
  });

  it("folds Vietnamese role names", () => {
    expect(parsePersonRole("PHÓ HIỆU TRƯỞNG")).toBe("school_leader");
    expect(parsePersonRole("Chuyen vien Phong GD-DT")).toBe("office_staff");
    expect(parsePersonRole("giáo viên")).toBeUndefined();
  });
});

describe("readSheetRows and npm run import with .xlsx files", () => {
  const pexec = promisify(execFile);
  const dir = mkdtempSync(join(tmpdir(), "sogd-people-"));
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
  const workbook = async (rows: CellValue[][], sheetName = "Cán bộ"): Promise<Buffer> => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet(sheetName);
    for (const row of rows) sheet.addRow(row);
    wb.addWorksheet("Ghi chú").addRow(["not read"]);
    return Buffer.from(await wb.xlsx.writeBuffer());
  };

  const PEOPLE_ROWS: CellValue[][] = [
    ["STT", "Mã cán bộ", "Họ và tên", "Chức vụ", "Mã đơn vị", "Số điện thoại", "Email", "Ngày cập nhật"],
    [1, "CB0401", "Nguyễn Văn Bình", "Hiệu trưởng", "THPT-VT", 84918000401, { text: "binh@thptvungtau.edu.vn", hyperlink: "mailto:binh@thptvungtau.edu.vn" }, new Date(Date.UTC(2025, 8, 1))],
    [2, "CB0402", "Trần Thị Cúc", "Phụ trách CNTT", "THPT-VT", "0918 000 402", null, new Date(Date.UTC(2025, 11, 31))],
    [3, "CB0403", { richText: [{ text: "Lê Văn " }, { text: "Dũng", font: { bold: true } }] }, "Chuyên viên Sở", "SGDDT", "", "", null],
  ];

  it("reads the first sheet as strings: dates as YYYY-MM-DD, numbers without .0, rich text and links as text", async () => {
    const rows = await readSheetRows(await workbook([...PEOPLE_ROWS, [], [4.5, { formula: "1+1", result: 2 }, true]]));
    expect(rows).toEqual([
      ["STT", "Mã cán bộ", "Họ và tên", "Chức vụ", "Mã đơn vị", "Số điện thoại", "Email", "Ngày cập nhật"],
      ["1", "CB0401", "Nguyễn Văn Bình", "Hiệu trưởng", "THPT-VT", "84918000401", "binh@thptvungtau.edu.vn", "2025-09-01"],
      ["2", "CB0402", "Trần Thị Cúc", "Phụ trách CNTT", "THPT-VT", "0918 000 402", "", "2025-12-31"],
      ["3", "CB0403", "Lê Văn Dũng", "Chuyên viên Sở", "SGDDT"],
      [],
      ["4.5", "2", "TRUE"],
    ]);
    expect(cellText({ error: "#N/A" })).toBe("#N/A");
    // A phone typed as a number has lost its 0 in the file itself: kept as digits, and the import says so.
    const lost = await readSheetRows(await workbook([["ref", "name", "role", "unit_code", "phone"], ["CB0404", "Võ Thị Én", "it_lead", "THPT-VT", 918000404]]));
    expect(lost[1]?.[4]).toBe("918000404");
    expectRejected(run(lost), 2, "phone", /leading 0 is missing/);
    expect(run(rows.slice(0, 4))).toMatchObject({ ok: true, created: 3 });
    expect(byRef("CB0401")).toMatchObject({ phone: "+84918000401", email: "binh@thptvungtau.edu.vn" });
  });

  it("imports units and people from .xlsx files through the CLI, reporting Excel row numbers", async () => {
    const unitsFile = join(dir, "don-vi.xlsx");
    writeFileSync(unitsFile, await workbook(UNITS.trim().split("\n").map((line) => line.split(",")), "Đơn vị"));
    const unitsRun = await cli(["units", unitsFile]);
    expect(unitsRun, unitsRun.stderr).toMatchObject({ code: 0 });
    expect(unitsRun.stdout).toMatch(/Units imported: 19 created/);

    const peopleFile = join(dir, "can-bo.xlsx");
    writeFileSync(peopleFile, await workbook(PEOPLE_ROWS));
    const dry = await cli(["people", peopleFile, "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/Dry run.*3 created, 0 updated, 0 unchanged/);
    const first = await cli(["people", peopleFile]);
    expect(first, first.stderr).toMatchObject({ code: 0 });
    expect(first.stdout).toMatch(/People imported: 3 created, 0 updated, 0 unchanged/);
    // A workbook saved with a .csv name is still recognised by its bytes.
    const renamed = join(dir, "can-bo.csv");
    writeFileSync(renamed, readFileSync(peopleFile));
    expect((await cli(["people", renamed])).stdout).toMatch(/0 created, 0 updated, 3 unchanged/);

    const check = openDatabase(testDatabase(join(dir, "cli.db")));
    try {
      const rows = check.db.select().from(people).orderBy(asc(people.ref)).all();
      expect(rows.map((p) => [p.ref, p.name, p.role, p.phone, p.email])).toEqual([
        ["CB0401", "Nguyễn Văn Bình", "school_leader", "+84918000401", "binh@thptvungtau.edu.vn"],
        ["CB0402", "Trần Thị Cúc", "it_lead", "0918000402", null],
        ["CB0403", "Lê Văn Dũng", "department_staff", null, null],
      ]);
    } finally {
      check.close();
    }

    const badFile = join(dir, "sai.xlsx");
    writeFileSync(badFile, await workbook([PEOPLE_ROWS[0] as CellValue[], [], [1, "CB0405", "Phan Văn Ế", "Bảo vệ", "THPT-VT", 918000405]]));
    const broken = join(dir, "hong.xlsx");
    writeFileSync(broken, "code,name\n");
    const [bad, brokenRun] = await Promise.all([cli(["people", badFile]), cli(["people", broken])]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('row 3, column role: unknown role "Bảo vệ"');
    expect(bad.stdout).toMatch(/row 3, column phone: .*leading 0 is missing/);
    expect(bad.stdout).toMatch(/roles: it_lead, school_leader/);
    expect(bad.stdout).toMatch(/2 problems; nothing was imported/);

    expect(brokenRun.code).toBe(1);
    expect(brokenRun.stderr).toMatch(/cannot be read as an Excel workbook/);
  }, 120_000);
});

describe("problem codes: stable names and values the console words", () => {
  it("gives each problem of a people file its code and values, besides the English text", () => {
    const report = run(
      csv(
        "CB9001,Nguyễn Văn A,hiệu phó,MN-SAOMAI-VT,912345678,",
        "CB9002,Trần Văn B,it_lead,mn-saomai-vt,,not-an-email",
        "CB9002,Lê Văn C,it_lead,PGD-VT,0912 345 678,",
      ),
    );
    expect(report.ok).toBe(false);
    expect(report.problems.map(({ row, column, code, params }) => ({ row, column, code, params }))).toEqual([
      { row: 2, column: "role", code: "unknown_role", params: { value: "hiệu phó" } },
      { row: 2, column: "phone", code: "phone_leading_zero", params: { value: "912345678" } },
      { row: 3, column: "unit_code", code: "unknown_unit_near", params: { value: "mn-saomai-vt", suggestion: "MN-SAOMAI-VT" } },
      { row: 3, column: "email", code: "email_malformed", params: { value: "not-an-email" } },
      { row: 4, column: "ref", code: "duplicate", params: { value: "CB9002", firstRow: 3 } },
      { row: 4, column: "role", code: "role_unit_mismatch", params: { role: "it_lead", expected: "school", value: "PGD-VT", actual: "office" } },
    ]);
  });

  it("words every problem code of the imports in Vietnamese and English in the console's registry namespace", () => {
    const codes = new Set<string>();
    for (const file of ["units-import.ts", "people-import.ts", "table-reader.ts"]) {
      const source = readFileSync(join(ROOT, "src", "registry", file), "utf8");
      // `code: "empty"`, `code: near ? "unknown_unit_near" : "unknown_unit"`, `code: "phone_malformed" | …`
      for (const m of source.matchAll(/\bcode: ([^,{}[\n]+)/g)) {
        for (const name of (m[1] ?? "").matchAll(/"([a-z][a-z_]+)"/g)) codes.add(name[1] ?? "");
      }
    }
    expect(codes.size).toBeGreaterThan(30);
    for (const language of ["vi", "en"]) {
      const words = JSON.parse(readFileSync(join(ROOT, "locales", language, "console-registry.json"), "utf8")) as { problems: Record<string, string> };
      const missing = [...codes].filter((code) => typeof words.problems[code] !== "string" || words.problems[code] === "");
      expect(missing, `${language}: problem codes without words`).toEqual([]);
    }
  });
});
