/** OpenAPI paths of the tasks screens' endpoints, merged into the admin API's document (openapi.ts). */

const error = {
  type: "object",
  properties: { error: { type: "string" }, code: { type: "string" }, field: { type: "string" } },
  required: ["error", "code"],
};
const errors = (codes: string) => ({
  "400": { description: `Invalid input (${codes}); \`field\` names what is wrong`, content: { "application/json": { schema: error } } },
  "403": { description: "The wrong role (`forbidden`) or unit (`unit_out_of_scope`)", content: { "application/json": { schema: error } } },
  "404": { description: "No such year, task or unit within the caller's scope (`year_not_found`, `task_not_found`, `task_or_unit_not_found`)", content: { "application/json": { schema: error } } },
});
const json = (schema: object) => ({ description: "OK", content: { "application/json": { schema } } });
const idParam = { name: "id", in: "path", required: true, schema: { type: "integer" } };
const codeParam = { name: "code", in: "path", required: true, schema: { type: "string" } };
const yearParam = { name: "year", in: "query", required: false, schema: { type: "string", examples: ["2025-2026"] }, description: "default: the current school year" };
const counts = { type: "object", properties: { todo: { type: "integer" }, done: { type: "integer" }, not_applicable: { type: "integer" } } };
const status = { type: "string", enum: ["todo", "done", "not_applicable"] };

export const tasksPaths: Record<string, object> = {
  "/api/admin/tasks/matrix": {
    get: {
      summary:
        "The school year's tasks × units within the caller's scope (an office admin: its office and its schools). Each unit some task applies to is a row; `cells` has one letter per task in the order of `tasks`: '-' the task is not for the unit, 't' to do, 'd' done, 'n' not applicable. Each task's counts come from the same cells (applicable = todo + done + not_applicable; late = todo past the date)",
      parameters: [yearParam],
      responses: {
        "200": json({
          type: "object",
          properties: {
            year: { type: "string" },
            today: { type: "string", format: "date" },
            tasks: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  id: { type: "integer" },
                  key: { type: "string" },
                  title: { type: "object" },
                  dueOn: { type: ["string", "null"], format: "date" },
                  statuses: counts,
                  applicable: { type: "integer" },
                  late: { type: "integer" },
                },
              },
            },
            units: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  code: { type: "string" },
                  name: { type: "string" },
                  type: { type: "string" },
                  level: { type: ["string", "null"] },
                  office: { type: ["string", "null"] },
                  officeName: { type: ["string", "null"] },
                  cells: { type: "string" },
                },
              },
            },
          },
        }),
        ...errors("`invalid`"),
      },
    },
  },
  "/api/admin/tasks/export.xlsx": {
    get: {
      summary:
        "The matrix as an Excel workbook in Vietnamese (sheets Tổng hợp, Bảng theo dõi, Chưa nộp; statuses in words, dates dd/MM/yyyy), narrowed like the console's filters; status=todo includes late units",
      parameters: [
        yearParam,
        { name: "task", in: "query", required: false, schema: { type: "integer" } },
        { name: "office", in: "query", required: false, schema: { type: "string" }, description: "an office's code, or none (units under the Department)" },
        { name: "level", in: "query", required: false, schema: { type: "string", enum: ["mam_non", "tieu_hoc", "thcs", "thpt", "gdtx"] } },
        { name: "status", in: "query", required: false, schema: { type: "string", enum: ["late", "todo", "done", "not_applicable"] } },
      ],
      responses: {
        "200": { description: "the workbook", content: { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { schema: { type: "string", format: "binary" } } } },
        ...errors("`invalid_filter`"),
      },
    },
  },
  "/api/admin/tasks/{id}/units/{code}/reminders": {
    get: {
      summary: "The unit's reminders for a task, newest first, with every step of the delivery ladder: the channel used, how it ended, and when a ZNS receipt said it arrived",
      parameters: [idParam, codeParam],
      responses: {
        "200": json({
          type: "object",
          properties: {
            task: { type: "integer" },
            unit: { type: "string" },
            deliveries: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  ref: { type: "string" },
                  name: { type: "string" },
                  step: { type: "string", description: "before-N, due, late-N, summary-…, snooze-YYYY-MM-DD" },
                  scheduledFor: { type: "integer", description: "epoch milliseconds" },
                  channel: { type: "string", enum: ["telegram", "zalo", "zns", "email"] },
                  email: { type: ["string", "null"], description: "the mailbox of an e-mail step" },
                  status: { type: "string", enum: ["queued", "sent", "failed", "skipped", "cancelled"] },
                  reason: { type: ["string", "null"] },
                  attempts: { type: "integer" },
                  doneAt: { type: ["integer", "null"], description: "epoch milliseconds" },
                  deliveredAt: { type: ["integer", "null"], description: "when Zalo's ZNS receipt said it reached the phone, epoch milliseconds" },
                },
              },
            },
          },
        }),
        ...errors("`invalid`"),
      },
    },
  },
  "/api/admin/tasks/{id}/units/{code}/history": {
    get: {
      summary: "Every status change of a unit for a task, newest first: who (the staff login or token), when, the new status and the note",
      parameters: [idParam, codeParam],
      responses: {
        "200": json({
          type: "object",
          properties: {
            task: { type: "string" },
            unit: { type: "string" },
            unitName: { type: "string" },
            status,
            entries: { type: "array", items: { type: "object", properties: { status, by: { type: "string" }, at: { type: "string", format: "date-time" }, note: { type: ["string", "null"] } } } },
          },
        }),
        ...errors("`invalid`"),
      },
    },
  },
  "/api/admin/tasks/{id}/due-preview": {
    get: {
      summary:
        "Department only. A dry run of a new due date with the reminder planner's own rules, writing nothing: the round the next planner run would send (the latest step already due within the catch-up window, immediate = true; else the first step to come, at its time), how many units owe the task, and how many people and office/Department summaries that round reaches",
      parameters: [idParam, { name: "dueOn", in: "query", required: true, schema: { type: "string", format: "date" } }],
      responses: {
        "200": json({
          type: "object",
          properties: {
            dueOn: { type: "string", format: "date" },
            past: { type: "boolean" },
            immediate: { type: "boolean" },
            step: { type: ["object", "null"], properties: { key: { type: "string" }, offsetDays: { type: "integer" }, at: { type: "string", format: "date-time" }, toOffice: { type: "boolean" }, toDepartment: { type: "boolean" } } },
            owing: { type: "object", properties: { schools: { type: "integer" }, offices: { type: "integer" }, other: { type: "integer" } } },
            recipients: { type: "object", properties: { people: { type: "integer" }, officeSummaries: { type: "integer" }, departmentSummaries: { type: "integer" } } },
          },
        }),
        ...errors("`invalid_due_date`"),
      },
    },
  },
};
