import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Router, type Request, type Response } from "express";
import { asset, CONSOLE_DIR, consoleScripts, type Asset } from "./console-bundle.js";

/** The console's own CSP: its script and styles from this server only, no inline code. */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function send(req: Request, res: Response, file: Asset): void {
  res.set({ "Content-Type": file.type, "Cache-Control": "no-cache", ETag: file.etag, Vary: "Accept-Encoding", "Content-Security-Policy": CONSOLE_CSP });
  if (req.get("if-none-match") === file.etag) {
    res.status(304).end();
    return;
  }
  if (req.acceptsEncodings("gzip") === "gzip") {
    res.set("Content-Encoding", "gzip").send(file.gzip);
    return;
  }
  res.send(file.body);
}

/** GET /admin (the page), /admin/app.js (the bundled script), /admin/console.css. */
export function consoleRoutes(): Router {
  const router = Router();
  const page = asset(readFileSync(join(CONSOLE_DIR, "index.html")), "text/html; charset=utf-8");
  const styles = asset(readFileSync(join(CONSOLE_DIR, "console.css")), "text/css; charset=utf-8");
  void consoleScripts().catch(() => undefined); // start bundling now, so the first visitor does not wait

  router.get(["/admin", "/admin/"], (req, res) => send(req, res, page));
  router.get("/admin/console.css", (req, res) => send(req, res, styles));
  // app.js and the screens' modules and shared chunks it imports (names from esbuild, never a path).
  router.get("/admin/:file", async (req, res, next) => {
    if (!/^[\w-]+\.js$/.test(req.params.file)) return next();
    try {
      const script = (await consoleScripts()).get(req.params.file);
      if (script) send(req, res, script);
      else next();
    } catch (error) {
      next(error);
    }
  });
  return router;
}
