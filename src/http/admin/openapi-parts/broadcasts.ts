/** OpenAPI paths of the broadcasts screens' endpoints, merged into the admin API's document (openapi.ts). */

/** The error codes only the broadcast endpoints answer (the console words them in its broadcasts namespace). */
export const BROADCAST_ERROR_CODES = [
  "title_required",
  "title_too_long",
  "text_required",
  "text_too_long",
  "paragraph_too_long",
  "send_at_invalid",
  "send_at_past",
  "unit_outside_office",
  "office_unit_gone",
  "invalid_audience",
  "broadcast_ended",
  "test_no_linked_chat",
  "test_channel_not_configured",
] as const;

const json = (schema: object, description = "OK"): object => ({ description, content: { "application/json": { schema } } });
const idParam = [{ name: "id", in: "path", required: true, schema: { type: "integer", minimum: 1 } }];
const errorBody = {
  type: "object",
  properties: { error: { type: "string" }, code: { type: "string" }, field: { type: "string" } },
  description: "Extra properties carry the values the code's wording needs (unit, paragraph, length, limit, channel, name, status).",
};
const errorCodes = (codes: Record<string, string>): Record<string, object> =>
  Object.fromEntries(Object.entries(codes).map(([status, text]) => [status, json(errorBody, text)]));

const VALIDATION =
  "`title_required`, `title_too_long`, `text_required`, `text_too_long`, `paragraph_too_long` (paragraph, length, limit, channel), " +
  "`send_at_invalid`, `send_at_past`, `unknown_unit` (unit), `invalid_audience`, `unknown_field` (name), `invalid`";

/** The Zalo followers a message reaches per OA message type (templates/zalo-message-types.yaml). */
const zaloPreview = {
  type: "object",
  description:
    "Zalo followers by message type, as the sender decides follower by follower: consultation while their 7-day window is open " +
    "(charged only after charged_after_hours), promotion outside it within monthly_quota_per_follower (counted per calendar month, " +
    "Vietnam time, from what was really sent); absent when Zalo is not configured",
  properties: {
    byType: {
      type: "object",
      additionalProperties: {
        type: "object",
        properties: {
          followers: { type: "integer" },
          charged: { type: "integer", description: "followers whose message is charged" },
          costVnd: { type: "integer", description: "price_vnd × charged, in đồng" },
        },
      },
      description: "per type name (consultation, promotion)",
    },
    skipped: {
      type: "object",
      properties: {
        zalo_quota: { type: "integer", description: "followers whose month's promotion quota is used" },
        outside_zalo_window: { type: "integer", description: "followers no type can reach now" },
      },
    },
    costVnd: { type: "integer", description: "the whole estimated cost in đồng" },
  },
};

const audienceReport = {
  type: "object",
  properties: {
    total: { type: "integer", description: "addresses the audience matches" },
    queued: { type: "integer", description: "rows planning would queue (before channel checks)" },
    skipped: { type: "object", additionalProperties: { type: "integer" }, description: "planning's skips by reason" },
    deliverable: { type: "integer", description: "addresses a message can really reach now: on a configured channel, inside Zalo's window" },
    byChannel: { type: "object", additionalProperties: { type: "integer" }, description: "deliverable per channel" },
    notDeliverable: {
      type: "object",
      additionalProperties: { type: "integer" },
      description:
        "why the rest cannot be reached: not_subscribed, unreachable, no_push_channel, channel_off, outside_zalo_window, zalo_quota; deliverable + these = total",
    },
    withoutChat: { type: "integer", description: "registry people the audience names who have no Telegram or Zalo chat linked" },
    byEmail: {
      type: "object",
      description: "of withoutChat, staff reached by e-mail instead (reach) and those who cannot be, by reason: no_email, email_unsubscribed, turned_off (zero while e-mail is off)",
      properties: { reach: { type: "integer" }, notReached: { type: "object", additionalProperties: { type: "integer" } } },
    },
    zalo: zaloPreview,
  },
};

const reportRow = {
  type: "object",
  properties: {
    id: { type: "integer" },
    name: { type: ["string", "null"], description: "the registry person's name; null for a chat user not in the registry" },
    units: { type: ["string", "null"], description: "the person's unit, else the units the user follows ('; '-separated)" },
    role: { type: ["string", "null"] },
    channel: { type: "string", enum: ["telegram", "zalo", "web", "email", "zns"], description: "the channel actually used for this row" },
    zaloType: { type: ["string", "null"], enum: ["consultation", "transaction", "promotion", null], description: "the Zalo OA message type it went by" },
    status: { type: "string", enum: ["queued", "sent", "failed", "skipped", "cancelled"] },
    reason: { type: ["string", "null"] },
    attempts: { type: "integer" },
    doneAt: { type: ["integer", "null"], description: "epoch milliseconds" },
    deliveredAt: { type: ["integer", "null"], description: "when the platform said it reached the person (ZNS receipts), epoch milliseconds" },
    email: { type: ["string", "null"], description: "the mailbox of an e-mail row (registry staff with no chat)" },
  },
};

export const broadcastsPaths: Record<string, object> = {
  "/api/admin/audiences/count": {
    post: {
      summary: "Who an audience reaches: what can really be delivered, per channel, and why the rest cannot (an office admin's audience is held to its units)",
      requestBody: json({ type: "object", properties: { audience: { $ref: "#/components/schemas/Audience" } }, required: ["audience"] }),
      responses: { "200": json(audienceReport), ...errorCodes({ "400": VALIDATION, "403": "`unit_outside_office` (unit), `forbidden`" }) },
    },
  },
  "/api/admin/broadcasts/preview": {
    post: {
      summary: "Rendered text per channel and locale (telegram: Telegram HTML; zalo and web: plain text), the audience report and the effective send time (after quiet hours), without sending",
      requestBody: json({ $ref: "#/components/schemas/BroadcastInput" }),
      responses: {
        "200": json({ type: "object", properties: { recipients: audienceReport, sendAt: { type: "string", format: "date-time" }, rendered: { type: "object" } } }),
        ...errorCodes({ "400": VALIDATION, "403": "`unit_outside_office` (unit), `forbidden`" }),
      },
    },
  },
  "/api/admin/broadcasts/test": {
    post: {
      summary: "Send a draft (the body a broadcast is created with; nothing is stored) to the caller's own linked chat only",
      requestBody: json({ $ref: "#/components/schemas/BroadcastInput" }),
      responses: {
        "200": json({ type: "object", properties: { channel: { type: "string" }, address: { type: "string" }, providerMessageId: { type: "string" } } }),
        ...errorCodes({
          "400": VALIDATION,
          "403": "`forbidden` (viewers)",
          "409": "`test_no_linked_chat`: the staff account's person (or the token) has no Telegram/Zalo chat; `test_channel_not_configured` (channel)",
          "502": "`platform_refused`",
        }),
      },
    },
  },
  "/api/admin/broadcasts/{id}/test": {
    post: {
      summary: "Send a stored broadcast to the caller's own linked chat only",
      parameters: idParam,
      responses: {
        "200": json({ type: "object" }),
        ...errorCodes({ "404": "`not_found`", "409": "`test_no_linked_chat`, `test_channel_not_configured` (channel)", "502": "`platform_refused`" }),
      },
    },
  },
  "/api/admin/broadcasts/{id}/cancel": {
    post: {
      summary: "Stop what has not gone out",
      parameters: idParam,
      responses: { "200": json({ type: "object" }), ...errorCodes({ "404": "`not_found`", "409": "`broadcast_ended` (status): already done or cancelled" }) },
    },
  },
  "/api/admin/broadcasts/{id}/deliveries": {
    get: {
      summary: "A page of the broadcast's recipients with names and units (not chat ids)",
      parameters: [
        ...idParam,
        { name: "status", in: "query", required: false, schema: { type: "string", enum: ["queued", "sent", "failed", "skipped", "cancelled"] } },
        { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 200, default: 50 } },
        { name: "offset", in: "query", required: false, schema: { type: "integer", minimum: 0, default: 0 } },
      ],
      responses: {
        "200": json({ type: "object", properties: { deliveries: { type: "array", items: reportRow }, total: { type: "integer" }, limit: { type: "integer" }, offset: { type: "integer" } } }),
        ...errorCodes({ "400": "`invalid`", "404": "`not_found`" }),
      },
    },
  },
  "/api/admin/broadcasts/{id}/deliveries.xlsx": {
    get: {
      summary: "The recipients as an Excel workbook with Vietnamese headers and words, times in Vietnam time (sheet “Người nhận”, and “Thông báo” with the counts)",
      parameters: idParam,
      responses: {
        "200": { description: "XLSX", content: { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {} } },
        ...errorCodes({ "404": "`not_found`" }),
      },
    },
  },
};
