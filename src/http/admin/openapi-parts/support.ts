/** OpenAPI paths of the support screens' endpoints, merged into the admin API's document (openapi.ts). */

const json = (schema: object): object => ({ description: "OK", content: { "application/json": { schema } } });
const errors = {
  "400": { description: "Invalid input: {error, code: invalid, field}" },
  "401": { description: "Not signed in" },
  "403": { description: "The role may not do this (code forbidden)" },
  "404": { description: "Not found, or outside the caller's units (code not_found / review_group_not_found)" },
};
/** One message of a hand-off's thread (also used by the hand-off paths in openapi.ts). */
export const threadMessage = {
  type: "object",
  properties: {
    id: { type: "integer" },
    direction: { type: "string", enum: ["in", "out"] },
    author: { type: "string", description: '"person", "bot", a console login label or "telegram:<name>"' },
    text: { type: ["string", "null"] },
    at: { type: "string", format: "date-time" },
    delivery: { type: ["string", "null"], enum: ["queued", "sent", "failed", "on_page", null] },
  },
};
/** A hand-off as the inbox lists it. */
export const handoff = {
  type: "object",
  properties: {
    id: { type: "integer" },
    status: { type: "string", enum: ["open", "answered", "closed"] },
    channel: { type: "string", enum: ["telegram", "zalo", "web"] },
    locale: { type: "string" },
    question: { type: ["string", "null"] },
    createdAt: { type: "string", format: "date-time" },
    answeredAt: { type: ["string", "null"], format: "date-time", description: "the first staff answer" },
    waitingSince: { type: ["string", "null"], format: "date-time" },
    waitingSeconds: { type: ["integer", "null"] },
    lastMessages: { type: "array", items: threadMessage },
  },
};
const stats = {
  type: "object",
  description: "The inbox's figures within the caller's reach, as /metrics counts them (bot_handoffs_waiting, bot_handoff_first_answer_seconds)",
  properties: {
    waiting: { type: "integer", description: "open hand-offs" },
    medianFirstAnswerSeconds: { type: ["integer", "null"], description: "median time from request to first staff answer, of the hand-offs requested in the last `days` days" },
    answered: { type: "integer", description: "how many hand-offs that median is over" },
    days: { type: "integer" },
  },
};
const group = {
  type: "object",
  properties: {
    key: { type: "string", description: "stable id: a hash of the group's most asked normalised word set" },
    count: { type: "integer", description: "questions in the group" },
    examples: {
      type: "array",
      maxItems: 5,
      items: {
        type: "object",
        properties: {
          text: { type: "string" },
          at: { type: "string", format: "date-time" },
          channel: { type: "string", enum: ["telegram", "zalo", "web"] },
          locale: { type: "string" },
          kind: { type: "string", enum: ["unanswered", "unsure"], description: "out of scope, or answered below 0.6 confidence" },
        },
      },
    },
    firstAt: { type: "string", format: "date-time" },
    lastAt: { type: "string", format: "date-time" },
    guesses: { type: "array", maxItems: 3, items: { type: "object", properties: { intent: { type: "string" }, confidence: { type: "number" } } } },
  },
};

export const supportPaths: Record<string, object> = {
  "/api/admin/handoffs": {
    get: {
      summary:
        "Hand-offs (Hỗ trợ), waiting ones first, longest wait at the top: channel, language, question, waitingSeconds (null while staff answered last), the last 3 messages; and the inbox's figures. Office admins see only people who follow one of their units",
      parameters: [{ name: "status", in: "query", required: false, schema: { type: "string", enum: ["open", "answered", "closed"] } }],
      responses: { "200": json({ type: "object", properties: { handoffs: { type: "array", items: handoff }, stats } }), ...errors },
    },
  },
  "/api/admin/review/groups": {
    get: {
      summary:
        "Câu hỏi chưa trả lời: the questions of the last `days` days the running classifier cannot answer or answers unsure, grouped by similarity of their normalised words (tone marks, shorthand, politeness and function words set aside), most asked first, with the bot's best guesses. Questions the directive search answered and tapped buttons are left out. Office admins see the questions of people who follow one of their units",
      parameters: [{ name: "days", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 365, default: 30 } }],
      responses: {
        "200": json({
          type: "object",
          properties: { days: { type: "integer" }, since: { type: "string", format: "date-time" }, truncated: { type: "boolean", description: "more than 5,000 questions: the latest were grouped" }, groups: { type: "array", items: group } },
        }),
        ...errors,
      },
    },
  },
  "/api/admin/review/groups/{key}/resolve": {
    post: {
      summary:
        "Department admins: mark a group ignored or taught (audited as review.ignore / review.teach). Its questions stay hidden; the same question asked later shows again. 404 review_group_not_found when the group is not among the last `days` days' questions",
      parameters: [{ name: "key", in: "path", required: true, schema: { type: "string", pattern: "^[0-9a-f]{16}$" } }],
      requestBody: json({
        type: "object",
        properties: {
          how: { type: "string", enum: ["ignored", "taught"] },
          intent: { type: "string", description: "taught: the topic the questions went to" },
          version: { type: "string", description: "taught: the knowledge version the change made" },
          days: { type: "integer", minimum: 1, maximum: 365, default: 30, description: "the period the group was listed for" },
        },
        required: ["how"],
      }),
      responses: {
        "200": json({ type: "object", properties: { key: { type: "string" }, how: { type: "string" }, hidden: { type: "integer" }, resolvedAt: { type: "string", format: "date-time" } } }),
        ...errors,
      },
    },
  },
};
