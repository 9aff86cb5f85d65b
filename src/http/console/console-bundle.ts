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

let bundled: Promise<Asset> | undefined;

/**
 * The console's script: its TypeScript (Preact components, i18next, the locale files) bundled and minified in
 * memory by esbuild, once per process. Nothing is fetched from the network; the output is never written to disk.
 */
export function consoleScript(): Promise<Asset> {
  bundled ??= build({
    entryPoints: [join(CONSOLE_DIR, "app", "main.tsx")],
    bundle: true,
    write: false,
    minify: true,
    format: "esm",
    target: "es2022",
    jsx: "automatic",
    jsxImportSource: "preact",
    legalComments: "none",
    logLevel: "silent",
    define: { "process.env.NODE_ENV": '"production"' },
  }).then((result) => asset(Buffer.from(result.outputFiles[0]!.contents), "text/javascript; charset=utf-8"));
  bundled.catch(() => {
    bundled = undefined; // a failed build is tried again on the next request
  });
  return bundled;
}
