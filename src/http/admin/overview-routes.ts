import { Router } from "express";
import type { OverviewService } from "../../overview/overview.js";
import { accessError, actorOf, type AuthedRequest } from "./authenticate.js";
import { jsonHandler } from "./json-handler.js";

/** GET /api/admin/overview: the console's Tổng quan, in the caller's scope. */
export function overviewRoutes(overview: OverviewService): Router {
  const router = Router();
  const handle = jsonHandler<AuthedRequest>(accessError);
  router.get(
    "/api/admin/overview",
    handle((req, res) => {
      res.json(overview.of(actorOf(req)));
    }),
  );
  return router;
}
