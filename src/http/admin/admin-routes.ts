import { Router, type Request } from "express";
import type { Authenticator } from "../../access/actor.js";
import { BroadcastError, type BroadcastService } from "../../broadcast/broadcast-service.js";
import type { Logger } from "../../core/conversation.js";
import type { Clock } from "../../core/ports.js";
import type { SqliteOutbox } from "../../outbox/sqlite-outbox-store.js";
import { SendError } from "../../core/delivery/send-error.js";
import type { StaffAccounts } from "../../access/staff-accounts.js";
import type { StaffSessions } from "../../access/staff-sessions.js";
import type { StaffSignInCodes } from "../../access/staff-sign-in-codes.js";
import type { HandoffInbox } from "../../handoffs/handoff-inbox.js";
import { accessErrorWithField, actorOf, adminAuth, type AuthedRequest } from "./authenticate.js";
import { handoffRoutes } from "./handoff-routes.js";
import { jsonHandler } from "./json-handler.js";
import type { KnowledgeEditor } from "../../knowledge-edit/knowledge-editor.js";
import { knowledgeRoutes } from "./knowledge-routes.js";
import { openApiDocument } from "./openapi.js";
import { registryRoutes, type RegistryRoutesDeps } from "./registry-routes.js";
import { sessionRoutes } from "./session-routes.js";
import { taskRoutes } from "./task-routes.js";
import { userRoutes } from "./user-routes.js";

export interface AdminRoutesDeps {
  /** who is calling: an admin token today */
  tokens: Authenticator;
  broadcasts: BroadcastService;
  outbox: SqliteOutbox;
  clock: Clock;
  /** failed logins are logged with the caller's address */
  logger?: Logger;
  registry?: RegistryRoutesDeps;
  /** the hand-off inbox (Hỗ trợ) */
  handoffs?: HandoffInbox;
  /** live knowledge editing (Kiến thức) */
  knowledge?: KnowledgeEditor;
  /** staff accounts and console sessions: the cookie is accepted beside bearer tokens */
  staff?: {
    accounts: StaffAccounts;
    sessions: StaffSessions;
    codes: StaffSignInCodes;
    /** the session's absolute limit, also the cookie's max age */
    maxAgeMs: number;
    /** where the console is reached, for set-password links */
    baseUrl: string;
  };
}

/** The Department's admin API: bearer tokens or a console session, with roles, JSON validated with zod, every change audited. */
export function adminRoutes(deps: AdminRoutesDeps): Router {
  const router = Router();

  router.get("/api/openapi.json", (_req, res) => {
    res.json(openApiDocument());
  });

  const { staff } = deps;
  // Signing in (and setting a password by its link) comes before authentication.
  if (staff) router.use(sessionRoutes({ ...staff, clock: deps.clock, ...(deps.logger ? { logger: deps.logger } : {}) }));
  router.use("/api/admin", adminAuth(deps.tokens, staff?.sessions, deps.clock, deps.logger));
  if (staff) router.use(userRoutes({ accounts: staff.accounts, clock: deps.clock, baseUrl: staff.baseUrl }));

  const handle = jsonHandler<AuthedRequest>((error) => {
    if (error instanceof BroadcastError) return { status: error.status, body: { error: error.message, field: error.field } };
    if (error instanceof SendError) return { status: 502, body: { error: `the platform refused the test message: ${error.message}` } };
    return accessErrorWithField(error);
  });

  const idParam = (req: Request): number => {
    const id = Number(req.params.id);
    if (!Number.isInteger(id) || id <= 0) throw new BroadcastError(400, "id", "must be a positive integer");
    return id;
  };

  router.post(
    "/api/admin/audiences/count",
    handle((req, res) => {
      res.json(deps.broadcasts.countAudience(req.body, actorOf(req)));
    }),
  );

  router.post(
    "/api/admin/broadcasts/preview",
    handle((req, res) => {
      res.json(deps.broadcasts.preview(req.body, actorOf(req)));
    }),
  );

  router.post(
    "/api/admin/broadcasts",
    handle((req, res) => {
      const created = deps.broadcasts.create(req.body, actorOf(req));
      res.status(201).location(`/api/admin/broadcasts/${created.id}`).json(created);
    }),
  );

  router.get(
    "/api/admin/broadcasts",
    handle((req, res) => {
      const limit = req.query.limit === undefined ? 50 : Number(req.query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new BroadcastError(400, "limit", "must be an integer from 1 to 200");
      const before = req.query.before === undefined ? undefined : Number(req.query.before);
      if (before !== undefined && (!Number.isInteger(before) || before <= 0)) throw new BroadcastError(400, "before", "must be a positive integer");
      res.json(deps.broadcasts.list(actorOf(req), { limit, ...(before !== undefined ? { before } : {}) }));
    }),
  );

  router.get(
    "/api/admin/broadcasts/:id",
    handle((req, res) => {
      res.json(deps.broadcasts.get(idParam(req), actorOf(req)));
    }),
  );

  router.post(
    "/api/admin/broadcasts/:id/cancel",
    handle((req, res) => {
      res.json(deps.broadcasts.cancel(idParam(req), actorOf(req)));
    }),
  );

  router.post(
    "/api/admin/broadcasts/:id/test",
    handle(async (req, res) => {
      res.json(await deps.broadcasts.testSend(idParam(req), actorOf(req)));
    }),
  );

  router.get(
    "/api/admin/broadcasts/:id/deliveries.csv",
    handle((req, res) => {
      const id = idParam(req);
      deps.broadcasts.get(id, actorOf(req));
      res.type("text/csv; charset=utf-8").attachment(`broadcast-${id}-deliveries.csv`);
      res.write("\uFEFFoutbox_id,channel,address,locale,status,reason,attempts,done_at\r\n");
      for (const d of deps.outbox.deliveries("broadcast", id)) {
        const doneAt = d.doneAt ? new Date(d.doneAt).toISOString() : "";
        res.write(`${[d.id, d.channel, d.address, d.locale, d.status, d.reason ?? "", d.attempts, doneAt].map(csvField).join(",")}\r\n`);
      }
      res.end();
    }),
  );

  if (deps.registry) router.use(registryRoutes(deps.registry), taskRoutes(deps.registry));
  if (deps.handoffs) router.use(handoffRoutes({ inbox: deps.handoffs, clock: deps.clock }));
  if (deps.knowledge) router.use(knowledgeRoutes(deps.knowledge));

  return router;
}

/** Quotes when needed, and defuses spreadsheet formulas (a cell starting with = + @ or a non-numeric -). */
export function csvField(value: string | number): string {
  let s = String(value);
  if (/^[=+@]/.test(s) || /^-(?!\d+$)/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
