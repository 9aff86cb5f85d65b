import { getTableConfig as pgConfig, PgTable } from "drizzle-orm/pg-core";
import { getTableConfig as sqliteConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import { is } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as pg from "../src/db/pg/schema.js";
import * as sqlite from "../src/db/schema.js";

/** What must be the same on both engines, whatever each calls its types. */
interface Shape {
  columns: Record<string, { type: string; notNull: boolean; primary: boolean; hasDefault: boolean; enumValues: string[] | undefined }>;
  indexes: Record<string, { unique: boolean; columns: string[] }>;
  foreignKeys: string[];
}

// SQLite's one integer type stands for PostgreSQL's integer and bigint (times in ms, counts).
const TYPE: Record<string, string> = {
  SQLiteInteger: "integer",
  SQLiteBoolean: "boolean",
  SQLiteText: "text",
  PgInteger: "integer",
  PgBigInt53: "integer",
  PgBoolean: "boolean",
  PgText: "text",
};

type AnyConfig = ReturnType<typeof sqliteConfig> | ReturnType<typeof pgConfig>;

function shape(config: AnyConfig): Shape {
  const columns: Shape["columns"] = {};
  for (const c of config.columns) {
    const identity = "generatedIdentity" in c && c.generatedIdentity !== undefined;
    columns[c.name] = {
      type: TYPE[c.columnType] ?? c.columnType,
      notNull: c.notNull,
      primary: c.primary,
      // An identity column is PostgreSQL's autoincrement key: both get their value from the database.
      hasDefault: c.hasDefault || identity,
      enumValues: c.enumValues?.length ? [...c.enumValues] : undefined,
    };
  }
  const indexes: Shape["indexes"] = {};
  for (const i of config.indexes) {
    indexes[i.config.name ?? "?"] = { unique: i.config.unique, columns: i.config.columns.map((c) => ("name" in c ? String(c.name) : "?")) };
  }
  const foreignKeys = config.foreignKeys
    .map((fk) => {
      const ref = fk.reference();
      const target = ref.foreignTable as SQLiteTable | PgTable;
      const targetName = is(target, PgTable) ? pgConfig(target).name : sqliteConfig(target as SQLiteTable).name;
      return `${ref.columns.map((c) => c.name).join(",")} → ${targetName}(${ref.foreignColumns.map((c) => c.name).join(",")}) on delete ${fk.onDelete ?? "no action"}`;
    })
    .sort();
  return { columns, indexes, foreignKeys };
}

const sqliteTables = new Map(
  (Object.values(sqlite) as unknown[])
    .filter((t): t is SQLiteTable => is(t, SQLiteTable))
    .map((t) => [sqliteConfig(t).name, shape(sqliteConfig(t))]),
);
const pgTables = new Map(
  (Object.values(pg) as unknown[])
    .filter((t): t is PgTable => is(t, PgTable))
    .map((t) => [pgConfig(t).name, shape(pgConfig(t))]),
);

describe("the PostgreSQL schema", () => {
  it("has every SQLite table and no other", () => {
    expect([...pgTables.keys()].sort()).toEqual([...sqliteTables.keys()].sort());
    expect(sqliteTables.size).toBeGreaterThan(25);
  });

  it("has the same columns, keys, defaults, enums, indexes and foreign keys in every table", () => {
    for (const [name, expected] of sqliteTables) expect(pgTables.get(name), name).toEqual(expected);
  });

  it("stores times as bigint (Unix milliseconds outgrow PostgreSQL's 4-byte integer)", () => {
    for (const table of (Object.values(pg) as unknown[]).filter((t): t is PgTable => is(t, PgTable))) {
      for (const column of pgConfig(table).columns.filter((c) => c.name.endsWith("_at"))) {
        expect(column.columnType, `${pgConfig(table).name}.${column.name}`).toBe("PgBigInt53");
      }
    }
  });
});
