import express, { Router, type Request, type RequestHandler } from "express";
import { eq } from "drizzle-orm";
import type { Actor } from "../../broadcast/broadcast-service.js";
import type { Clock } from "../../core/ports.js";
import type { OpenDatabase } from "../../db/database.js";
import { auditLog, people, units } from "../../db/schema.js";
import { subtreeCodes } from "../../db/unit-tree.js";
import { Linking, LinkError } from "../../registry/linking.js";
import { jsonHandler } from "./json-handler.js";
import { importPeople } from "../../registry/people-import.js";
import { importUnits } from "../../registry/units-import.js";
import { fileTooLargeError, IMPORT_LIMITS, ImportFileError } from "../../registry/import-limits.js";
import { parseInWorker } from "../../registry/parse-in-worker.js";
import type { TaskBoard } from "../../tasks/task-board.js";
import { taskRoutes } from "./task-routes.js";

export interface RegistryRoutesDeps {
  database: OpenDatabase;
  clock: Clock;
  timeZone: string;
  tasksFile: string;
  botUsername: () => string | undefined;
  taskBoard: TaskBoard;
}

type AuthedRequest = Request & { actor?: Actor };

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const rawBody = express.raw({ type: () => true, limit: IMPORT_LIMITS.maxFileBytes });

/** The uploaded file's bytes; a body over the limit is answered 413 with the reason, before it is read whole. */
const uploadBody: RequestHandler = (req, res, next) => {
  rawBody(req, res, (error?: unknown) => {
    const type = typeof error === "object" && error !== null && "type" in error ? error.type : undefined;
    if (type === "entity.too.large") {
      res.status(413).json({ error: fileTooLargeError().message });
      return;
    }
    next(error);
  });
};

/**
 * The registry and the school year through the admin API (mounted after the admin auth middleware):
 * uploads of units and people, link codes, tasks and their dates, each school's status, and who is late.
 */
export function registryRoutes(deps: RegistryRoutesDeps): Router {
  const router = Router();
  const { db } = deps.database;

  const handle = jsonHandler<AuthedRequest>((error) => {
    if (error instanceof HttpError) return { status: error.status, body: { error: error.message } };
    if (error instanceof LinkError) return { status: 404, body: { error: error.message } };
    if (error instanceof ImportFileError) return { status: error.status, body: { error: error.message } };
    return undefined;
  });
  const actorOf = (req: AuthedRequest): Actor => req.actor as Actor;
  const requireWriter = (actor: Actor) => {
    if (actor.role === "viewer") throw new HttpError(403, "viewer tokens are read-only");
  };
  const scopeOf = (actor: Actor): Set<string> | undefined => {
    if (actor.role !== "office_admin") return undefined;
    if (actor.unitId === null) throw new HttpError(403, "this office token has no unit");
    return subtreeCodes(db, actor.unitId);
  };
  const audit = (actor: Actor, action: string, target: string, detail?: unknown) =>
    db.insert(auditLog).values({ actor: actor.label, action, target, detail: detail === undefined ? null : JSON.stringify(detail), at: deps.clock.now().getTime() }).run();

  router.post(
    "/api/admin/imports/:kind",
    uploadBody,
    handle(async (req, res) => {
      const actor = actorOf(req);
      requireWriter(actor);
      const kind = req.params.kind;
      if (kind !== "units" && kind !== "people") throw new HttpError(404, "import units or people");
      if (kind === "units" && actor.role !== "department_admin") throw new HttpError(403, "only the Department imports units");
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (body.length === 0) throw new HttpError(400, "body: send the CSV or XLSX file as the request body");
      // Decoding and parsing happen in a worker thread, within the import limits (413/400 for refused files).
      const input = await parseInWorker(body);
      const dryRun = req.query.dryRun === "true" || req.query.dryRun === "1";
      const options = { dryRun, now: deps.clock.now(), allowedUnitCodes: scopeOf(actor) };
      const report = kind === "units" ? importUnits(deps.database, input, options) : importPeople(deps.database, input, options);
      if (report.ok && !dryRun) audit(actor, `import.${kind}`, kind, { created: report.created, updated: report.updated });
      res.status(report.ok ? 200 : 400).json({ dryRun, ...report });
    }),
  );

  router.post(
    "/api/admin/people/:ref/link-code",
    handle((req, res) => {
      const actor = actorOf(req);
      requireWriter(actor);
      const ref = String(req.params.ref);
      const person = db.select({ unitCode: units.code }).from(people).innerJoin(units, eq(units.id, people.unitId)).where(eq(people.ref, ref)).get();
      const scope = scopeOf(actor);
      // Someone outside an office admin's units gets the same 404 as no one, so refs elsewhere stay unknown.
      if (!person || (scope && !scope.has(person.unitCode))) throw new HttpError(404, `no person with ref "${ref}"`);
      const { code, expiresAt, person: issued } = new Linking(db).issue(ref, actor.label, deps.clock.now());
      const bot = deps.botUsername();
      // A person already linked in a chat: this code works in another chat only after DELETE …/link releases it.
      res.status(201).json({
        code,
        expiresAt: expiresAt.toISOString(),
        alreadyLinked: issued.linked,
        ...(bot ? { telegramLink: `https://t.me/${bot}?start=${code}` } : {}),
      });
    }),
  );

  router.delete(
    "/api/admin/people/:ref/link",
    handle((req, res) => {
      const actor = actorOf(req);
      requireWriter(actor);
      const ref = String(req.params.ref);
      const person = db.select({ unitCode: units.code }).from(people).innerJoin(units, eq(units.id, people.unitId)).where(eq(people.ref, ref)).get();
      const scope = scopeOf(actor);
      if (!person || (scope && !scope.has(person.unitCode))) throw new HttpError(404, `no person with ref "${ref}"`);
      const released = new Linking(db).release(ref, actor.label, deps.clock.now());
      res.json({ ref, released });
    }),
  );

  router.use(taskRoutes({ board: deps.taskBoard, tasksFile: deps.tasksFile, scopeOf, audit }));

  return router;
}
