/** OpenAPI paths of the knowledge screens' endpoints, merged into the admin API's document (openapi.ts). */

/** Error codes the knowledge endpoints add (the start-up check's problem codes among them). */
export const KNOWLEDGE_ERROR_CODES = [
  "accuracy_drop",
  "unknown_intent",
  "intent_exists",
  "no_questions",
  "nothing_new",
  "not_revertible",
  "already_reverted",
  "required",
  "unknown_placeholder",
  "unknown_button",
  "missing_answer",
  "missing_label",
  "too_long",
  "too_many_buttons",
  "id_too_long",
  "unknown_menu_target",
] as const;

const json = (schema: object) => ({ content: { "application/json": { schema } } });
const err = {
  type: "object",
  properties: {
    error: { type: "string", description: "English, for logs and scripts" },
    code: { type: "string", description: "stable: what the console words (see the admin error codes)" },
    field: { type: "string" },
    problems: { type: "array", description: "every problem the start-up check found", items: { type: "object" } },
    accuracy: { type: "object", description: "accuracy_drop: {before, after}" },
  },
  required: ["error", "code"],
};
const failure = (description: string) => ({ description, ...json(err) });
const errors = {
  "400": failure("Invalid input or content the start-up check refuses: `code` (unknown_placeholder, unknown_button, too_long, …), `field`, and `problems`"),
  "401": failure("No valid bearer token or session cookie"),
  "403": failure("`forbidden`: only Department admins change knowledge; office admins and viewers read"),
};
const bilingual = { type: "object", properties: { vi: { type: "string" }, en: { type: "string" } }, required: ["vi", "en"] };
const button = { type: "object", properties: { label: bilingual, payload: { type: "string", description: '"#" + target id' } }, required: ["payload"] };
const source = { type: "string", enum: ["repository", "overlay"], description: "overlay: changed in the console since the files" };
const accuracy = {
  type: "object",
  description: "held-out accuracy (test/fixtures/nlu-heldout.tsv + nlu-hard.tsv), 0-1, of the model in use and of the model with the change",
  properties: { before: { type: ["number", "null"] }, after: { type: ["number", "null"] } },
};
const problem = { type: "object", properties: { code: { type: "string" }, field: { type: "string" }, message: { type: "string" } } };
const phrases = { type: "array", items: { type: "string", maxLength: 300 } };
const change = {
  oneOf: [
    {
      type: "object",
      properties: {
        kind: { const: "add_examples" },
        intent: { type: "string" },
        examples: { type: "array", items: { type: "object", properties: { text: { type: "string", maxLength: 300 }, locale: { enum: ["vi", "en"] } } } },
      },
      required: ["kind", "intent", "examples"],
    },
    {
      type: "object",
      properties: {
        kind: { const: "new_intent" },
        intent: {
          type: "object",
          properties: {
            id: { type: "string", pattern: "^[a-z0-9_]+(\\.[a-z0-9_]+)*$" },
            questions: { type: "object", properties: { vi: phrases, en: phrases } },
            answer: bilingual,
            buttons: { type: "array", items: button },
            title: { ...bilingual, description: "the topic's name on buttons; the first question when left out" },
          },
          required: ["id", "questions", "answer"],
        },
      },
      required: ["kind", "intent"],
    },
    {
      type: "object",
      properties: { kind: { const: "edit_answer" }, intent: { type: "string" }, answer: bilingual, buttons: { type: "array", items: button } },
      required: ["kind", "intent", "answer"],
    },
  ],
};
const applied = json({ type: "object", properties: { version: { type: "integer" }, applied: { const: true }, accuracy } });
const held = failure("`accuracy_drop`: held-out accuracy would drop by more than 1 point; `accuracy` {before, after}; send again with confirm: true");

export const knowledgePaths: Record<string, object> = {
  "/api/admin/knowledge/intents": {
    get: {
      summary: "Every intent with its answer and how many training phrases it has",
      responses: {
        "200": json({
          type: "object",
          properties: {
            intents: {
              type: "array",
              items: { type: "object", properties: { id: { type: "string" }, title: bilingual, exampleCount: { type: "integer" }, answer: bilingual, source } },
            },
          },
        }),
        ...errors,
      },
    },
  },
  "/api/admin/knowledge/intents/{id}": {
    get: {
      summary: "One intent: its training phrases, answer and buttons",
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
      responses: {
        "200": json({
          type: "object",
          properties: { id: { type: "string" }, title: bilingual, examples: { type: "object", properties: { vi: phrases, en: phrases } }, answer: bilingual, buttons: { type: "array", items: button }, source },
        }),
        "404": failure("`not_found`"),
        ...errors,
      },
    },
  },
  "/api/admin/knowledge/preview": {
    post: {
      summary: "An answer as each channel shows it (Telegram HTML, Zalo and web text), with the start-up check's problems; changes nothing",
      requestBody: json({ type: "object", properties: { intent: { type: "string" }, answer: bilingual, buttons: { type: "array", items: button } }, required: ["answer"] }),
      responses: {
        "200": json({
          type: "object",
          properties: {
            valid: { type: "boolean" },
            problems: { type: "array", items: problem },
            channels: { type: "object", properties: { telegram: bilingual, zalo: bilingual, web: bilingual } },
          },
        }),
        ...errors,
      },
    },
  },
  "/api/admin/knowledge/changes": {
    post: {
      summary:
        "Apply a change live (Department admins; audited): checked like the start-up check, measured on the held-out questions with a model trained on it in the background, stored as a version, then the new model and answers are swapped in; no restart",
      requestBody: json({ type: "object", properties: { change, confirm: { type: "boolean" }, note: { type: "string", maxLength: 500 } }, required: ["change"] }),
      responses: { "200": applied, "409": held, ...errors },
    },
  },
  "/api/admin/knowledge/status": {
    get: {
      summary: "The latest version, the version in use, and whether a model is being trained",
      responses: {
        "200": json({
          type: "object",
          properties: { version: { type: "integer" }, training: { type: "boolean" }, appliedVersion: { type: "integer" }, lastAppliedAt: { type: ["string", "null"], format: "date-time" } },
        }),
        ...errors,
      },
    },
  },
  "/api/admin/knowledge/versions": {
    get: {
      summary: "Every change and revert, newest first: who, when, what",
      responses: {
        "200": json({
          type: "object",
          properties: {
            versions: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  version: { type: "integer" },
                  at: { type: "string", format: "date-time" },
                  by: { type: "string" },
                  kind: { enum: ["add_examples", "new_intent", "edit_answer", "revert"] },
                  summary: { type: "string" },
                  note: { type: "string" },
                  reverts: { type: "integer" },
                  revertedAt: { type: "string", format: "date-time" },
                },
              },
            },
          },
        }),
        ...errors,
      },
    },
  },
  "/api/admin/knowledge/versions/{version}/revert": {
    post: {
      summary: "Undo a version's change (Department admins; audited); the revert is a new version, measured and guarded like a change",
      parameters: [{ name: "version", in: "path", required: true, schema: { type: "integer" } }],
      requestBody: { required: false, ...json({ type: "object", properties: { confirm: { type: "boolean" }, note: { type: "string" } } }) },
      responses: { "200": applied, "404": failure("`not_found`"), "409": failure("`already_reverted`, or `accuracy_drop` as for a change"), ...errors },
    },
  },
};
