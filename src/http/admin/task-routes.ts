import { Router } from "express";
import { z } from "zod";
import { AuditLog } from "../../access/audit-log.js";
import { AccessScopes, assertCanWrite, assertDepartment } from "../../access/scopes.js";
import type { Clock } from "../../core/ports.js";
import type { OpenDatabase } from "../../db/database.js";
import { SqliteUnitTree } from "../../db/unit-tree.js";
import { loadTaskFile } from "../../tasks/school-year.js";
import type { TaskBoard } from "../../tasks/task-board.js";
import { filterMatrix, matrixWorkbook, type StatusFilter } from "../../tasks/task-matrix.js";
import { ReminderPlanner } from "../../reminders/planner.js";
import { SqliteReminderDeliveries } from "../../reminders/sqlite-reminder-deliveries.js";
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
/** An answer of the task routes with its stable code (worded by the console as errors.<code>) and field. */
class TaskApiError extends HttpError {
  constructor(
    status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(status, message);
  }
}

const matrixQuery = z
  .object({
    year: z.string().optional(),
    office: z.string().max(64).optional(),
    level: z.enum(["mam_non", "tieu_hoc", "thcs", "thpt", "gdtx"]).optional(),
    status: z.enum(["late", "todo", "done", "not_applicable"]).optional(),
    task: z.coerce.number().int().positive().optional(),
  })
  .strip();

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
    if (error instanceof TaskApiError) return { status: error.status, body: { error: error.message, code: error.code, ...(error.field ? { field: error.field } : {}) } };
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
        const field = issue?.path.join(".") || "body";
        throw new TaskApiError(400, field === "dueOn" ? "invalid_due_date" : "invalid_task_change", `${field}: ${issue?.message ?? "invalid"}`, field);
      }
      const id = Number(req.params.id);
      const task = board.update(id, parsed.data);
      if (!task) throw new TaskApiError(404, "task_not_found", `no task ${id}`);
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
      if (!parsed.success) throw new TaskApiError(400, "invalid_task_status", "status: must be todo, done or not_applicable (note at most 500 characters)", "status");
      const { status, note } = parsed.data;
      const outcome = board.setStatus(Number(req.params.id), String(req.params.code), status, note ?? null, actor.label, scopeOf(req));
      if (!outcome.ok) {
        throw outcome.reason === "unknown"
          ? new TaskApiError(404, "task_or_unit_not_found", "no such task or unit")
          : new TaskApiError(403, "unit_out_of_scope", "this unit is outside your office");
      }
      audit(req, "task.status", `task:${outcome.task}/${outcome.unit}`, { status, note });
      res.json({ task: outcome.task, unit: outcome.unit, status });
    }),
  );

  // The year's tasks × units, as far as the caller reaches (an office admin: its office and its schools).
  router.get(
    "/api/admin/tasks/matrix",
    handle((req, res) => {
      const year = typeof req.query.year === "string" ? req.query.year : undefined;
      const matrix = board.matrix(year, scopeOf(req));
      if (!matrix) throw new TaskApiError(404, "year_not_found", "no such school year", "year");
      res.json(matrix);
    }),
  );

  // The same matrix (narrowed like the screen's filters) as an Excel workbook in Vietnamese.
  router.get(
    "/api/admin/tasks/export.xlsx",
    handle(async (req, res) => {
      const parsed = matrixQuery.safeParse(req.query);
      if (!parsed.success) throw new TaskApiError(400, "invalid_filter", `${parsed.error.issues[0]?.path.join(".") ?? "query"}: not a known value`, parsed.error.issues[0]?.path.join("."));
      const { year, ...filter } = parsed.data;
      const matrix = board.matrix(year, scopeOf(req));
      if (!matrix) throw new TaskApiError(404, "year_not_found", "no such school year", "year");
      if (filter.task !== undefined && !matrix.tasks.some((t) => t.id === filter.task)) throw new TaskApiError(404, "task_not_found", `no task ${filter.task}`, "task");
      const body = await matrixWorkbook(filterMatrix(matrix, { ...filter, status: filter.status as StatusFilter | undefined }));
      const name = `nhiem-vu-${matrix.year}${filter.status ? `-${filter.status}` : ""}.xlsx`;
      res.type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet").attachment(name).send(body);
    }),
  );

  // Who changed a unit's status for a task, when, to what, with which note.
  router.get(
    "/api/admin/tasks/:id/units/:code/history",
    handle((req, res) => {
      const history = board.history(Number(req.params.id), String(req.params.code), scopeOf(req));
      if (!history) throw new TaskApiError(404, "task_or_unit_not_found", "no such task or unit");
      res.json({ ...history, entries: history.entries.map((e) => ({ ...e, at: e.at.toISOString() })) });
    }),
  );

  // The unit's reminders for the task, each step the delivery ladder took: channel, outcome, ZNS receipt.
  router.get(
    "/api/admin/tasks/:id/units/:code/reminders",
    handle((req, res) => {
      const id = Number(req.params.id);
      const code = String(req.params.code);
      if (!board.history(id, code, scopeOf(req))) throw new TaskApiError(404, "task_or_unit_not_found", "no such task or unit");
      res.json({ task: id, unit: code, deliveries: new SqliteReminderDeliveries(deps.database.db).forUnit(id, code) });
    }),
  );

  // A date change's dry run: which reminder round the new date starts and whom it reaches (Department only).
  router.get(
    "/api/admin/tasks/:id/due-preview",
    handle((req, res) => {
      assertDepartment(actorOf(req), "edits tasks");
      const parsed = isoDate.safeParse(req.query.dueOn);
      if (!parsed.success) throw new TaskApiError(400, "invalid_due_date", "dueOn: must be YYYY-MM-DD", "dueOn");
      const id = Number(req.params.id);
      const task = board.task(id);
      if (!task) throw new TaskApiError(404, "task_not_found", `no task ${id}`);
      const now = deps.clock.now();
      const preview = new ReminderPlanner(deps.database.db, board.reminderSettings(), "vi").previewDueDate(id, parsed.data, now);
      if (!preview) throw new TaskApiError(404, "task_not_found", `no task ${id}`);
      res.json({ task: task.key, dueOn: parsed.data, past: parsed.data < board.today(), ...preview });
    }),
  );

  router.get(
    "/api/admin/tasks/:id/late",
    handle((req, res) => {
      const id = Number(req.params.id);
      const late = board.late(id, scopeOf(req));
      if (!late) throw new TaskApiError(404, "task_not_found", `no task ${id}`);
      res.json(late);
    }),
  );

  return router;
}
