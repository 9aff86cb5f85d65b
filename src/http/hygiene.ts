import { createHash, timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import helmet from "helmet";

/**
 * Security headers on every response. The strict default CSP fits JSON; the web chat page and the console
 * set their own (stricter-than-default, script from 'self') on their routes, which replaces this one.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { "default-src": ["'none'"], "base-uri": ["'none'"], "form-action": ["'none'"], "frame-ancestors": ["'none'"] },
    },
    frameguard: { action: "deny" },
    referrerPolicy: { policy: "no-referrer" },
    // Sibling hosts of the Department may still be plain HTTP: no includeSubDomains.
    strictTransportSecurity: { maxAge: 15_552_000, includeSubDomains: false },
  });
}

/** Answers that hold personal data or admin state must not stay in a browser or proxy cache. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set("Cache-Control", "no-store");
  next();
};

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/**
 * GET /metrics: with METRICS_TOKEN, only `Authorization: Bearer <token>`; without it, only requests made
 * directly on this host (loopback, and no proxy header: a reverse proxy on the same host would otherwise
 * make every outside request look local).
 */
export function metricsAccess(token: string | undefined): RequestHandler {
  const expected = token === undefined ? undefined : digest(token);
  return (req, res, next) => {
    if (expected) {
      const given = /^Bearer\s+(\S+)$/i.exec(req.get("authorization") ?? "")?.[1];
      if (given !== undefined && timingSafeEqual(digest(given), expected)) {
        next();
        return;
      }
      res.status(401).set("WWW-Authenticate", 'Bearer realm="metrics"').json({ error: "missing or invalid bearer token" });
      return;
    }
    const proxied = ["x-forwarded-for", "forwarded", "x-real-ip"].some((h) => req.get(h) !== undefined);
    if (LOOPBACK.has(req.socket.remoteAddress ?? "") && !proxied) {
      next();
      return;
    }
    res.status(403).json({ error: "metrics are served on loopback only; set METRICS_TOKEN to read them from elsewhere" });
  };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}
