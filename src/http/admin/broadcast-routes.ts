import { Router, type Request } from "express";
import { BroadcastError, type BroadcastService } from "../../broadcast/broadcast-service.js";
import { writeDeliveriesXlsx } from "../../broadcast/delivery-export.js";
import { REPORT_STATUSES, type ReportStatus } from "../../broadcast/sqlite-delivery-report.js";
import { SendError } from "../../core/delivery/send-error.js";
import type { SqliteOutbox } from "../../outbox/sqlite-outbox-store.js";
import { accessErrorWithField, actorOf, type AuthedRequest } from "./authenticate.js";
import { jsonHandler } from "./json-handler.js";

export interface BroadcastRoutesDeps {
  broadcasts: BroadcastService;
  outbox: SqliteOutbox;
}

/** Broadcasts and audiences: routes only translate HTTP; the rules are in BroadcastService. */
export function broadcastRoutes(deps: BroadcastRoutesDeps): Router {
  const router = Router();

  const handle = jsonHandler<AuthedRequest>((error) => {
    if (error instanceof BroadcastError) {
      return { status: error.status, body: { ...error.extra, error: error.message, code: error.code, field: error.field } };
    }
    if (error instanceof SendError) {
      return { status: 502, body: { error: `the platform refused the test message: ${error.message}`, code: "platform_refused" } };
    }
    return accessErrorWithField(error);
  });

  const idParam = (req: Request): number => {
    const id = Number(req.params.id);
    if (!Number.isInteger(id) || id <= 0) throw new BroadcastError(400, "id", "must be a positive integer", "invalid");
    return id;
  };

  const intQuery = (req: Request, name: string, fallback: number, min: number, max: number): number => {
    const raw = req.query[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new BroadcastError(400, name, `must be an integer from ${min} to ${max}`, "invalid", { min, max });
    return n;
  };

  router.post(
    "/api/admin/audiences/count",
    handle((req, res) => {
      res.json(deps.broadcasts.countAudience(req.body, actorOf(req)));
    }),
  );

  router.post(
    "/api/admin/broadcasts/preview",
    handle((req, res) => {
      res.json(deps.broadcasts.preview(req.body, actorOf(req)));
    }),
  );

  router.post(
    "/api/admin/broadcasts/test",
    handle(async (req, res) => {
      res.json(await deps.broadcasts.testDraft(req.body, actorOf(req)));
    }),
  );

  router.post(
    "/api/admin/broadcasts",
    handle((req, res) => {
      const created = deps.broadcasts.create(req.body, actorOf(req));
      res.status(201).location(`/api/admin/broadcasts/${created.id}`).json(created);
    }),
  );

  router.get(
    "/api/admin/broadcasts",
    handle((req, res) => {
      const limit = intQuery(req, "limit", 50, 1, 200);
      const before = req.query.before === undefined ? undefined : Number(req.query.before);
      if (before !== undefined && (!Number.isInteger(before) || before <= 0)) throw new BroadcastError(400, "before", "must be a positive integer", "invalid");
      res.json(deps.broadcasts.list(actorOf(req), { limit, ...(before !== undefined ? { before } : {}) }));
    }),
  );

  router.get(
    "/api/admin/broadcasts/:id",
    handle((req, res) => {
      res.json(deps.broadcasts.get(idParam(req), actorOf(req)));
    }),
  );

  router.post(
    "/api/admin/broadcasts/:id/cancel",
    handle((req, res) => {
      res.json(deps.broadcasts.cancel(idParam(req), actorOf(req)));
    }),
  );

  router.post(
    "/api/admin/broadcasts/:id/test",
    handle(async (req, res) => {
      res.json(await deps.broadcasts.testSend(idParam(req), actorOf(req)));
    }),
  );

  router.get(
    "/api/admin/broadcasts/:id/deliveries",
    handle((req, res) => {
      const status = req.query.status;
      if (status !== undefined && !REPORT_STATUSES.includes(status as ReportStatus)) {
        throw new BroadcastError(400, "status", `must be one of ${REPORT_STATUSES.join(", ")}`, "invalid");
      }
      const limit = intQuery(req, "limit", 50, 1, 200);
      const offset = intQuery(req, "offset", 0, 0, 10_000_000);
      res.json({ ...deps.broadcasts.deliveries(idParam(req), actorOf(req), { status: status as ReportStatus | undefined, limit, offset }), limit, offset });
    }),
  );

  router.get(
    "/api/admin/broadcasts/:id/deliveries.xlsx",
    handle(async (req, res) => {
      const id = idParam(req);
      const { broadcast, rows } = deps.broadcasts.exportRows(id, actorOf(req));
      res.type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet").attachment(`thong-bao-${id}-nguoi-nhan.xlsx`);
      await writeDeliveriesXlsx(res, broadcast, rows);
    }),
  );

  router.get(
    "/api/admin/broadcasts/:id/deliveries.csv",
    handle((req, res) => {
      const id = idParam(req);
      deps.broadcasts.get(id, actorOf(req));
      res.type("text/csv; charset=utf-8").attachment(`broadcast-${id}-deliveries.csv`);
      res.write("\uFEFFoutbox_id,channel,address,locale,status,reason,attempts,done_at\r\n");
      for (const d of deps.outbox.deliveries("broadcast", id)) {
        const doneAt = d.doneAt ? new Date(d.doneAt).toISOString() : "";
        res.write(`${[d.id, d.channel, d.address, d.locale, d.status, d.reason ?? "", d.attempts, doneAt].map(csvField).join(",")}\r\n`);
      }
      res.end();
    }),
  );

  return router;
}

/** Quotes when needed, and defuses spreadsheet formulas (a cell starting with = + @ or a non-numeric -). */
export function csvField(value: string | number): string {
  let s = String(value);
  if (/^[=+@]/.test(s) || /^-(?!\d+$)/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
