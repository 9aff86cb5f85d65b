import { Router, type Request } from "express";
import { z } from "zod";
import type { Clock } from "../../core/ports.js";
import { HandoffError, type HandoffInbox, type HandoffStatus } from "../../handoffs/handoff-inbox.js";
import { accessError, actorOf, type AuthedRequest } from "./authenticate.js";
import { jsonHandler } from "./json-handler.js";

const replyBody = z.object({ text: z.string().trim().min(1, "must not be empty").max(2000, "must be at most 2000 characters") }).strict();
const STATUSES = new Set<string>(["open", "answered", "closed"]);

/** The hand-off inbox (console: Hỗ trợ), mounted after the admin auth middleware. Only HTTP here. */
export function handoffRoutes(deps: { inbox: HandoffInbox; clock: Clock }): Router {
  const router = Router();
  const { inbox, clock } = deps;
  const handle = jsonHandler<AuthedRequest>((error) => {
    if (error instanceof HandoffError) return { status: error.status, body: { error: error.message, code: error.code, ...(error.field ? { field: error.field } : {}) } };
    return accessError(error);
  });
  const idParam = (req: Request): number => {
    const id = Number(req.params.id);
    if (!Number.isInteger(id) || id <= 0) throw new HandoffError(400, "invalid", "id: must be a positive integer", "id");
    return id;
  };

  router.get(
    "/api/admin/handoffs",
    handle((req, res) => {
      const status = req.query.status;
      if (status !== undefined && (typeof status !== "string" || !STATUSES.has(status))) {
        throw new HandoffError(400, "invalid", "status: must be open, answered or closed", "status");
      }
      res.json(inbox.list(actorOf(req), status as HandoffStatus | undefined, clock.now()));
    }),
  );

  router.get(
    "/api/admin/handoffs/:id",
    handle((req, res) => {
      res.json(inbox.get(idParam(req), actorOf(req), clock.now()));
    }),
  );

  router.post(
    "/api/admin/handoffs/:id/replies",
    handle((req, res) => {
      const id = idParam(req);
      const parsed = replyBody.safeParse(req.body);
      if (!parsed.success) throw new HandoffError(400, "invalid", `text: ${parsed.error.issues[0]?.message ?? "invalid"}`, "text");
      res.status(201).json(inbox.reply(id, parsed.data.text.normalize("NFC"), actorOf(req), clock.now()));
    }),
  );

  router.post(
    "/api/admin/handoffs/:id/close",
    handle((req, res) => {
      res.json(inbox.close(idParam(req), actorOf(req), clock.now()));
    }),
  );

  router.post(
    "/api/admin/handoffs/:id/reopen",
    handle((req, res) => {
      res.json(inbox.reopen(idParam(req), actorOf(req), clock.now()));
    }),
  );

  return router;
}
