import { readFileSync } from "node:fs";
import { join } from "node:path";
import express, { Router, type Response } from "express";
import type { Clock, Translator } from "../../core/ports.js";
import { escapeHtml, escapeHtmlAttribute } from "../../core/render.js";
import type { Locale } from "../../core/types.js";
import type { SqliteReachStore } from "../../reach/sqlite-reach-store.js";
import type { UnsubscribeTokens } from "../../reach/unsubscribe-token.js";

const PAGE = readFileSync(join(import.meta.dirname, "unsubscribe.html"), "utf8");
const FORM = readFileSync(join(import.meta.dirname, "unsubscribe-form.html"), "utf8");
const CSP = "default-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * `GET /unsubscribe/email/<token>` shows what will happen and a button (a mail scanner that follows links
 * unsubscribes nobody); `POST` to the same address unsubscribes — the button, and mail clients' one-click
 * unsubscribe (RFC 8058, List-Unsubscribe-Post). A token that is not ours answers 404 and changes nothing.
 */
export function unsubscribeRoutes(deps: { tokens: UnsubscribeTokens; store: SqliteReachStore; translator: Translator; locale: Locale; clock: Clock }): Router {
  const router = Router();
  const t = (key: string, vars?: Record<string, string>) => deps.translator.t(`unsubscribe.${key}`, deps.locale, vars);
  const page = (res: Response, status: number, title: string, text: string, form = ""): void => {
    const values: Record<string, string> = { lang: escapeHtmlAttribute(deps.locale), title: escapeHtml(title), text: escapeHtml(text), form };
    res
      .status(status)
      .set("Content-Security-Policy", CSP)
      .set("Cache-Control", "no-store")
      .type("html")
      .send(PAGE.replace(/\{\{(\w+)\}\}/g, (_, key: string) => values[key] ?? ""));
  };
  router.get("/unsubscribe/email/:token", (req, res) => {
    const address = deps.tokens.addressOf(req.params.token);
    if (!address) return page(res, 404, t("invalid_title"), t("invalid_text"));
    if (deps.store.isUnsubscribed(address)) return page(res, 200, t("done_title"), t("done_text", { address }));
    const form = FORM.replace("{{action}}", escapeHtmlAttribute(`/unsubscribe/email/${req.params.token}`)).replace("{{button}}", escapeHtml(t("button")));
    page(res, 200, t("confirm_title"), t("confirm_text", { address }), form);
  });
  router.post("/unsubscribe/email/:token", express.urlencoded({ extended: false, limit: "1kb" }), (req, res) => {
    const address = deps.tokens.addressOf(req.params.token);
    if (!address) return page(res, 404, t("invalid_title"), t("invalid_text"));
    deps.store.unsubscribe(address, deps.clock.now());
    page(res, 200, t("done_title"), t("done_text", { address }));
  });
  return router;
}
