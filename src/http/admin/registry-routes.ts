import express, { Router, type RequestHandler } from "express";
import { AccessScopes, assertCanWrite, assertDepartment } from "../../access/scopes.js";
import { SqliteUnitDirectory } from "../../db/unit-directory.js";
import { SqliteUnitTree } from "../../db/unit-tree.js";
import type { Clock } from "../../core/ports.js";
import type { OpenDatabase } from "../../db/database.js";
import { AdminImports } from "../../registry/admin-imports.js";
import { fileTooLargeError, IMPORT_LIMITS, ImportFileError } from "../../registry/import-limits.js";
import { Linking, LinkError } from "../../registry/linking.js";
import { PERSON_ROLES } from "../../registry/people-import.js";
import { ReachChannelError, RegistryPeople } from "../../registry/registry-people.js";
import { accessError, actorOf, type AuthedRequest } from "./authenticate.js";
import { HttpError } from "./http-error.js";
import { jsonHandler } from "./json-handler.js";
import type { TaskRoutesDeps } from "./task-routes.js";

export interface RegistryRoutesDeps extends TaskRoutesDeps {
  database: OpenDatabase;
  clock: Clock;
  botUsername: () => string | undefined;
  /** the Zalo Official Account's public link, printed on link letters when set */
  zaloOaUrl?: string | undefined;
}

const rawBody = express.raw({ type: () => true, limit: IMPORT_LIMITS.maxFileBytes });

/** The uploaded file's bytes; a body over the limit is answered 413 with the reason, before it is read whole. */
const uploadBody: RequestHandler = (req, res, next) => {
  rawBody(req, res, (error?: unknown) => {
    const type = typeof error === "object" && error !== null && "type" in error ? error.type : undefined;
    if (type === "entity.too.large") {
      res.status(413).json(importFileErrorBody(fileTooLargeError()));
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
  const registryPeople = new RegistryPeople(deps.database.db, linking, { botUsername: deps.botUsername, zaloOaUrl: deps.zaloOaUrl });

  const handle = jsonHandler<AuthedRequest>((error) => {
    if (error instanceof HttpError) return { status: error.status, body: { error: error.message, code: error.status === 404 ? "not_found" : "invalid" } };
    if (error instanceof LinkError) return { status: 404, body: { error: error.message, code: "not_found" } };
    if (error instanceof ReachChannelError) return { status: 400, body: { error: error.message, code: "unknown_channel", field: "off" } };
    if (error instanceof ImportFileError) return { status: error.status, body: importFileErrorBody(error) };
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

  // People of the register in the caller's units: searched by name or ref, by unit and role, a page at a time.
  router.get(
    "/api/admin/people",
    handle((req, res) => {
      const text = (name: string): string | undefined => (typeof req.query[name] === "string" ? (req.query[name] as string) : undefined);
      const number = (name: string): number | undefined => {
        const value = Number(text(name));
        return Number.isFinite(value) ? value : undefined;
      };
      const role = text("role");
      if (role && !(PERSON_ROLES as readonly string[]).includes(role)) throw new HttpError(400, `role: one of ${PERSON_ROLES.join(", ")}`);
      res.json(registryPeople.list(actorOf(req), { q: text("q"), unit: text("unit"), role, limit: number("limit"), offset: number("offset") }));
    }),
  );

  // A school's link letter: a one-time code for each person not linked yet (or only its IT leads), with QR codes.
  router.post(
    "/api/admin/units/:code/link-letter",
    handle(async (req, res) => {
      const body = (req.body ?? {}) as { itLeadsOnly?: unknown };
      const letter = await registryPeople.linkLetter(actorOf(req), String(req.params.code), { itLeadsOnly: body.itLeadsOnly === true }, deps.clock.now());
      res.status(201).json(letter);
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
        ...(deps.zaloOaUrl ? { zaloLink: deps.zaloOaUrl } : {}),
      });
    }),
  );

  // Which channels a person's reminders may not use, and in which order they are tried (the chat's /settings).
  router.put(
    "/api/admin/people/:ref/reach",
    handle((req, res) => {
      const body = (req.body ?? {}) as { off?: unknown; order?: unknown };
      const isList = (value: unknown): value is string[] => Array.isArray(value) && value.every((c) => typeof c === "string");
      if (!isList(body.off)) throw new HttpError(400, "off: a list of channels (zalo, telegram, zns, email)");
      if (body.order !== undefined && !isList(body.order)) throw new HttpError(400, "order: a list of channels (zalo, telegram, zns, email), first tried first");
      res.json(registryPeople.setReach(actorOf(req), String(req.params.ref), body.off, deps.clock.now(), body.order));
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

/** A file refused whole: a stable code, and the reason in Vietnamese and English for the console to show. */
function importFileErrorBody(error: ImportFileError): Record<string, unknown> {
  return { error: error.message, code: error.status === 413 ? "file_too_large" : "file_unreadable", messageVi: error.vi, messageEn: error.en };
}
