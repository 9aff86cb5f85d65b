import { Router } from "express";
import { StaffError, setPasswordLink, type StaffAccounts } from "../../access/staff-accounts.js";
import { assertDepartment } from "../../access/scopes.js";
import type { Clock } from "../../core/ports.js";
import { accessErrorWithField, actorOf, type AuthedRequest } from "./authenticate.js";
import { jsonHandler } from "./json-handler.js";

export interface UserRoutesDeps {
  accounts: StaffAccounts;
  clock: Clock;
  /** where the console is reached, for set-password links */
  baseUrl: string;
}

/** Staff accounts, managed by the Department's admins only. Mounted after the admin API's authentication. */
export function userRoutes(deps: UserRoutesDeps): Router {
  const router = Router();
  const handle = jsonHandler<AuthedRequest>((error) => (error instanceof StaffError ? { status: error.status, body: error.body() } : accessErrorWithField(error)));
  const department = (req: AuthedRequest) => {
    const actor = actorOf(req);
    assertDepartment(actor, "manages staff accounts");
    return actor;
  };

  router.get(
    "/api/admin/users",
    handle((req, res) => {
      department(req);
      res.json({ users: deps.accounts.list(deps.clock.now()) });
    }),
  );

  router.post(
    "/api/admin/users",
    handle((req, res) => {
      const { user, token, expiresAt } = deps.accounts.create(req.body, department(req), deps.clock.now());
      res
        .status(201)
        .location(`/api/admin/users/${encodeURIComponent(user.login)}`)
        .json({ user, setPasswordLink: setPasswordLink(deps.baseUrl, token), expiresAt: expiresAt.toISOString() });
    }),
  );

  router.patch(
    "/api/admin/users/:login",
    handle((req, res) => {
      res.json({ user: deps.accounts.update(String(req.params.login), req.body, department(req), deps.clock.now()) });
    }),
  );

  router.post(
    "/api/admin/users/:login/password-link",
    handle((req, res) => {
      const { token, expiresAt } = deps.accounts.passwordLink(String(req.params.login), department(req), deps.clock.now());
      res.json({ setPasswordLink: setPasswordLink(deps.baseUrl, token), expiresAt: expiresAt.toISOString() });
    }),
  );

  return router;
}
