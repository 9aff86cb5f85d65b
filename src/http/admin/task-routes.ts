import { Router } from "express";
import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { AuditLog } from "../../access/audit-log.js";
import { AccessScopes, assertCanWrite, assertDepartment } from "../../access/scopes.js";
import { localIsoDate } from "../../core/time/zoned-time.js";
import { plannedSteps, schoolYears, taskStatuses, taskStatusHistory, tasks, units } from "../../db/schema.js";
import { SqliteUnitTree } from "../../db/unit-tree.js";
import { daysBetween } from "../../reminders/steps.js";
import { loadTaskFile, openSchoolYear } from "../../tasks/school-year.js";
import { accessError, actorOf, type AuthedRequest } from "./authenticate.js";
import { HttpError } from "./http-error.js";
import { jsonHandler } from "./json-handler.js";
import type { Clock } from "../../core/ports.js";
import type { OpenDatabase } from "../../db/database.js";

export interface TaskRoutesDeps {
  database: OpenDatabase;
  clock: Clock;
  timeZone: string;
  tasksFile: string;
}

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD");
const bilingual = z.object({ vi: z.string().trim().min(1), en: z.string().trim().min(1) }).strict();
const taskPatch = z
  .object({ dueOn: isoDate.nullable().optional(), title: bilingual.optional(), instructions: bilingual.optional() })
  .strict();
const statusBody = z.object({ status: z.enum(["todo", "done", "not_applicable"]), note: z.string().trim().max(500).optional() }).strict();

/** The school year through the admin API: tasks and their dates, each school's status, and who is late. */
export function taskRoutes(deps: TaskRoutesDeps): Router {
  const router = Router();
  const { db } = deps.database;
  const audit = new AuditLog(db);
  const scopes = new AccessScopes(new SqliteUnitTree(db));

  const handle = jsonHandler<AuthedRequest>((error) => {
    if (error instanceof HttpError) return { status: error.status, body: { error: error.message } };
    return accessError(error);
  });

  router.post(
    "/api/admin/years",
    handle((req, res) => {
      const actor = actorOf(req);
      assertDepartment(actor, "opens school years");
      const parsed = z.object({ name: z.string() }).strict().safeParse(req.body);
      if (!parsed.success) throw new HttpError(400, "name: a school year such as 2027-2028");
      try {
        const result = openSchoolYear(db, parsed.data.name, loadTaskFile(deps.tasksFile), deps.clock.now());
        if (result.created) audit.record({ actor, action: "year.open", target: parsed.data.name, at: deps.clock.now() });
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
      const scope = scopes.unitCodeScope(actorOf(req));
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
      assertDepartment(actor, "edits tasks");
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
      audit.record({ actor, action: "task.update", target: `task:${task.key}`, detail: change, at: deps.clock.now() });
      res.json({ id, ...change });
    }),
  );

  router.put(
    "/api/admin/tasks/:id/units/:code/status",
    handle((req, res) => {
      const actor = actorOf(req);
      assertCanWrite(actor);
      const parsed = statusBody.safeParse(req.body);
      if (!parsed.success) throw new HttpError(400, "status: must be todo, done or not_applicable");
      const id = Number(req.params.id);
      const code = String(req.params.code);
      const unit = db.select().from(units).where(eq(units.code, code)).get();
      const task = db.select().from(tasks).where(eq(tasks.id, id)).get();
      if (!unit || !task) throw new HttpError(404, "no such task or unit");
      const scope = scopes.unitCodeScope(actor);
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
      audit.record({ actor, action: "task.status", target: `task:${task.key}/${unit.code}`, detail: { status, note }, at: deps.clock.now() });
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
      const scope = scopes.unitCodeScope(actorOf(req));
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
