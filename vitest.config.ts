import { defineConfig } from "vitest/config";

/** Tests about the SQLite file itself (its mode, its pragmas, its locking): nothing to run on PostgreSQL. */
const SQLITE_ONLY = ["test/data-at-rest.test.ts", "test/database-concurrency.test.ts"];

const postgres = process.env.TEST_DATABASE_URL;
if (!postgres) {
  console.warn(
    "\n!!! The PostgreSQL run of the suite is SKIPPED: set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test).\n" +
      "!!! .ci/run sets it; locally: TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm test\n",
  );
}

const shared = { testTimeout: 20_000, hookTimeout: 30_000, pool: "forks" as const };

export default defineConfig({
  test: {
    // Two test files at a time even on two cores: the PostgreSQL half mostly waits on the server, and the whole
    // suite (both engines) took 9.2 min this way against about 30 with vitest's default of one on two cores.
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      { test: { ...shared, name: "sqlite", include: ["test/**/*.test.ts"] } },
      ...(postgres
        ? [
            {
              test: {
                ...shared,
                name: "postgres",
                include: ["test/**/*.test.ts"],
                // the PostgreSQL-specific tests already run in the sqlite project (they open their own databases)
                exclude: [...SQLITE_ONLY, "test/postgres-*.test.ts"],
                env: { TEST_ENGINE: "postgres" },
                globalSetup: ["test/support/postgres-global-setup.ts"],
              },
            },
          ]
        : []),
    ],
  },
});
