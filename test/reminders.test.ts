import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reminderSettingsFrom } from "../src/wiring/reminder-settings.js";
import { parseConfig } from "../src/config.js";
import { parseQuietHours } from "../src/core/time/quiet-hours.js";
import { openDatabase } from "../src/db/database.js";
import { ReminderPlanner } from "../src/reminders/planner.js";
import { allowedTime, stepsFor } from "../src/reminders/steps.js";
import { Linking } from "../src/registry/linking.js";
import { importPeople } from "../src/registry/people-import.js";
import { importUnits } from "../src/registry/units-import.js";
import { dueDateIn, openSchoolYear, parseYearName, schoolYearOf } from "../src/tasks/school-year.js";
import { dbWithEverySchoolYear, everySchoolTasks } from "./support/every-school-tasks.js";
import { startFakeTelegram, type FakeTelegram, type SentMessage } from "./support/fake-telegram.js";
import { FakeClock, startTestApp, type RunningApp } from "./support/test-app.js";
import { testDatabase, databaseEnv, connectTestDatabase } from "./support/engine.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
const TZ = "Asia/Ho_Chi_Minh";
/** 08:00 in Vietnam on a date. */
const at8 = (date: string) => new Date(`${date}T01:00:00Z`);
const settings = reminderSettingsFrom(parseConfig({}), parseQuietHours("21:00-07:00", TZ));

describe("school years and due dates", () => {
  it("reads 20/01 as 20 January of the school year's second calendar year", () => {
    expect(dueDateIn("20/01", parseYearName("2025-2026"))).toBe("2026-01-20");
    expect(dueDateIn("20/05", parseYearName("2026-2027"))).toBe("2027-05-20");
    expect(dueDateIn("15/09", parseYearName("2026-2027"))).toBe("2026-09-15");
    expect(() => dueDateIn("31/02", parseYearName("2025-2026"))).toThrow();
    expect(() => parseYearName("2027-2029")).toThrow(/2027-2028/);
  });

  it("knows which school year a day falls in (1 September – 31 August)", () => {
    expect(schoolYearOf(new Date("2026-01-13T03:00:00Z"), TZ).name).toBe("2025-2026");
    expect(schoolYearOf(new Date("2026-08-31T16:59:00Z"), TZ).name).toBe("2025-2026"); // 23:59 on 31 Aug in Vietnam
    expect(schoolYearOf(new Date("2026-08-31T17:00:00Z"), TZ).name).toBe("2026-2027"); // 00:00 on 1 Sept
  });

  it("plans 7, 3 and 1 days before, on the day, then every 2 days late, at 08:00, never on a weekend", () => {
    const steps = stepsFor("2026-01-20", settings);
    expect(steps.slice(0, 6).map((s) => [s.key, s.at.toISOString()])).toEqual([
      ["before-7", "2026-01-13T01:00:00.000Z"],
      ["before-3", "2026-01-19T01:00:00.000Z"], // 17 Jan is a Saturday: held to Monday 08:00
      ["before-1", "2026-01-19T01:00:00.000Z"],
      ["due", "2026-01-20T01:00:00.000Z"],
      ["late-2", "2026-01-22T01:00:00.000Z"],
      ["late-4", "2026-01-26T01:00:00.000Z"], // Saturday 24 → Monday 26
    ]);
    const late8 = steps.find((s) => s.key === "late-8");
    expect(late8?.toOffice).toBe(true);
    expect(late8?.toDepartment).toBe(true);
    expect(steps.find((s) => s.key === "late-2")?.toOffice).toBe(false);
  });

  it("holds a reminder that falls in quiet hours to the end of them", () => {
    const late = allowedTime(new Date("2026-01-13T15:00:00Z"), settings); // 22:00 on a Tuesday
    expect(late.toISOString()).toBe("2026-01-14T00:00:00.000Z"); // 07:00 Wednesday
  });
});

describe("reminders end to end", () => {
  let fake: FakeTelegram;
  let running: RunningApp;
  let clock: FakeClock;
  const lead = 7013; // Ngô Thị Bích Ngọc, IT lead of THCS Huỳnh Khương Ninh (CB0013)
  const leader = 7012; // her school leader (CB0012)
  const officeStaff = 7003; // PGD Vũng Tàu (CB0003)
  const departmentStaff = 7001; // Sở GDĐT (CB0001)
  const otherSchool = 7015; // IT lead of THCS Văn Lang (CB0015)

  const sentTo = (chatId: number) => fake.sent.filter((m) => m.chatId === chatId);
  const say = async (chatId: number, text: string): Promise<SentMessage> => {
    const before = sentTo(chatId).length;
    fake.pushUpdate(fake.textUpdate(chatId, text));
    await fake.waitForSent((m) => m.chatId === chatId && sentTo(chatId).length > before, 8000);
    return sentTo(chatId)[sentTo(chatId).length - 1] as SentMessage;
  };
  const tap = async (chatId: number, data: string): Promise<SentMessage> => {
    const before = sentTo(chatId).length;
    fake.pushUpdate(fake.callbackUpdate(chatId, data));
    // The answer to the tap, not a reminder that the outbox happened to deliver meanwhile.
    const isAnswer = (m: SentMessage) => !m.visibleText.startsWith("⏰");
    await fake.waitForSent((m) => m.chatId === chatId && sentTo(chatId).slice(before).some(isAnswer), 8000);
    return sentTo(chatId).slice(before).find(isAnswer) as SentMessage;
  };
  const link = async (chatId: number, ref: string) => {
    const { code } = new Linking(running.app.database.db).issue(ref, "test", clock.now());
    return say(chatId, `/start ${code}`);
  };
  const waitForReminder = (chatId: number, marker: string) =>
    fake.waitForSent((m) => m.chatId === chatId && m.visibleText.includes(marker), 8000);

  beforeAll(async () => {
    fake = await startFakeTelegram();
    clock = new FakeClock(new Date("2026-01-12T03:00:00Z")); // Monday 10:00, the week before the mid-year report
    // The sample IT leads work at THCS schools: the Department has chosen to send them the IT reports too.
    const dbPath = dbWithEverySchoolYear("2025-2026", clock.now());
    running = await startTestApp({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, QUIET_HOURS: "21:00-07:00" }, clock, dbPath);
    const now = clock.now();
    expect(importUnits(running.app.database, readFileSync(join(FIXTURES, "units-sample.csv"), "utf8"), { dryRun: false, now }).ok).toBe(true);
    expect(importPeople(running.app.database, readFileSync(join(FIXTURES, "people-sample.csv"), "utf8"), { dryRun: false, now }).ok).toBe(true);
  });

  afterAll(async () => {
    await running.stop();
    await fake.stop();
  });

  it("links a chat to a person with a one-time code and says who and which school", async () => {
    const reply = await link(lead, "CB0013");
    expect(reply.visibleText).toContain("Ngô Thị Bích Ngọc");
    expect(reply.visibleText).toContain("Trường THCS Huỳnh Khương Ninh");
    await link(leader, "CB0012");
    await link(officeStaff, "CB0003");
    await link(departmentStaff, "CB0001");
    await link(otherSchool, "CB0015");
  });

  it("refuses wrong, used and expired codes, and rate-limits guessing", async () => {
    const linking = new Linking(running.app.database.db);
    const { code } = linking.issue("CB0014", "test", clock.now());
    expect((await say(8001, `/link ${code}`)).visibleText).toMatch(/Đã liên kết/);
    expect((await say(8002, `/link ${code}`)).visibleText).toMatch(/đã được sử dụng/);
    const old = linking.issue("CB0016", "test", new Date(clock.now().getTime() - 8 * 86_400_000));
    expect((await say(8003, `/link ${old.code}`)).visibleText).toMatch(/hết hạn/);
    for (let i = 0; i < 5; i++) expect((await say(8004, "/link ABCDEFGH")).visibleText).toMatch(/không đúng/);
    expect((await say(8004, `/link ${linking.issue("CB0016", "test", clock.now()).code}`)).visibleText).toMatch(/quá nhiều lần/);
    expect((await say(8001, "/unlink")).visibleText).toMatch(/Đã hủy liên kết/);
  });

  it("sends the first reminder 7 days before at 08:00 to the school's linked IT lead and leader, with working buttons", async () => {
    clock.set(at8("2026-01-13"));
    running.app.planner.plan(clock.now());
    const reminder = await waitForReminder(lead, "Báo cáo giữa năm");
    expect(reminder.visibleText).toContain("Trường THCS Huỳnh Khương Ninh");
    expect(reminder.visibleText).toContain("20/01/2026");
    expect(reminder.visibleText).toContain("còn 7 ngày");
    const labels = (reminder.replyMarkup?.inline_keyboard ?? []).flat().map((b) => b.text);
    expect(labels).toEqual(["Đã hoàn thành", "Nhắc lại ngày mai", "Cần hỗ trợ"]);
    await waitForReminder(leader, "Báo cáo giữa năm");
    await waitForReminder(otherSchool, "Báo cáo giữa năm");
    // The office owes the report too (its own reminder), but hears nothing about its schools before they are late.
    await waitForReminder(officeStaff, "Phòng GDĐT Thành phố Vũng Tàu");
    expect(sentTo(officeStaff).some((m) => m.visibleText.includes("Các đơn vị chưa hoàn thành"))).toBe(false);
  });

  it("sends each step once, however often and wherever the planner runs", async () => {
    const count = () => fake.sent.filter((m) => m.chatId === lead && m.visibleText.includes("còn 7 ngày")).length;
    running.app.planner.plan(clock.now());
    clock.advance(15 * 60_000);
    running.app.planner.plan(clock.now());
    // A second process on the same database at the same moment.
    const other = openDatabase(testDatabase(running.dbPath));
    new ReminderPlanner(other.db, settings, "vi").plan(clock.now());
    other.close();
    await new Promise((r) => setTimeout(r, 500));
    expect(count()).toBe(1);
  });

  it("marks done from the reminder, thanks the person, and stops further reminders for that school", async () => {
    const reminder = sentTo(lead).find((m) => m.visibleText.includes("còn 7 ngày")) as SentMessage;
    const done = (reminder.replyMarkup?.inline_keyboard ?? []).flat()[0]?.callback_data as string;
    expect((await tap(lead, done)).visibleText).toMatch(/Cảm ơn/);
    expect((await tap(leader, done)).visibleText).toMatch(/đã được đánh dấu hoàn thành bởi Ngô Thị Bích Ngọc/);
    expect((await tap(otherSchool, done)).visibleText).toMatch(/không phụ trách/);
    clock.set(at8("2026-01-19"));
    running.app.planner.plan(clock.now());
    await waitForReminder(otherSchool, "còn 1 ngày");
    await new Promise((r) => setTimeout(r, 300));
    expect(sentTo(lead).some((m) => m.visibleText.includes("còn 1 ngày") || m.visibleText.includes("còn 3 ngày"))).toBe(false);
    const conn = connectTestDatabase(running.dbPath, { readonly: true });
    const history = conn.prepare("SELECT status, changed_by FROM task_status_history").all() as { status: string; changed_by: string }[];
    conn.close();
    expect(history).toEqual([{ status: "done", changed_by: "Ngô Thị Bích Ngọc (CB0013)" }]);
  });

  it("snoozes a reminder for a day", async () => {
    const reminder = sentTo(otherSchool).find((m) => m.visibleText.includes("còn 1 ngày")) as SentMessage;
    const snooze = (reminder.replyMarkup?.inline_keyboard ?? []).flat()[1]?.callback_data as string;
    expect((await tap(otherSchool, snooze)).visibleText).toMatch(/nhắc lại anh\/chị vào/);
    clock.set(at8("2026-01-20"));
    running.app.planner.plan(clock.now()); // the "due" step is held back for this person
    clock.advance(60_000);
    await waitForReminder(otherSchool, "hôm nay là hạn chót"); // the snoozed one comes back on the 20th
  });

  it("escalates: office staff from 3 days late, the Department from 7, with the list of late schools", async () => {
    const office = running.app.planner.dryRun(at8("2026-01-26"));
    const officeSummary = office.find((r) => r.ref === "CB0003" && r.step.startsWith("summary-"));
    expect(officeSummary?.step).toBe("summary-late-4");
    expect(officeSummary?.lateUnits).toContain("THCS-VANLANG-VT");
    expect(officeSummary?.lateUnits).not.toContain("THCS-HKN-VT"); // done
    expect(office.some((r) => r.ref === "CB0001")).toBe(false);
    expect(office.find((r) => r.ref === "CB0003" && r.step === "late-4")?.unit).toBe("PGD-VT"); // its own report
    clock.set(at8("2026-01-28"));
    running.app.planner.plan(clock.now());
    const department = await waitForReminder(departmentStaff, "Các đơn vị chưa hoàn thành");
    expect(department.visibleText).toContain("đã trễ 8 ngày");
    expect(department.visibleText).toContain("Trường THCS Văn Lang");
    expect(department.visibleText).not.toContain("Huỳnh Khương Ninh");
  });

  it("lists open tasks on /tasks with a done button per task, and answers staff.deadlines from live data", async () => {
    const tasks = await say(lead, "/tasks");
    expect(tasks.visibleText).toContain("Nhiệm vụ CNTT chưa hoàn thành của Trường THCS Huỳnh Khương Ninh");
    expect(tasks.visibleText).toContain("20/05/2026");
    expect(tasks.visibleText).not.toContain("Báo cáo giữa năm"); // done
    const labels = (tasks.replyMarkup?.inline_keyboard ?? []).flat().map((b) => b.text);
    expect(labels.some((l) => l.startsWith("✅ ") && l.includes("cuối năm"))).toBe(true);
    const deadlines = await say(lead, "hạn nộp báo cáo CNTT là ngày nào vậy");
    expect(deadlines.visibleText).toContain("20/05/2026");
    const stranger = await say(9999, "hạn nộp báo cáo CNTT là ngày nào vậy");
    expect(stranger.visibleText).not.toContain("Huỳnh Khương Ninh");
  });
});

describe("npm run reminders -- --dry-run --json", () => {
  it("prints who would get what, one JSON object per line, without writing", async () => {
    const dir = (await import("node:fs")).mkdtempSync(join((await import("node:os")).tmpdir(), "reminders-cli-"));
    const dbPath = join(dir, "bot.db");
    const database = openDatabase(testDatabase(dbPath));
    const now = new Date("2026-01-12T03:00:00Z");
    openSchoolYear(database.db, "2025-2026", everySchoolTasks(), now);
    importUnits(database, readFileSync(join(FIXTURES, "units-sample.csv"), "utf8"), { dryRun: false, now });
    importPeople(database, readFileSync(join(FIXTURES, "people-sample.csv"), "utf8"), { dryRun: false, now });
    database.close();
    const { stdout } = await promisify(execFile)("npm", ["run", "--silent", "reminders", "--", "--at", "2026-01-13T08:00", "--dry-run", "--json"], {
      cwd: join(import.meta.dirname, ".."),
      env: { ...process.env, ...databaseEnv(dbPath), LOG_LEVEL: "silent" },
      timeout: 60_000,
    });
    const rows = stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, string>);
    const mine = rows.find((r) => r.ref === "CB0013" && r.task === "mid_year_it_report");
    expect(mine).toMatchObject({ name: "Ngô Thị Bích Ngọc", school: "THCS-HKN-VT", due: "2026-01-20", step: "before-7" });
    expect(mine?.channel).toMatch(/^none/);
    const conn = connectTestDatabase(dbPath, { readonly: true });
    expect((conn.prepare("SELECT count(*) AS n FROM reminders").get() as { n: number }).n).toBe(0);
    conn.close();
  });
});
