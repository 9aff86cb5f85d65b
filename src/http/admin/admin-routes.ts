import { Router } from "express";
import type { Authenticator } from "../../access/actor.js";
import type { BroadcastService } from "../../broadcast/broadcast-service.js";
import type { Logger } from "../../core/conversation.js";
import type { Clock } from "../../core/ports.js";
import type { RateCounter } from "../../core/rate-counter.js";
import type { SqliteOutbox } from "../../outbox/sqlite-outbox-store.js";
import type { StaffAccounts } from "../../access/staff-accounts.js";
import type { StaffSessions } from "../../access/staff-sessions.js";
import type { StaffSignInCodes } from "../../access/staff-sign-in-codes.js";
import type { HandoffInbox } from "../../handoffs/handoff-inbox.js";
import { adminAuth } from "./authenticate.js";
import { broadcastRoutes } from "./broadcast-routes.js";
import { handoffRoutes } from "./handoff-routes.js";
import type { ReviewService } from "../../review/review-service.js";
import { reviewRoutes } from "./review-routes.js";
import type { KnowledgeEditor } from "../../knowledge-edit/knowledge-editor.js";
import { knowledgeRoutes } from "./knowledge-routes.js";
import { openApiDocument } from "./openapi.js";
import { overviewRoutes } from "./overview-routes.js";
import type { OverviewService } from "../../overview/overview.js";
import { registryRoutes, type RegistryRoutesDeps } from "./registry-routes.js";
import { sessionRoutes } from "./session-routes.js";
import { taskRoutes } from "./task-routes.js";
import { userRoutes } from "./user-routes.js";

export interface AdminRoutesDeps {
  /** who is calling: an admin token today */
  tokens: Authenticator;
  broadcasts: BroadcastService;
  outbox: SqliteOutbox;
  clock: Clock;
  /** failed logins are logged with the caller's address */
  logger?: Logger;
  registry?: RegistryRoutesDeps;
  /** the console's first screen (Tổng quan) */
  overview?: OverviewService;
  /** the hand-off inbox (Hỗ trợ) */
  handoffs?: HandoffInbox;
  /** the review of unanswered questions (Câu hỏi chưa trả lời) */
  review?: ReviewService;
  /** live knowledge editing (Kiến thức) */
  knowledge?: KnowledgeEditor;
  /** staff accounts and console sessions: the cookie is accepted beside bearer tokens */
  staff?: {
    accounts: StaffAccounts;
    sessions: StaffSessions;
    codes: StaffSignInCodes;
    /** the session's absolute limit, also the cookie's max age */
    maxAgeMs: number;
    /** where the console is reached, for set-password links */
    baseUrl: string;
    /** sign-in attempts counted in the database (every instance) */
    rateCounter?: RateCounter;
  };
}

/** The Department's admin API: bearer tokens or a console session, with roles, JSON validated with zod, every change audited. */
export function adminRoutes(deps: AdminRoutesDeps): Router {
  const router = Router();

  router.get("/api/openapi.json", (_req, res) => {
    res.json(openApiDocument());
  });

  const { staff } = deps;
  // Signing in (and setting a password by its link) comes before authentication.
  if (staff) router.use(sessionRoutes({ ...staff, clock: deps.clock, ...(deps.logger ? { logger: deps.logger } : {}) }));
  router.use("/api/admin", adminAuth(deps.tokens, staff?.sessions, deps.clock, deps.logger));
  if (deps.overview) router.use(overviewRoutes(deps.overview));
  if (staff) router.use(userRoutes({ accounts: staff.accounts, clock: deps.clock, baseUrl: staff.baseUrl }));

  router.use(broadcastRoutes({ broadcasts: deps.broadcasts, outbox: deps.outbox }));

  if (deps.registry) router.use(registryRoutes(deps.registry), taskRoutes(deps.registry));
  if (deps.handoffs) router.use(handoffRoutes({ inbox: deps.handoffs, clock: deps.clock }));
  if (deps.review) router.use(reviewRoutes({ review: deps.review, clock: deps.clock }));
  if (deps.knowledge) router.use(knowledgeRoutes(deps.knowledge));

  return router;
}

