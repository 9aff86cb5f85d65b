import { Router } from "express";
import { z } from "zod";
import { AuditLog } from "../../access/audit-log.js";
import { AccessScopes, assertCanWrite, assertDepartment } from "../../access/scopes.js";
import type { Clock } from "../../core/ports.js";
import type { OpenDatabase } from "../../db/database.js";
import { SqliteUnitTree } from "../../db/unit-tree.js";
import { loadTaskFile } from "../../tasks/school-year.js";
import type { TaskBoard } from "../../tasks/task-board.js";
import { accessError, actorOf, type AuthedRequest } from "./authenticate.js";
import { HttpError } from "./http-error.js";
import { jsonHandler } from "./json-handler.js";

export interface TaskRoutesDeps {
  database: OpenDatabase;
  clock: Clock;
  taskBoard: TaskBoard;
  tasksFile: string;
}

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD");
const bilingual = z.object({ vi: z.string().trim().min(1), en: z.string().trim().min(1) }).strict();
const taskPatch = z
  .object({ dueOn: isoDate.nullable().optional(), title: bilingual.optional(), instructions: bilingual.optional() })
  .strict();
const statusBody = z.object({ status: z.enum(["todo", "done", "not_applicable"]), note: z.string().trim().max(500).optional() }).strict();

/**
 * The school year's tasks through the admin API (mounted after the admin auth middleware): opening a year,
 * the task list with counts, dates and texts, each unit's status, and who is late. Only HTTP here; the rules
 * are the task board's.
 */
export function taskRoutes(deps: TaskRoutesDeps): Router {
  const router = Router();
  const board = deps.taskBoard;
  const trail = new AuditLog(deps.database.db);
  const scopes = new AccessScopes(new SqliteUnitTree(deps.database.db));
  const scopeOf = (req: AuthedRequest) => scopes.unitCodeScope(actorOf(req));
  const audit = (req: AuthedRequest, action: string, target: string, detail?: unknown): void =>
    trail.record({ actor: actorOf(req), action, target, ...(detail === undefined ? {} : { detail }), at: deps.clock.now() });
  const handle = jsonHandler<AuthedRequest>((error) => {
    if (error instanceof HttpError) return { status: error.status, body: { error: error.message } };
    return accessError(error);
  });

  router.post(
    "/api/admin/years",
    handle((req, res) => {
      assertDepartment(actorOf(req), "opens school years");
      const parsed = z.object({ name: z.string() }).strict().safeParse(req.body);
      if (!parsed.success) throw new HttpError(400, "name: a school year such as 2027-2028");
      let result: { id: number; created: boolean };
      try {
        result = board.openYear(parsed.data.name, loadTaskFile(deps.tasksFile));
      } catch (error) {
        throw new HttpError(400, `name: ${(error as Error).message}`);
      }
      if (result.created) audit(req, "year.open", parsed.data.name);
      res.status(result.created ? 201 : 200).json(result);
    }),
  );

  router.get(
    "/api/admin/tasks",
    handle((req, res) => {
      const yearName = typeof req.query.year === "string" ? req.query.year : undefined;
      // An office admin's counts cover its own units only, like its list of who is late.
      const list = board.list(yearName, scopeOf(req));
      if (!list) throw new HttpError(404, "no such school year");
      res.json(list);
    }),
  );

  router.patch(
    "/api/admin/tasks/:id",
    handle((req, res) => {
      assertDepartment(actorOf(req), "edits tasks");
      const parsed = taskPatch.safeParse(req.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new HttpError(400, `${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`);
      }
      const id = Number(req.params.id);
      const task = board.update(id, parsed.data);
      if (!task) throw new HttpError(404, `no task ${id}`);
      audit(req, "task.update", `task:${task.key}`, parsed.data);
      res.json({ id, ...parsed.data });
    }),
  );

  router.put(
    "/api/admin/tasks/:id/units/:code/status",
    handle((req, res) => {
      const actor = actorOf(req);
      assertCanWrite(actor);
      const parsed = statusBody.safeParse(req.body);
      if (!parsed.success) throw new HttpError(400, "status: must be todo, done or not_applicable");
      const { status, note } = parsed.data;
      const outcome = board.setStatus(Number(req.params.id), String(req.params.code), status, note ?? null, actor.label, scopeOf(req));
      if (!outcome.ok) {
        throw outcome.reason === "unknown" ? new HttpError(404, "no such task or unit") : new HttpError(403, "this unit is outside your office");
      }
      audit(req, "task.status", `task:${outcome.task}/${outcome.unit}`, { status, note });
      res.json({ task: outcome.task, unit: outcome.unit, status });
    }),
  );

  router.get(
    "/api/admin/tasks/:id/late",
    handle((req, res) => {
      const id = Number(req.params.id);
      const late = board.late(id, scopeOf(req));
      if (!late) throw new HttpError(404, `no task ${id}`);
      res.json(late);
    }),
  );

  return router;
}
