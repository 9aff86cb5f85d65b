import { z } from "zod";
import { audienceSchema } from "../../broadcast/audience.js";
import { broadcastInput } from "../../broadcast/broadcast-service.js";

const error = { type: "object", properties: { error: { type: "string" }, field: { type: "string" } }, required: ["error"] };
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
  "401": { description: "Missing or invalid bearer token", content: { "application/json": { schema: error } } },
  "403": { description: "Valid token, but the wrong role or unit", content: { "application/json": { schema: error } } },
};
const json = (schema: object) => ({ content: { "application/json": { schema } } });
const idParam = [{ name: "id", in: "path", required: true, schema: { type: "integer" } }];

/** The admin API's OpenAPI 3.1 description; request schemas come from the same zod schemas that validate. */
export function openApiDocument(): object {
  return {
    openapi: "3.1.0",
    info: { title: "Sở GDĐT assistant — admin API", version: "1.0.0" },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        Audience: z.toJSONSchema(audienceSchema, { io: "input" }),
        BroadcastInput: z.toJSONSchema(broadcastInput, { io: "input" }),
        Broadcast: broadcastView,
      },
    },
    security: [{ bearer: [] }],
    paths: {
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
      "/api/admin/broadcasts/{id}/deliveries.csv": {
        get: { summary: "Per-recipient delivery report", parameters: idParam, responses: { "200": { description: "CSV", content: { "text/csv": {} } }, ...errors } },
      },
    },
  };
}
