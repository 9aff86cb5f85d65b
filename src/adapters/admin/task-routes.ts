import { Router, type Request } from "express";
import { z } from "zod";
import type { Actor } from "../../broadcast/broadcast-service.js";
import { loadTaskFile } from "../../tasks/school-year.js";
import type { TaskBoard, UnitScope } from "../../tasks/task-board.js";
import { jsonHandler } from "./json-handler.js";

export interface TaskRoutesDeps {
  board: TaskBoard;
  tasksFile: string;
  /** the unit codes an office admin reaches (undefined for the Department); throws a 403 error when it has none */
  scopeOf(actor: Actor): UnitScope;
  audit(actor: Actor, action: string, target: string, detail?: unknown): void;
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

/**
 * The school year's tasks through the admin API (mounted after the admin auth middleware): opening a year,
 * the task list with counts, dates and texts, each unit's status, and who is late. Only HTTP here; the rules
 * are the task board's.
 */
export function taskRoutes(deps: TaskRoutesDeps): Router {
  const router = Router();
  const { board } = deps;
  // Errors the registry routes know (their own HttpError) keep their status and message.
  const handle = jsonHandler<AuthedRequest>((error) => {
    if (error instanceof Error && "status" in error && typeof error.status === "number" && error.status >= 400 && error.status < 500) {
      return { status: error.status, body: { error: error.message } };
    }
    return undefined;
  });
  const actorOf = (req: AuthedRequest): Actor => req.actor as Actor;

  router.post(
    "/api/admin/years",
    handle((req, res) => {
      const actor = actorOf(req);
      if (actor.role !== "department_admin") throw new HttpError(403, "only the Department opens school years");
      const parsed = z.object({ name: z.string() }).strict().safeParse(req.body);
      if (!parsed.success) throw new HttpError(400, "name: a school year such as 2027-2028");
      let result: { id: number; created: boolean };
      try {
        result = board.openYear(parsed.data.name, loadTaskFile(deps.tasksFile));
      } catch (error) {
        throw new HttpError(400, `name: ${(error as Error).message}`);
      }
      if (result.created) deps.audit(actor, "year.open", parsed.data.name);
      res.status(result.created ? 201 : 200).json(result);
    }),
  );

  router.get(
    "/api/admin/tasks",
    handle((req, res) => {
      const yearName = typeof req.query.year === "string" ? req.query.year : undefined;
      // An office admin's counts cover its own units only, like its list of who is late.
      const list = board.list(yearName, deps.scopeOf(actorOf(req)));
      if (!list) throw new HttpError(404, "no such school year");
      res.json(list);
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
      const task = board.update(id, parsed.data);
      if (!task) throw new HttpError(404, `no task ${id}`);
      deps.audit(actor, "task.update", `task:${task.key}`, parsed.data);
      res.json({ id, ...parsed.data });
    }),
  );

  router.put(
    "/api/admin/tasks/:id/units/:code/status",
    handle((req, res) => {
      const actor = actorOf(req);
      if (actor.role === "viewer") throw new HttpError(403, "viewer tokens are read-only");
      const parsed = statusBody.safeParse(req.body);
      if (!parsed.success) throw new HttpError(400, "status: must be todo, done or not_applicable");
      const { status, note } = parsed.data;
      const outcome = board.setStatus(Number(req.params.id), String(req.params.code), status, note ?? null, actor.label, deps.scopeOf(actor));
      if (!outcome.ok) {
        throw outcome.reason === "unknown" ? new HttpError(404, "no such task or unit") : new HttpError(403, "this unit is outside your office");
      }
      deps.audit(actor, "task.status", `task:${outcome.task}/${outcome.unit}`, { status, note });
      res.json({ task: outcome.task, unit: outcome.unit, status });
    }),
  );

  router.get(
    "/api/admin/tasks/:id/late",
    handle((req, res) => {
      const id = Number(req.params.id);
      const late = board.late(id, deps.scopeOf(actorOf(req)));
      if (!late) throw new HttpError(404, `no task ${id}`);
      res.json(late);
    }),
  );

  return router;
}
