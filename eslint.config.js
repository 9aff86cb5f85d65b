import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  { ignores: ["node_modules/", "data/", "dist/", "src/db/migrations/", "src/db/pg/migrations/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read configuration through src/config.ts only." },
      ],
    },
  },
  {
    // The web chat page's script runs in the browser, as a classic script.
    files: ["src/web-chat/**/*.js"],
    languageOptions: { globals: { ...globals.browser }, sourceType: "script" },
  },
  {
    // The staff console runs in the browser: TypeScript modules bundled by esbuild at start.
    files: ["src/console/**/*.ts", "src/console/**/*.tsx"],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ["src/config.ts", "test/**/*.ts", "vitest.config.ts"],
    rules: { "no-restricted-properties": "off" },
  },
  {
    files: ["src/core/**/*.ts", "src/nlu/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: ["telegraf*", "axios", "express", "drizzle-orm*", "node-cron", "better-sqlite3"] },
      ],
    },
  },
);
