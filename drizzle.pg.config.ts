import { defineConfig } from "drizzle-kit";

// PostgreSQL migrations (DATABASE_URL=postgres://…); the SQLite ones come from drizzle.config.ts.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/pg/schema.ts",
  out: "./src/db/pg/migrations",
});
