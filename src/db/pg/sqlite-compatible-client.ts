import { is } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import * as pgSchema from "./schema.js";
import type { SyncPostgres } from "./sync-postgres.js";

/**
 * The part of better-sqlite3's Database that drizzle's better-sqlite3 driver and our storage modules use,
 * served by PostgreSQL: drizzle builds the same SQLite-dialect statements on both engines, and this client
 * turns them into PostgreSQL ones (`?` → `$1…`, and an identity id given as `null` → `DEFAULT`). The storage
 * modules write SQL both engines read alike (TRUE/FALSE, ON CONFLICT, aliased subqueries).
 */
export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface SqlStatement {
  run(...params: unknown[]): RunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
  raw(toggle?: boolean): this;
}

/** What both engines' clients offer: prepared statements and transactions (better-sqlite3's shape). */
export interface SqlClient {
  prepare(source: string): SqlStatement;
  transaction<F extends (...args: never[]) => unknown>(run: F): TransactionFunction<F>;
  readonly open: boolean;
}

export type TransactionFunction<F extends (...args: never[]) => unknown> = F & { deferred: F; immediate: F; exclusive: F };

/** Write transactions queue across instances like SQLite's IMMEDIATE ones: one advisory lock, held to COMMIT. */
const WRITE_LOCK = 7_361_004_212;

export class PostgresSqliteClient implements SqlClient {
  private depth = 0;

  constructor(private readonly pg: SyncPostgres) {}

  get open(): boolean {
    return this.pg.open;
  }

  prepare(source: string): SqlStatement {
    return new PostgresStatement(this.pg, toPostgres(source));
  }

  transaction<F extends (...args: never[]) => unknown>(run: F): TransactionFunction<F> {
    const wrap = (serialized: boolean) =>
      ((...args: Parameters<F>) => {
        const nested = this.depth > 0;
        const savepoint = `sp_client_${this.depth}`;
        this.pg.query(nested ? `SAVEPOINT ${savepoint}` : "BEGIN", []);
        if (!nested && serialized) this.pg.query("SELECT pg_advisory_xact_lock($1)", [WRITE_LOCK]);
        this.depth += 1;
        try {
          const result = run(...args);
          this.depth -= 1;
          this.pg.query(nested ? `RELEASE SAVEPOINT ${savepoint}` : "COMMIT", []);
          return result;
        } catch (error) {
          this.depth -= 1;
          this.pg.query(nested ? `ROLLBACK TO SAVEPOINT ${savepoint}` : "ROLLBACK", []);
          throw error;
        }
      }) as F;
    return Object.assign(wrap(false), { deferred: wrap(false), immediate: wrap(true), exclusive: wrap(true) });
  }

  close(): void {
    this.pg.close();
  }
}

class PostgresStatement implements SqlStatement {
  private arrays = false;

  constructor(
    private readonly pg: SyncPostgres,
    private readonly text: string,
  ) {}

  raw(toggle = true): this {
    this.arrays = toggle;
    return this;
  }

  run(...params: unknown[]): RunResult {
    const { rowCount } = this.pg.query(this.text, bind(params));
    const pg = this.pg;
    return {
      changes: rowCount,
      // Asked of the connection when read (read it at once, as better-sqlite3's callers do).
      get lastInsertRowid() {
        return (pg.query("SELECT lastval() AS id", []).rows[0] as { id: number }).id;
      },
    };
  }

  get(...params: unknown[]): unknown {
    return this.pg.query(this.text, bind(params), this.arrays).rows[0];
  }

  all(...params: unknown[]): unknown[] {
    return this.pg.query(this.text, bind(params), this.arrays).rows;
  }

  iterate(...params: unknown[]): IterableIterator<unknown> {
    return this.all(...params)[Symbol.iterator]();
  }
}

/** better-sqlite3 takes a Buffer or bigint as is; pg wants strings for bigint and booleans are already 1/0. */
function bind(params: unknown[]): unknown[] {
  return params.map((value) => (typeof value === "bigint" ? value.toString() : value));
}

/** Each table's identity column (drizzle lists it first and gives it as null when the caller leaves it out). */
const IDENTITY_COLUMNS = new Map(
  (Object.values(pgSchema) as unknown[])
    .filter((table): table is PgTable => is(table, PgTable))
    .flatMap((table) => {
      const config = getTableConfig(table);
      const identity = config.columns.find((column) => column.generatedIdentity !== undefined);
      return identity ? [[config.name, identity.name] as const] : [];
    }),
);

const cache = new Map<string, string>();

/** SQLite-dialect statement text → PostgreSQL: numbered parameters, DEFAULT for an identity id given as null,
 * unqualified conflict targets. */
export function toPostgres(source: string): string {
  const cached = cache.get(source);
  if (cached !== undefined) return cached;
  let text = numberParameters(source);
  const insert = /^insert into "([^"]+)" \("([^"]+)", /.exec(text);
  if (insert && IDENTITY_COLUMNS.get(insert[1] as string) === insert[2]) text = text.replace(/(\) values \(|\), \()null, /g, "$1DEFAULT, ");
  // drizzle names the conflict target's columns with their table, which PostgreSQL does not accept there.
  text = text.replace(/ on conflict \(([^)]*)\)/, (_, columns: string) => ` on conflict (${columns.replace(/"[^"]+"\./g, "")})`);
  if (cache.size < 5_000) cache.set(source, text);
  return text;
}

/** `?` → `$n`, leaving quoted strings, quoted identifiers and comments alone. */
function numberParameters(source: string): string {
  let out = "";
  let n = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    if (c === "'" || c === '"') {
      const end = source.indexOf(c, i + 1);
      const stop = end === -1 ? source.length : end;
      out += source.slice(i, stop + 1);
      i = stop;
    } else if (c === "-" && source[i + 1] === "-") {
      const end = source.indexOf("\n", i);
      const stop = end === -1 ? source.length : end;
      out += source.slice(i, stop);
      i = stop - 1;
    } else if (c === "?") {
      out += `$${++n}`;
    } else {
      out += c;
    }
  }
  return out;
}
