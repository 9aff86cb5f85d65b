import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/database.js";
import { SqliteLeases } from "../src/db/lease-store.js";
import { OncePerTick } from "../src/infra/once-per-tick.js";
import { testDatabase } from "./support/engine.js";

// Issue 12: the planner and the other schedules run once per tick across the instances on one database.
describe("schedules once per tick across instances", () => {
  const dir = mkdtempSync(join(tmpdir(), "sogd-ticks-"));
  // Two processes' connections to one database file.
  const a = openDatabase(testDatabase(join(dir, "bot.db")));
  const b = openDatabase(testDatabase(join(dir, "bot.db")));
  afterAll(() => {
    a.close();
    b.close();
    rmSync(dir, { recursive: true, force: true });
  });
  let now = Date.UTC(2026, 0, 13, 1, 0, 0);
  const first = new OncePerTick(new SqliteLeases(a.db), () => now);
  const second = new OncePerTick(new SqliteLeases(b.db), () => now);

  it("runs a tick on one instance only, and the holder keeps running the next ones", () => {
    let runs = 0;
    const work = (): void => void runs++;
    expect([first.run("reminders", 50_000, work), second.run("reminders", 50_000, work)]).toEqual([true, false]);
    expect(runs).toBe(1);
    now += 15_000; // the next tick, inside the lease: the holder runs it, the other still skips
    expect([second.run("reminders", 50_000, work), first.run("reminders", 50_000, work)]).toEqual([false, true]);
    expect(runs).toBe(2);
    // Another schedule is another lease.
    expect(second.run("broadcasts", 10_000, work)).toBe(true);
  });

  it("lets another instance take over once a dead holder's lease lapses, within the lease", () => {
    let ran = "";
    now += 49_999; // the holder (first) died after its last run: nothing renews the lease
    expect(second.run("reminders", 50_000, () => (ran = "second"))).toBe(false);
    now += 2;
    expect(second.run("reminders", 50_000, () => (ran = "second"))).toBe(true);
    expect(ran).toBe("second");
    expect(first.run("reminders", 50_000, () => (ran = "first"))).toBe(false);
  });

  it("hands a lease over at once when its holder stops cleanly", () => {
    second.releaseAll();
    expect(first.run("reminders", 50_000, () => undefined)).toBe(true);
  });
});
