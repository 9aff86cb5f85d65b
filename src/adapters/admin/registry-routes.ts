import express, { Router, type Request, type RequestHandler } from "express";
import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Actor } from "../../broadcast/broadcast-service.js";
import type { Clock } from "../../core/ports.js";
import { localIsoDate } from "../../core/time/zoned-time.js";
import type { OpenDatabase } from "../../db/database.js";
import { auditLog, people, plannedSteps, schoolYears, taskStatuses, taskStatusHistory, tasks, units } from "../../db/schema.js";
import { subtreeCodes } from "../../db/unit-tree.js";
import { Linking, LinkError } from "../../registry/linking.js";
import { jsonHandler } from "./json-handler.js";
import { importPeople } from "../../registry/people-import.js";
import { importUnits } from "../../registry/units-import.js";
import { fileTooLargeError, IMPORT_LIMITS, ImportFileError } from "../../registry/import-limits.js";
import { parseInWorker } from "../../registry/parse-in-worker.js";
import { daysBetween } from "../../reminders/steps.js";
import { loadTaskFile, openSchoolYear } from "../../tasks/school-year.js";

export interface RegistryRoutesDeps {
  database: OpenDatabase;
  clock: Clock;
  timeZone: string;
  tasksFile: string;
  botUsername: () => string | undefined;
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

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD");
const bilingual = z.object({ vi: z.string().trim().min(1), en: z.string().trim().min(1) }).strict();
const taskPatch = z
  .object({ dueOn: isoDate.nullable().optional(), title: bilingual.optional(), instructions: bilingual.optional() })
  .strict();
const statusBody = z.object({ status: z.enum(["todo", "done", "not_applicable"]), note: z.string().trim().max(500).optional() }).strict();

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

  router.post(
    "/api/admin/years",
    handle((req, res) => {
      const actor = actorOf(req);
      if (actor.role !== "department_admin") throw new HttpError(403, "only the Department opens school years");
      const parsed = z.object({ name: z.string() }).strict().safeParse(req.body);
      if (!parsed.success) throw new HttpError(400, "name: a school year such as 2027-2028");
      try {
        const result = openSchoolYear(db, parsed.data.name, loadTaskFile(deps.tasksFile), deps.clock.now());
        if (result.created) audit(actor, "year.open", parsed.data.name);
        res.status(result.created ? 201 : 200).json(result);
      } catch (error) {
        throw new HttpError(400, `name: ${(error as Error).message}`);
      }
    }),
  );

  router.get(
    "/api/admin/tasks",
    handle((req, res) => {
      const yearName = typeof req.query.year === "string" ? req.query.year : undefined;
      const today = localIsoDate(deps.clock.now(), deps.timeZone);
      const year = yearName
        ? db.select().from(schoolYears).where(eq(schoolYears.name, yearName)).get()
        : db.select().from(schoolYears).where(and(sql`${schoolYears.startsOn} <= ${today}`, sql`${schoolYears.endsOn} >= ${today}`)).get();
      if (!year) throw new HttpError(404, "no such school year");
      const rows = db.select().from(tasks).where(eq(tasks.yearId, year.id)).orderBy(asc(tasks.dueOn), asc(tasks.id)).all();
      // An office admin's counts cover its own units only, like its list of who is late.
      const scope = scopeOf(actorOf(req));
      const inScope = scope
        ? sql` AND unit_id IN (SELECT id FROM units WHERE code IN (${sql.join([...scope].map((c) => sql`${c}`), sql`, `)}))`
        : sql``;
      res.json({
        year: year.name,
        tasks: rows.map((t) => {
          const counts = db.all<{ status: string; n: number }>(sql`SELECT status, count(*) AS n FROM task_statuses WHERE task_id = ${t.id}${inScope} GROUP BY status`);
          return {
            id: t.id,
            key: t.key,
            section: t.section,
            title: { vi: t.titleVi, en: t.titleEn },
            dueOn: t.dueOn,
            appliesTo: { types: JSON.parse(t.appliesTypes) as string[], levels: t.appliesLevels ? (JSON.parse(t.appliesLevels) as string[]) : null },
            statuses: Object.fromEntries(counts.map((c) => [c.status, c.n])),
          };
        }),
      });
    }),
  );

  router.patch(
    "/api/admin/tasks/:id",
    handle((req, res) => {
      const actor = actorOf(req);
      if (actor.role !== "department_admin") throw new HttpError(403, "only the Department edits tasks");
      const parsed = taskPatch.safeParse(req.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new HttpError(400, `${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`);
      }
      const id = Number(req.params.id);
      const task = db.select().from(tasks).where(eq(tasks.id, id)).get();
      if (!task) throw new HttpError(404, `no task ${id}`);
      const change = parsed.data;
      db.transaction((tx) => {
        tx.update(tasks)
          .set({
            ...(change.dueOn !== undefined ? { dueOn: change.dueOn } : {}),
            ...(change.title ? { titleVi: change.title.vi, titleEn: change.title.en } : {}),
            ...(change.instructions ? { instructionsVi: change.instructions.vi, instructionsEn: change.instructions.en } : {}),
            updatedAt: deps.clock.now().getTime(),
          })
          .where(eq(tasks.id, id))
          .run();
        // A new date means new steps: the planner must look at this task afresh.
        if (change.dueOn !== undefined) tx.delete(plannedSteps).where(eq(plannedSteps.taskId, id)).run();
      });
      audit(actor, "task.update", `task:${task.key}`, change);
      res.json({ id, ...change });
    }),
  );

  router.put(
    "/api/admin/tasks/:id/units/:code/status",
    handle((req, res) => {
      const actor = actorOf(req);
      requireWriter(actor);
      const parsed = statusBody.safeParse(req.body);
      if (!parsed.success) throw new HttpError(400, "status: must be todo, done or not_applicable");
      const id = Number(req.params.id);
      const code = String(req.params.code);
      const unit = db.select().from(units).where(eq(units.code, code)).get();
      const task = db.select().from(tasks).where(eq(tasks.id, id)).get();
      if (!unit || !task) throw new HttpError(404, "no such task or unit");
      const scope = scopeOf(actor);
      if (scope && !scope.has(unit.code)) throw new HttpError(403, "this unit is outside your office");
      const at = deps.clock.now().getTime();
      const { status, note } = parsed.data;
      db.transaction((tx) => {
        tx.insert(taskStatuses)
          .values({ taskId: id, unitId: unit.id, status, changedBy: actor.label, changedAt: at, note: note ?? null })
          .onConflictDoUpdate({ target: [taskStatuses.taskId, taskStatuses.unitId], set: { status, changedBy: actor.label, changedAt: at, note: note ?? null } })
          .run();
        tx.insert(taskStatusHistory).values({ taskId: id, unitId: unit.id, status, changedBy: actor.label, note: note ?? null, at }).run();
      });
      audit(actor, "task.status", `task:${task.key}/${unit.code}`, { status, note });
      res.json({ task: task.key, unit: unit.code, status });
    }),
  );

  router.get(
    "/api/admin/tasks/:id/late",
    handle((req, res) => {
      const id = Number(req.params.id);
      const task = db.select().from(tasks).where(eq(tasks.id, id)).get();
      if (!task) throw new HttpError(404, `no task ${id}`);
      const today = localIsoDate(deps.clock.now(), deps.timeZone);
      if (!task.dueOn || task.dueOn >= today) {
        res.json({ task: task.key, dueOn: task.dueOn, late: [] });
        return;
      }
      const types = JSON.parse(task.appliesTypes) as string[];
      const levels = task.appliesLevels ? (JSON.parse(task.appliesLevels) as string[]) : null;
      const scope = scopeOf(actorOf(req));
      const rows = db.all<{ code: string; name: string; type: string; level: string | null; office: string | null }>(sql`
        SELECT u.code, u.name, u.type, u.level, parent.code AS office
        FROM units u LEFT JOIN units parent ON parent.id = u.parent_id
        WHERE u.type IN (${sql.join(types.map((t) => sql`${t}`), sql`, `)})
          AND NOT EXISTS (SELECT 1 FROM task_statuses s WHERE s.task_id = ${id} AND s.unit_id = u.id AND s.status IN ('done', 'not_applicable'))
        ORDER BY parent.code, u.code`);
      const late = rows
        .filter((u) => u.type !== "school" || !levels || levels.includes(u.level ?? ""))
        .filter((u) => !scope || scope.has(u.code))
        .map((u) => ({ code: u.code, name: u.name, office: u.office }));
      res.json({ task: task.key, dueOn: task.dueOn, daysLate: daysBetween(task.dueOn, today), late });
    }),
  );

  return router;
}
