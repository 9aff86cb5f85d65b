/** OpenAPI paths of the registry screens' endpoints, merged into the admin API's document (openapi.ts). */

/** One problem of an import report (POST /api/admin/imports/{kind}, in openapi.ts, answers these in `problems`). */
export const importProblemSchema = {
  type: "object",
  properties: {
    row: { type: "integer", description: "1-based line of the file (the header is line 1)" },
    column: { type: "string", description: "the import's column, or empty for the file as a whole" },
    code: { type: "string", description: "stable name of the problem, e.g. unknown_level, duplicate, phone_leading_zero" },
    params: { type: "object", additionalProperties: { oneOf: [{ type: "string" }, { type: "integer" }] }, description: "the problem's values (value, firstRow, suggestion…)" },
    problem: { type: "string", description: "the problem in English" },
  },
};

const reachChannel = { type: "string", enum: ["zalo", "telegram", "zns", "email"] };

const person = {
  type: "object",
  properties: {
    ref: { type: "string" },
    name: { type: "string" },
    role: { type: "string", enum: ["it_lead", "school_leader", "office_staff", "department_staff"] },
    unit: { type: "object", properties: { code: { type: "string" }, name: { type: "string" } } },
    hasPhone: { type: "boolean" },
    hasEmail: { type: "boolean" },
    linked: { type: "boolean" },
    channels: { type: "array", items: { type: "string", enum: ["telegram", "zalo", "web"] } },
    reachOff: { type: "array", items: reachChannel, description: "channels the person's reminders may not use (the chat's /settings)" },
    reachOrder: { type: "array", items: reachChannel, description: "the person's own order, first tried first (complete); [] = the default (the chat used last first)" },
  },
};

export const registryPaths: Record<string, object> = {
  "/api/admin/people": {
    get: {
      summary: "People of the register in the caller's units (phone and e-mail only as present or not), by name (tone marks optional) or ref, unit and role; paged",
      parameters: [
        { name: "q", in: "query", required: false, schema: { type: "string" } },
        { name: "unit", in: "query", required: false, schema: { type: "string" } },
        { name: "role", in: "query", required: false, schema: { type: "string" } },
        { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 200, default: 50 } },
        { name: "offset", in: "query", required: false, schema: { type: "integer", minimum: 0, default: 0 } },
      ],
      responses: {
        "200": {
          description: "A page of people and how many match",
          content: { "application/json": { schema: { type: "object", properties: { people: { type: "array", items: person }, total: { type: "integer" }, limit: { type: "integer" }, offset: { type: "integer" } } } } },
        },
      },
    },
  },
  "/api/admin/people/{ref}/reach": {
    put: {
      summary: "Which channels the person's reminders may not use, and in which order they are tried (the same settings as /settings in the chat); audited",
      parameters: [{ name: "ref", in: "path", required: true, schema: { type: "string" } }],
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: {
              type: "object",
              required: ["off"],
              properties: {
                off: { type: "array", items: reachChannel },
                order: { type: "array", items: reachChannel, description: "channels to try first, in order (the others follow in the default order); [] = back to the default; absent = unchanged" },
              },
            },
          },
        },
      },
      responses: {
        "200": { description: "The setting now", content: { "application/json": { schema: { type: "object", properties: { ref: { type: "string" }, reachOff: { type: "array", items: reachChannel }, reachOrder: { type: "array", items: reachChannel } } } } } },
        "400": { description: "off is not a list of channels (code invalid), or names an unknown channel (code unknown_channel)" },
        "403": { description: "A viewer" },
        "404": { description: "No such person in the caller's units" },
      },
    },
  },
  "/api/admin/units/{code}/link-letter": {
    post: {
      summary: "Issue a one-time link code (audited, valid 7 days) for each person of the unit not linked yet, with the Telegram deep link, the Zalo OA link and an SVG QR code, for a printed letter",
      parameters: [{ name: "code", in: "path", required: true, schema: { type: "string" } }],
      requestBody: { required: false, content: { "application/json": { schema: { type: "object", properties: { itLeadsOnly: { type: "boolean" } } } } } },
      responses: {
        "201": {
          description: "{ unit: {code, name}, people: [{ref, name, role, code, expiresAt, telegramLink?, zaloLink?, qrSvg?}], alreadyLinked: [{ref, name, role}] }",
        },
        "403": { description: "A viewer" },
        "404": { description: "No such unit within the caller's reach" },
      },
    },
  },
};
