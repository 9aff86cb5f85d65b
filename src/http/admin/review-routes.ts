import { Router } from "express";
import { z } from "zod";
import type { Clock } from "../../core/ports.js";
import { ReviewError, type ReviewService } from "../../review/review-service.js";
import { accessError, actorOf, type AuthedRequest } from "./authenticate.js";
import { jsonHandler } from "./json-handler.js";

const DEFAULT_DAYS = 30;
const days = z.coerce.number().int("must be a whole number of days").min(1, "must be from 1 to 365").max(365, "must be from 1 to 365");
const resolveBody = z
  .object({
    how: z.enum(["ignored", "taught"], { message: "must be ignored or taught" }),
    intent: z.string().trim().min(1).max(100).optional(),
    version: z.union([z.string().max(100), z.number()]).optional(),
    days: days.optional(),
  })
  .strict();

/** Câu hỏi chưa trả lời (console review screen), mounted after the admin auth middleware. Only HTTP here. */
export function reviewRoutes(deps: { review: ReviewService; clock: Clock }): Router {
  const router = Router();
  const { review, clock } = deps;
  const handle = jsonHandler<AuthedRequest>((error) => {
    if (error instanceof ReviewError) return { status: error.status, body: { error: error.message, code: error.code, ...(error.field ? { field: error.field } : {}) } };
    return accessError(error);
  });

  router.get(
    "/api/admin/review/groups",
    handle((req, res) => {
      const parsed = days.safeParse(req.query.days ?? DEFAULT_DAYS);
      if (!parsed.success || Array.isArray(req.query.days)) throw new ReviewError(400, "invalid", `days: ${parsed.error?.issues[0]?.message ?? "must be from 1 to 365"}`, "days");
      res.json(review.groups(actorOf(req), parsed.data, clock.now()));
    }),
  );

  router.post(
    "/api/admin/review/groups/:key/resolve",
    handle((req, res) => {
      const key = String(req.params.key);
      if (!/^[0-9a-f]{16}$/.test(key)) throw new ReviewError(404, "review_group_not_found", `no group ${key}`);
      const parsed = resolveBody.safeParse(req.body ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue?.path.join(".") || "how";
        throw new ReviewError(400, "invalid", `${field}: ${issue?.message ?? "invalid"}`, field);
      }
      const { how, intent, version } = parsed.data;
      res.json(
        review.resolve(
          key,
          { how, intent, version: version === undefined ? undefined : String(version), days: parsed.data.days ?? DEFAULT_DAYS },
          actorOf(req),
          clock.now(),
        ),
      );
    }),
  );

  return router;
}
