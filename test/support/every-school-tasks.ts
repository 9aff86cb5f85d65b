import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/db/database.js";
import { loadTaskFile, openSchoolYear, type TaskDefinition } from "../../src/tasks/school-year.js";
import { testDatabase } from "./engine.js";

const TASKS = join(import.meta.dirname, "..", "..", "templates", "tasks.yaml");

/**
 * The product's tasks with the Department's choice `it_reports_from_every_school` set to true, so the mid- and
 * end-of-year IT reports also go to preschools, primary and THCS schools (the sample people are their IT leads).
 */
export function everySchoolTasks(): TaskDefinition[] {
  const dir = mkdtempSync(join(tmpdir(), "sogd-tasks-"));
  const copy = join(dir, "tasks.yaml");
  const text = readFileSync(TASKS, "utf8");
  if (!text.includes("it_reports_from_every_school: false")) throw new Error("templates/tasks.yaml: choice not found");
  writeFileSync(copy, text.replace("it_reports_from_every_school: false", "it_reports_from_every_school: true"));
  return loadTaskFile(copy);
}

/** A database file whose school year was opened with everySchoolTasks(); the app then keeps that year as it is. */
export function dbWithEverySchoolYear(yearName: string, now: Date): string {
  const dbPath = join(mkdtempSync(join(tmpdir(), "sogd-year-")), "bot.db");
  const database = openDatabase(testDatabase(dbPath));
  openSchoolYear(database.db, yearName, everySchoolTasks(), now);
  database.close();
  return dbPath;
}
