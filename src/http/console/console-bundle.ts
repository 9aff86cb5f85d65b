import { gzipSync } from "node:zlib";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { build } from "esbuild";

/** Where the console's source lives: static HTML and CSS, and TypeScript modules bundled at start. */
export const CONSOLE_DIR = join(import.meta.dirname, "..", "..", "console");

export interface Asset {
  body: Buffer;
  gzip: Buffer;
  etag: string;
  type: string;
}

export function asset(body: Buffer, type: string): Asset {
  return { body, gzip: gzipSync(body, { level: 9 }), etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`, type };
}

let bundled: Promise<Map<string, Asset>> | undefined;

/** The entry module's name: index.html loads /admin/app.js. */
export const CONSOLE_ENTRY = "app.js";

/**
 * The console's scripts: its TypeScript (Preact components, i18next, the locale files) bundled and minified in
 * memory by esbuild, once per process, as the entry (app.js) and a module per screen fetched when a screen is
 * first opened, plus the chunks they share. Nothing is fetched from the network; nothing is written to disk.
 */
export function consoleScripts(): Promise<Map<string, Asset>> {
  bundled ??= build({
    entryPoints: { app: join(CONSOLE_DIR, "app", "main.tsx") },
    bundle: true,
    splitting: true,
    outdir: "/console-build",
    entryNames: "[name]",
    chunkNames: "[name]-[hash]",
    write: false,
    minify: true,
    format: "esm",
    target: "es2022",
    jsx: "automatic",
    jsxImportSource: "preact",
    legalComments: "none",
    logLevel: "silent",
    define: { "process.env.NODE_ENV": '"production"' },
  }).then(
    (result) =>
      new Map(result.outputFiles.filter((f) => f.path.endsWith(".js")).map((f) => [f.path.split("/").pop() as string, asset(Buffer.from(f.contents), "text/javascript; charset=utf-8")])),
  );
  bundled.catch(() => {
    bundled = undefined; // a failed build is tried again on the next request
  });
  return bundled;
}
