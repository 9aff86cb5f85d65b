import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Actor, Authenticator } from "../../access/actor.js";
import { AccessError } from "../../access/scopes.js";
import type { Logger } from "../../core/conversation.js";
import type { Clock } from "../../core/ports.js";

/** A request that passed `bearerAuth`: the actor is set. */
export type AuthedRequest = Request & { actor?: Actor };

export function actorOf(req: AuthedRequest): Actor {
  if (!req.actor) throw new Error("admin route mounted without bearerAuth");
  return req.actor;
}

/** The console's session cookie. */
export const SESSION_COOKIE = "sogd_session";

/** What the admin routes need of console sessions (staff-sessions.ts implements it). */
export interface SessionAuthenticator extends Authenticator {
  csrfMatches(id: string, header: string | undefined): boolean;
}

/** One cookie's value from the Cookie header, or undefined (parsed here: no cookie library for one name). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Answers 401 unless the bearer token names an actor; routes after it read the actor with `actorOf`. */
export function bearerAuth(authenticator: Authenticator, clock: Clock, logger?: Logger): RequestHandler {
  return adminAuth(authenticator, undefined, clock, logger);
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Either `Authorization: Bearer <token>` (automation) or the console's session cookie. A cookie is sent by the
 * browser on its own, so with it every request that changes anything must also carry the session's CSRF token
 * in `X-CSRF-Token` (a bearer token is never ambient, so it needs none).
 */
export function adminAuth(bearer: Authenticator, sessions: SessionAuthenticator | undefined, clock: Clock, logger?: Logger): RequestHandler {
  return (req: AuthedRequest, res: Response, next: NextFunction) => {
    const header = req.get("authorization");
    const cookie = sessions && header === undefined ? readCookie(req.get("cookie"), SESSION_COOKIE) : undefined;
    if (sessions && cookie !== undefined) {
      const actor = sessions.authenticate(cookie, clock.now());
      if (!actor) {
        res.status(401).json({ error: "the session has ended (signed out, idle or too old); sign in again", code: "session_expired" });
        return;
      }
      if (!SAFE_METHODS.has(req.method) && !sessions.csrfMatches(cookie, req.get("x-csrf-token"))) {
        logger?.warn({ ip: req.ip, method: req.method, path: req.originalUrl.split("?")[0] }, "admin request refused: CSRF token missing or wrong");
        res.status(403).json({ error: "X-CSRF-Token header is missing or wrong", code: "csrf_failed", field: "X-CSRF-Token" });
        return;
      }
      req.actor = actor;
      next();
      return;
    }
    const m = /^Bearer\s+(\S+)$/i.exec(header ?? "");
    const actor = m ? bearer.authenticate(m[1] as string, clock.now()) : undefined;
    if (!actor) {
      // Never the token itself: only who tried, and whether a token was given at all.
      logger?.warn({ ip: req.ip, method: req.method, path: req.originalUrl.split("?")[0], tokenGiven: m !== null }, "admin authentication failed");
      res.status(401).set("WWW-Authenticate", 'Bearer realm="admin"').json({ error: "missing or invalid bearer token", code: "unauthenticated" });
      return;
    }
    req.actor = actor;
    next();
  };
}

/** A role refusal as the broadcast routes answer it: the error names the field. */
export function accessErrorWithField(error: unknown): { status: number; body: Record<string, unknown> } | undefined {
  return error instanceof AccessError ? { status: error.status, body: { error: `${error.field}: ${error.message}`, code: "forbidden", field: error.field } } : undefined;
}

/** A role refusal as the registry and task routes answer it. */
export function accessError(error: unknown): { status: number; body: Record<string, unknown> } | undefined {
  return error instanceof AccessError ? { status: error.status, body: { error: error.message, code: "forbidden" } } : undefined;
}
