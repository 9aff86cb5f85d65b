import { Router, type Request, type Response } from "express";
import { StaffError, type StaffAccounts } from "../../access/staff-accounts.js";
import type { StaffSessions } from "../../access/staff-sessions.js";
import type { StaffSignInCodes } from "../../access/staff-sign-in-codes.js";
import type { StaffAccountRow } from "../../access/staff-account-store.js";
import type { Logger } from "../../core/conversation.js";
import type { Clock } from "../../core/ports.js";
import { perIpLimit } from "../../adapters/web/ip-limit.js";
import type { RateCounter } from "../../core/rate-counter.js";
import { readCookie, SESSION_COOKIE } from "./authenticate.js";
import { jsonHandler } from "./json-handler.js";

export interface SessionRoutesDeps {
  accounts: StaffAccounts;
  sessions: StaffSessions;
  codes: StaffSignInCodes;
  clock: Clock;
  /** how long the cookie is kept by the browser (the session's absolute limit) */
  maxAgeMs: number;
  logger?: Logger;
  /** sign-in attempts per address counted in the database, so every instance sees them */
  rateCounter?: RateCounter;
}

/** Sign-in attempts (passwords, codes, set-password) per client address: the lockout guards one account, this many. */
export const SIGN_IN_ATTEMPTS_PER_IP = 30;
const SIGN_IN_WINDOW_MS = 15 * 60_000;

/** Sign-in (password or code), who-am-I, sign-out and set-password: before the admin API's authentication. */
export function sessionRoutes(deps: SessionRoutesDeps): Router {
  const router = Router();
  const handle = jsonHandler<Request>((error) => (error instanceof StaffError ? { status: error.status, body: error.body() } : undefined));
  const body = (req: Request): Record<string, unknown> => (typeof req.body === "object" && req.body !== null ? (req.body as Record<string, unknown>) : {});

  // Secure only when the request reached us over https (req.secure believes X-Forwarded-Proto only per TRUST_PROXY).
  router.post(
    ["/api/admin/session", "/api/admin/session/code", "/api/admin/session/code/verify", "/api/admin/password"],
    perIpLimit({
      ...(deps.rateCounter ? { shared: { counter: deps.rateCounter, bucket: "sign-in" } } : {}),
      limit: SIGN_IN_ATTEMPTS_PER_IP,
      windowMs: SIGN_IN_WINDOW_MS,
      clock: deps.clock,
      error: `more than ${SIGN_IN_ATTEMPTS_PER_IP} sign-in attempts from this address in 15 minutes; wait and try again`,
      code: "too_many_requests",
      onLimited: (ip) => deps.logger?.warn({ ip }, "sign-in attempts limited for an address"),
    }),
  );

  const cookieOptions = (req: Request) => ({ httpOnly: true, sameSite: "strict" as const, path: "/", secure: req.secure });

  const signedIn = (req: Request, res: Response, account: StaffAccountRow, how: "password" | "code"): void => {
    const now = deps.clock.now();
    const { id, csrfToken } = deps.sessions.open(account, how, req.ip, now);
    deps.accounts.store.update(account.id, { lastSignInAt: now.getTime() });
    res.cookie(SESSION_COOKIE, id, { ...cookieOptions(req), maxAge: deps.maxAgeMs });
    res.json({ user: userOf(deps.accounts, account, now), csrfToken });
  };

  router.post(
    "/api/admin/session",
    handle(async (req, res) => {
      const { login, password } = body(req);
      const account = await deps.accounts.checkPassword(login, password, req.ip, deps.clock.now());
      signedIn(req, res, account, "password");
    }),
  );

  router.get(
    "/api/admin/session",
    handle((req, res) => {
      const id = readCookie(req.get("cookie"), SESSION_COOKIE);
      const now = deps.clock.now();
      const found = id === undefined ? undefined : deps.sessions.find(id, now);
      if (!id || !found) throw new StaffError(401, "session_expired", "not signed in (signed out, idle or too old)");
      res.json({ user: userOf(deps.accounts, found.account, now), csrfToken: deps.sessions.csrfToken(id) });
    }),
  );

  router.delete(
    "/api/admin/session",
    handle((req, res) => {
      const id = readCookie(req.get("cookie"), SESSION_COOKIE);
      const now = deps.clock.now();
      if (id !== undefined && deps.sessions.find(id, now)) {
        if (!deps.sessions.csrfMatches(id, req.get("x-csrf-token"))) {
          throw new StaffError(403, "csrf_failed", "X-CSRF-Token header is missing or wrong", "X-CSRF-Token");
        }
        deps.sessions.close(id, req.ip, now);
      }
      res.clearCookie(SESSION_COOKIE, cookieOptions(req));
      res.status(204).end();
    }),
  );

  router.post(
    "/api/admin/session/code",
    handle(async (req, res) => {
      const sent = await deps.codes.send(body(req).login, req.ip, deps.clock.now());
      res.status(202).json({ sent: true, channel: sent.channel, expiresAt: sent.expiresAt.toISOString() });
    }),
  );

  router.post(
    "/api/admin/session/code/verify",
    handle((req, res) => {
      const { login, code } = body(req);
      signedIn(req, res, deps.codes.verify(login, code, req.ip, deps.clock.now()), "code");
    }),
  );

  router.post(
    "/api/admin/password",
    handle(async (req, res) => {
      res.json(await deps.accounts.setPassword(req.body, deps.clock.now()));
    }),
  );

  return router;
}

function userOf(accounts: StaffAccounts, account: StaffAccountRow, now: Date): { login: string; name: string; role: string; unit: string | null } {
  const { login, name, role, unit } = accounts.view(account, now);
  return { login, name, role, unit };
}
