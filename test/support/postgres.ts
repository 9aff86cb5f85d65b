import { randomBytes } from "node:crypto";
import pg from "pg";
import { describe } from "vitest";

/** PostgreSQL for the tests: TEST_DATABASE_URL (CI sets it: the server at 127.0.0.1:5432, database `test`). */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL;

/** `describe` when TEST_DATABASE_URL is set; otherwise skipped, after saying so loudly and how to run them. */
export function describeWithPostgres(name: string, body: () => void): void {
  if (testDatabaseUrl) {
    describe(name, body);
    return;
  }
  console.warn(
    `\n!!! POSTGRESQL TESTS SKIPPED: "${name}" needs TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test).\n` +
      "!!! .ci/run sets it; locally: TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm test\n",
  );
  describe.skip(name, body);
}

/** A new, empty database on the test server (dropped by `drop`), so tests never see each other's rows. */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!testDatabaseUrl) throw new Error("TEST_DATABASE_URL is not set");
  const name = `sogd_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const again = new pg.Client({ connectionString: testDatabaseUrl });
      await again.connect();
      await again.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.end();
    },
  };
}
