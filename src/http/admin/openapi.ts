import { z } from "zod";
import { audienceSchema } from "../../broadcast/audience.js";
import { BROADCAST_ERROR_CODES, broadcastsPaths } from "./openapi-parts/broadcasts.js";
import { KNOWLEDGE_ERROR_CODES, knowledgePaths } from "./openapi-parts/knowledge.js";
import { registryPaths } from "./openapi-parts/registry.js";
import { handoff, supportPaths, threadMessage } from "./openapi-parts/support.js";
import { tasksPaths } from "./openapi-parts/tasks.js";
import { broadcastInput } from "../../broadcast/broadcast-service.js";

/** The stable `code` of every admin API error; the console words each one (with `field` where given). */
export const ADMIN_ERROR_CODES = [
  "unauthenticated",
  "session_expired",
  "csrf_failed",
  "forbidden",
  "invalid",
  "unknown_field",
  "invalid_credentials",
  "account_locked",
  "account_disabled",
  "invalid_token",
  "password_too_short",
  "password_too_long",
  "password_is_login",
  "login_taken",
  "unit_required",
  "unknown_unit",
  "unknown_person",
  "user_not_found",
  "last_department_admin",
  "no_linked_chat",
  "code_recently_sent",
  "code_not_sent",
  "code_expired",
  "invalid_code",
  "too_many_requests",
  "handoff_closed",
  "handoff_gone",
  "channel_not_enabled",
  ...BROADCAST_ERROR_CODES,
  "review_group_not_found",
  // the registry's files, the school year's tasks:
  "file_unreadable",
  "file_too_large",
  "task_not_found",
  "task_or_unit_not_found",
  "unit_out_of_scope",
  "invalid_task_status",
  "invalid_due_date",
  "invalid_task_change",
  "invalid_filter",
  "year_not_found",
  // Other admin errors by status, with `field` where the input is at fault:
  "not_found",
  "conflict",
  "too_large",
  "invalid_json",
  "platform_refused",
  "internal_error",
  "database_unavailable",
  ...KNOWLEDGE_ERROR_CODES,
] as const;

const error = {
  type: "object",
  properties: {
    error: { type: "string", description: "English, for logs and scripts" },
    code: { type: "string", enum: ADMIN_ERROR_CODES, description: "stable: what the console words for people" },
    field: { type: "string", description: "the input at fault" },
    retryAfterMinutes: { type: "integer", description: "account_locked: minutes until the lock lifts" },
    retryAfterSeconds: { type: "integer", description: "code_recently_sent: seconds until a new code may be asked for" },
    triesLeft: { type: "integer", description: "invalid_code: wrong codes still allowed" },
  },
  required: ["error"],
};
const staffUser = {
  type: "object",
  properties: {
    login: { type: "string" },
    name: { type: "string" },
    role: { type: "string", enum: ["department_admin", "office_admin", "viewer"] },
    unit: { type: ["string", "null"] },
    personRef: { type: ["string", "null"] },
    disabled: { type: "boolean" },
    locked: { type: "boolean" },
    hasPassword: { type: "boolean" },
    lastSignInAt: { type: ["string", "null"], format: "date-time" },
    createdAt: { type: "string", format: "date-time" },
  },
};
const signedIn = {
  type: "object",
  properties: {
    user: { type: "object", properties: { login: { type: "string" }, name: { type: "string" }, role: { type: "string" }, unit: { type: ["string", "null"] } } },
    csrfToken: { type: "string", description: "send it as X-CSRF-Token on every request with the cookie that is not GET or HEAD" },
  },
};
const passwordLink = { type: "object", properties: { setPasswordLink: { type: "string" }, expiresAt: { type: "string", format: "date-time" } } };
const loginParam = [{ name: "login", in: "path", required: true, schema: { type: "string" } }];
const counts = {
  type: "object",
  properties: {
    queued: { type: "integer" },
    sent: { type: "integer" },
    failed: { type: "integer" },
    skipped: { type: "integer" },
    cancelled: { type: "integer" },
    reasons: { type: "object", additionalProperties: { type: "integer" } },
  },
};
const broadcastView = {
  type: "object",
  properties: {
    id: { type: "integer" },
    title: { type: "string" },
    status: { type: "string", enum: ["scheduled", "sending", "done", "cancelled"] },
    urgent: { type: "boolean" },
    sendAt: { type: "string", format: "date-time" },
    recipients: { type: "integer" },
    audience: { $ref: "#/components/schemas/Audience" },
    createdBy: { type: "string" },
    createdAt: { type: "string", format: "date-time" },
    counts,
  },
};
const errors = {
  "400": { description: "Invalid input; `field` names what is wrong", content: { "application/json": { schema: error } } },
  "401": { description: "No valid bearer token or session cookie (`unauthenticated`, `session_expired`)", content: { "application/json": { schema: error } } },
  "403": { description: "The wrong role or unit (`forbidden`), or a cookie request without its CSRF token (`csrf_failed`)", content: { "application/json": { schema: error } } },
};
const noAuth: object[] = [];
const staffErrors = (codes: Record<string, string>) =>
  Object.fromEntries(Object.entries(codes).map(([status, description]) => [status, { description, content: { "application/json": { schema: error } } }]));
const json = (schema: object) => ({ content: { "application/json": { schema } } });
const idParam = [{ name: "id", in: "path", required: true, schema: { type: "integer" } }];

/** The admin API's OpenAPI 3.1 description; request schemas come from the same zod schemas that validate. */
export function openApiDocument(): object {
  return {
    openapi: "3.1.0",
    info: { title: "Sở GDĐT assistant — admin API", version: "1.0.0" },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "an admin token (npm run admin -- token create), for automation" },
        session: {
          type: "apiKey",
          in: "cookie",
          name: "sogd_session",
          description: "the console's session (POST /api/admin/session); requests other than GET/HEAD also need X-CSRF-Token",
        },
      },
      schemas: {
        Audience: z.toJSONSchema(audienceSchema, { io: "input" }),
        BroadcastInput: z.toJSONSchema(broadcastInput, { io: "input" }),
        Broadcast: broadcastView,
      },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths: {
      "/api/admin/session": {
        post: {
          summary: "Sign in with login and password: sets the sogd_session cookie (HttpOnly, SameSite=Strict, Secure over https)",
          security: noAuth,
          requestBody: json({ type: "object", properties: { login: { type: "string" }, password: { type: "string" } }, required: ["login", "password"] }),
          responses: {
            "200": json(signedIn),
            ...staffErrors({
              "401": "`invalid_credentials`, `account_locked` (with retryAfterMinutes; 5 wrong passwords lock 15 minutes), `account_disabled`",
              "429": "`too_many_requests`: over 30 sign-in attempts from one address in 15 minutes (Retry-After)",
            }),
          },
        },
        get: {
          summary: "Who is signed in, and the session's CSRF token",
          security: [{ session: [] }],
          responses: { "200": json(signedIn), ...staffErrors({ "401": "`session_expired`" }) },
        },
        delete: {
          summary: "Sign out: the session ends on the server and the cookie is cleared",
          security: [{ session: [] }],
          responses: { "204": { description: "Signed out (also when there was no session)" }, ...staffErrors({ "403": "`csrf_failed`" }) },
        },
      },
      "/api/admin/session/code": {
        post: {
          summary: "Send a 6-digit sign-in code (10 minutes, 5 tries) to the account's own linked Telegram or Zalo chat",
          security: noAuth,
          requestBody: json({ type: "object", properties: { login: { type: "string" } }, required: ["login"] }),
          responses: {
            "202": json({ type: "object", properties: { sent: { const: true }, channel: { type: "string", enum: ["telegram", "zalo"] }, expiresAt: { type: "string", format: "date-time" } } }),
            ...staffErrors({
              "401": "`account_locked`, `account_disabled`",
              "409": "`no_linked_chat`: no code was sent",
              "429": "`code_recently_sent` (with retryAfterSeconds), `too_many_requests` (per address, as for passwords)",
              "502": "`code_not_sent`: the platform refused the message",
            }),
          },
        },
      },
      "/api/admin/session/code/verify": {
        post: {
          summary: "Sign in with the code: sets the cookie as a password sign-in does",
          security: noAuth,
          requestBody: json({ type: "object", properties: { login: { type: "string" }, code: { type: "string" } }, required: ["login", "code"] }),
          responses: { "200": json(signedIn), ...staffErrors({ "401": "`invalid_code` (with triesLeft), `code_expired`, `account_locked`, `account_disabled`", "429": "`too_many_requests`" }) },
        },
      },
      "/api/admin/password": {
        post: {
          summary: "Set a password through a one-time set-password link's token (72 hours); ends the account's sessions",
          security: noAuth,
          requestBody: json({ type: "object", properties: { token: { type: "string" }, password: { type: "string", minLength: 10 } }, required: ["token", "password"] }),
          responses: {
            "200": json({ type: "object", properties: { login: { type: "string" } } }),
            ...staffErrors({ "400": "`invalid_token`, `password_too_short`, `password_too_long`, `password_is_login`", "429": "`too_many_requests`" }),
          },
        },
      },
      "/api/admin/users": {
        get: { summary: "Staff accounts (Department admins only)", responses: { "200": json({ type: "object", properties: { users: { type: "array", items: staffUser } } }), ...errors } },
        post: {
          summary: "Create a staff account (Department admins only); answers its one-time set-password link",
          requestBody: json({
            type: "object",
            properties: { login: { type: "string" }, name: { type: "string" }, role: { type: "string", enum: ["department_admin", "office_admin", "viewer"] }, unit: { type: "string" }, personRef: { type: "string" } },
            required: ["login", "name", "role"],
          }),
          responses: {
            "201": json({ type: "object", properties: { user: staffUser, ...passwordLink.properties } }),
            ...errors,
            ...staffErrors({ "400": "`invalid`, `unknown_field`, `unit_required`, `unknown_unit`, `unknown_person`", "409": "`login_taken` (logins are case-insensitive)" }),
          },
        },
      },
      "/api/admin/users/{login}": {
        patch: {
          summary: "Change name, role (with unit), linked person or disabled (disabling ends the account's sessions)",
          parameters: loginParam,
          requestBody: json({
            type: "object",
            properties: { name: { type: "string" }, role: { type: "string" }, unit: { type: ["string", "null"] }, personRef: { type: ["string", "null"] }, disabled: { type: "boolean" } },
          }),
          responses: {
            "200": json({ type: "object", properties: { user: staffUser } }),
            ...errors,
            ...staffErrors({ "404": "`user_not_found`", "409": "`last_department_admin`: the only enabled Department admin cannot be disabled or demoted" }),
          },
        },
      },
      "/api/admin/users/{login}/password-link": {
        post: {
          summary: "A new one-time set-password link (the previous one stops working)",
          parameters: loginParam,
          responses: { "200": json(passwordLink), ...errors, ...staffErrors({ "404": "`user_not_found`" }) },
        },
      },
      "/api/admin/audiences/count": {
        post: {
          summary: "How many addresses an audience reaches, and how many would be skipped (and why)",
          requestBody: json({ type: "object", properties: { audience: { $ref: "#/components/schemas/Audience" } } }),
          responses: { "200": { description: "Counts" }, ...errors },
        },
      },
      "/api/admin/broadcasts": {
        get: {
          summary: "Broadcasts the caller may see, newest first, with delivery counts; an office admin sees its office's own. Page with `before` = the answer's `nextBefore`",
          parameters: [
            { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 200, default: 50 } },
            { name: "before", in: "query", required: false, schema: { type: "integer", minimum: 1 } },
          ],
          responses: {
            "200": json({ type: "object", properties: { broadcasts: { type: "array", items: broadcastView }, nextBefore: { type: ["integer", "null"] } } }),
            ...errors,
          },
        },
        post: {
          summary: "Create a broadcast (sent now, or at sendAt; quiet hours hold non-urgent ones)",
          requestBody: json({ $ref: "#/components/schemas/BroadcastInput" }),
          responses: {
            "201": json({ type: "object", properties: { id: { type: "integer" }, recipients: { type: "integer" }, status: { type: "string" } } }),
            ...errors,
          },
        },
      },
      "/api/admin/broadcasts/preview": {
        post: {
          summary: "Rendered text per channel and locale, and the recipient count, without sending",
          requestBody: json({ $ref: "#/components/schemas/BroadcastInput" }),
          responses: { "200": json({ type: "object" }), ...errors },
        },
      },
      "/api/admin/broadcasts/{id}": {
        get: { summary: "Status and counts", parameters: idParam, responses: { "200": json(broadcastView), ...errors, "404": { description: "Not found, or not the caller's to see (the same answer)" } } },
      },
      "/api/admin/broadcasts/{id}/cancel": {
        post: { summary: "Stop what has not gone out", parameters: idParam, responses: { "200": json(broadcastView), ...errors, "409": { description: "Already done or cancelled" } } },
      },
      "/api/admin/broadcasts/{id}/test": {
        post: { summary: "Send it to the caller's own linked chat only", parameters: idParam, responses: { "200": json({ type: "object" }), ...errors, "409": { description: "No chat linked to the token" } } },
      },
      "/api/admin/units": {
        get: {
          summary: "The unit tree as far as the caller reaches: code, name, type, level, parentCode",
          responses: { "200": { description: "{ units: [...] }" } },
        },
      },
      "/api/admin/imports/{kind}": {
        post: {
          summary: "Import units (Department only) or people (office admins: only people already in their units) from CSV or XLSX; all or nothing",
          parameters: [
            { name: "kind", in: "path", required: true, schema: { type: "string", enum: ["units", "people"] } },
            { name: "dryRun", in: "query", required: false, schema: { type: "boolean" } },
          ],
          requestBody: { content: { "text/csv": {}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {} } },
          responses: {
            "200": { description: "Imported (or would import)" },
            ...errors,
            "400": { description: "Problems by row and column, or a file that is not a readable CSV (UTF-8, UTF-16, Windows-1258) or .xlsx", content: errors["400"].content },
            "413": { description: "Over the limits: 5 MB, 20,000 rows, 50 sheets, 40 MB unpacked", content: errors["400"].content },
          },
        },
      },
      "/api/admin/people/{ref}/link-code": {
        post: {
          summary: "A one-time code (valid 7 days) and Telegram deep link binding the person's chat",
          parameters: [{ name: "ref", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "201": json({
              type: "object",
              properties: { code: { type: "string" }, expiresAt: { type: "string" }, alreadyLinked: { type: "boolean" }, telegramLink: { type: "string" } },
            }),
            ...errors,
          },
        },
      },
      "/api/admin/people/{ref}/link": {
        delete: {
          summary: "Release the person's link to their chats (a lost or foreign chat); they link again with a code",
          parameters: [{ name: "ref", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": json({ type: "object", properties: { ref: { type: "string" }, released: { type: "boolean" } } }), ...errors, "404": { description: "No such person in the caller's units" } },
        },
      },
      "/api/admin/years": {
        post: { summary: "Open a school year from templates/tasks.yaml", requestBody: json({ type: "object", properties: { name: { type: "string" } } }), responses: { "201": { description: "Opened" }, ...errors } },
      },
      "/api/admin/tasks": {
        get: {
          summary:
            "The school year's tasks with due dates; statuses {todo, done, not_applicable} count the units each task applies to (no status = todo), late = todo past the date",
          parameters: [{ name: "year", in: "query", required: false, schema: { type: "string" } }],
          responses: { "200": json({ type: "object" }), ...errors },
        },
      },
      "/api/admin/tasks/{id}": {
        patch: {
          summary: "Change a task's due date (YYYY-MM-DD or null), title or instructions",
          parameters: idParam,
          requestBody: json({ type: "object", properties: { dueOn: { type: ["string", "null"] }, title: { type: "object" }, instructions: { type: "object" } } }),
          responses: { "200": json({ type: "object" }), ...errors },
        },
      },
      "/api/admin/tasks/{id}/units/{code}/status": {
        put: {
          summary: "Set a unit's status for a task (todo, done, not_applicable); every change is kept",
          parameters: [...idParam, { name: "code", in: "path", required: true, schema: { type: "string" } }],
          requestBody: json({ type: "object", properties: { status: { type: "string", enum: ["todo", "done", "not_applicable"] }, note: { type: "string" } } }),
          responses: { "200": json({ type: "object" }), ...errors },
        },
      },
      "/api/admin/tasks/{id}/late": {
        get: { summary: "Units that have not finished a task past its date", parameters: idParam, responses: { "200": json({ type: "object" }), ...errors } },
      },
      "/api/admin/handoffs/{id}": {
        get: {
          summary: "One hand-off: the conversation before the request (context) and its thread (the person's follow-ups, staff answers from the console and the staff chat, with delivery state)",
          parameters: idParam,
          responses: { "200": json({ ...handoff, properties: { ...handoff.properties, context: { type: "array", items: threadMessage }, messages: { type: "array", items: threadMessage } } }), ...errors },
        },
      },
      "/api/admin/handoffs/{id}/replies": {
        post: {
          summary:
            "Answer the person on their channel: Telegram and Zalo through the outbox (delivery queued, then sent or failed), the web chat on its page (on_page, then sent once the page fetched it). 409 handoff_closed, handoff_gone (data deleted), channel_not_enabled",
          parameters: idParam,
          requestBody: json({ type: "object", properties: { text: { type: "string", maxLength: 2000 } }, required: ["text"] }),
          responses: { "201": json({ type: "object", properties: { message: threadMessage, delivery: { type: "string" } } }), ...errors },
        },
      },
      "/api/admin/handoffs/{id}/close": {
        post: { summary: "Close a hand-off (audited); the person's later messages no longer join it", parameters: idParam, responses: { "200": json({ type: "object" }), ...errors } },
      },
      "/api/admin/handoffs/{id}/reopen": {
        post: { summary: "Reopen a closed hand-off (audited)", parameters: idParam, responses: { "200": json({ type: "object" }), ...errors } },
      },
      "/api/admin/broadcasts/{id}/deliveries.csv": {
        get: { summary: "Per-recipient delivery report", parameters: idParam, responses: { "200": { description: "CSV", content: { "text/csv": {} } }, ...errors } },
      },
      ...broadcastsPaths,
      ...tasksPaths,
      ...registryPaths,
      ...supportPaths,
      ...knowledgePaths,
    },
  };
}
