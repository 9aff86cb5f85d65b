import express, { Router, type RequestHandler } from "express";
import { AccessScopes, assertCanWrite, assertDepartment } from "../../access/scopes.js";
import { SqliteUnitDirectory } from "../../db/unit-directory.js";
import { SqliteUnitTree } from "../../db/unit-tree.js";
import type { Clock } from "../../core/ports.js";
import type { OpenDatabase } from "../../db/database.js";
import { AdminImports } from "../../registry/admin-imports.js";
import { fileTooLargeError, IMPORT_LIMITS, ImportFileError } from "../../registry/import-limits.js";
import { Linking, LinkError } from "../../registry/linking.js";
import { accessError, actorOf, type AuthedRequest } from "./authenticate.js";
import { HttpError } from "./http-error.js";
import { jsonHandler } from "./json-handler.js";
import type { TaskRoutesDeps } from "./task-routes.js";

export interface RegistryRoutesDeps extends TaskRoutesDeps {
  database: OpenDatabase;
  clock: Clock;
  botUsername: () => string | undefined;
}

const rawBody = express.raw({ type: () => true, limit: IMPORT_LIMITS.maxFileBytes });

/** The uploaded file's bytes; a body over the limit is answered 413 with the reason, before it is read whole. */
const uploadBody: RequestHandler = (req, res, next) => {
  rawBody(req, res, (error?: unknown) => {
    const type = typeof error === "object" && error !== null && "type" in error ? error.type : undefined;
    if (type === "entity.too.large") {
      res.status(413).json({ error: fileTooLargeError().message, code: "too_large" });
      return;
    }
    next(error);
  });
};

/**
 * The registry through the admin API (mounted after the admin auth middleware): uploads of units and people,
 * and link codes (the school year's tasks: task-routes).
 */
export function registryRoutes(deps: RegistryRoutesDeps): Router {
  const router = Router();
  const imports = new AdminImports(deps.database, deps.clock);
  const linking = new Linking(deps.database.db);

  const handle = jsonHandler<AuthedRequest>((error) => {
    if (error instanceof HttpError) return { status: error.status, body: { error: error.message } };
    if (error instanceof LinkError) return { status: 404, body: { error: error.message } };
    if (error instanceof ImportFileError) return { status: error.status, body: { error: error.message } };
    return accessError(error);
  });

  const unitDirectory = new SqliteUnitDirectory(deps.database.db);
  const scopes = new AccessScopes(new SqliteUnitTree(deps.database.db));

  // The unit tree as far as the caller reaches (an office admin: its office and the schools under it).
  router.get(
    "/api/admin/units",
    handle((req, res) => {
      const scope = scopes.unitCodeScope(actorOf(req));
      res.json({ units: unitDirectory.list().filter((u) => !scope || scope.has(u.code)) });
    }),
  );

  router.post(
    "/api/admin/imports/:kind",
    uploadBody,
    handle(async (req, res) => {
      const actor = actorOf(req);
      assertCanWrite(actor);
      const kind = req.params.kind;
      if (kind !== "units" && kind !== "people") throw new HttpError(404, "import units or people");
      if (kind === "units") assertDepartment(actor, "imports units");
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (body.length === 0) throw new HttpError(400, "body: send the CSV or XLSX file as the request body");
      const dryRun = req.query.dryRun === "true" || req.query.dryRun === "1";
      const report = await imports.run(actor, kind, body, dryRun);
      res.status(report.ok ? 200 : 400).json({ dryRun, ...report });
    }),
  );

  router.post(
    "/api/admin/people/:ref/link-code",
    handle((req, res) => {
      const { code, expiresAt, person } = linking.issueFor(actorOf(req), String(req.params.ref), deps.clock.now());
      const bot = deps.botUsername();
      // A person already linked in a chat: this code works in another chat only after DELETE …/link releases it.
      res.status(201).json({
        code,
        expiresAt: expiresAt.toISOString(),
        alreadyLinked: person.linked,
        ...(bot ? { telegramLink: `https://t.me/${bot}?start=${code}` } : {}),
      });
    }),
  );

  router.delete(
    "/api/admin/people/:ref/link",
    handle((req, res) => {
      const ref = String(req.params.ref);
      const released = linking.releaseFor(actorOf(req), ref, deps.clock.now());
      res.json({ ref, released });
    }),
  );

  return router;
}
