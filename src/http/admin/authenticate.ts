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

/** Answers 401 unless the bearer token names an actor; routes after it read the actor with `actorOf`. */
export function bearerAuth(authenticator: Authenticator, clock: Clock, logger?: Logger): RequestHandler {
  return (req: AuthedRequest, res: Response, next: NextFunction) => {
    const header = req.get("authorization") ?? "";
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const actor = m ? authenticator.authenticate(m[1] as string, clock.now()) : undefined;
    if (!actor) {
      // Never the token itself: only who tried, and whether a token was given at all.
      logger?.warn({ ip: req.ip, method: req.method, path: req.originalUrl.split("?")[0], tokenGiven: m !== null }, "admin authentication failed");
      res.status(401).set("WWW-Authenticate", 'Bearer realm="admin"').json({ error: "missing or invalid bearer token" });
      return;
    }
    req.actor = actor;
    next();
  };
}

/** A role refusal as the broadcast routes answer it: the error names the field. */
export function accessErrorWithField(error: unknown): { status: number; body: Record<string, unknown> } | undefined {
  return error instanceof AccessError ? { status: error.status, body: { error: `${error.field}: ${error.message}`, field: error.field } } : undefined;
}

/** A role refusal as the registry and task routes answer it. */
export function accessError(error: unknown): { status: number; body: Record<string, unknown> } | undefined {
  return error instanceof AccessError ? { status: error.status, body: { error: error.message } } : undefined;
}
