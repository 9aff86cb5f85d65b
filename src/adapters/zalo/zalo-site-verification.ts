import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Router } from "express";
import { escapeHtmlAttribute } from "../../core/render.js";

const TEMPLATE = readFileSync(join(import.meta.dirname, "zalo-verifier.html"), "utf8");

/**
 * Zalo for Developers verifies that the OA's app owns the webhook's domain by fetching an HTML file at the
 * site root, `/zalo_verifier<code>.html`, that carries `<meta name="zalo-platform-site-verification"
 * content="<code>">` (the same tag may instead sit on the home page). This serves that file from
 * ZALO_SITE_VERIFICATION, so the operator need not place files on the server.
 */
export function zaloSiteVerificationRoute(code: string): Router {
  const router = Router();
  const page = TEMPLATE.replace("{{code}}", escapeHtmlAttribute(code));
  router.get(`/zalo_verifier${code}.html`, (_req, res) => {
    res.type("html").send(page);
  });
  return router;
}
