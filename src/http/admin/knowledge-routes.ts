import { Router } from "express";
import type { KnowledgeEditor } from "../../knowledge-edit/knowledge-editor.js";
import { KnowledgeError } from "../../knowledge-edit/knowledge-error.js";
import { accessError, actorOf, type AuthedRequest } from "./authenticate.js";
import { jsonHandler } from "./json-handler.js";

/** Live knowledge editing (console: Kiến thức), mounted after the admin auth middleware. Only HTTP here. */
export function knowledgeRoutes(editor: KnowledgeEditor): Router {
  const router = Router();
  const handle = jsonHandler<AuthedRequest>((error) => {
    if (error instanceof KnowledgeError) {
      return { status: error.status, body: { error: error.message, code: error.code, ...(error.field ? { field: error.field } : {}), ...error.extra } };
    }
    return accessError(error);
  });

  router.get(
    "/api/admin/knowledge/intents",
    handle((_req, res) => {
      res.json(editor.listIntents());
    }),
  );

  router.get(
    "/api/admin/knowledge/intents/:id",
    handle((req, res) => {
      res.json(editor.getIntent(String(req.params.id)));
    }),
  );

  router.post(
    "/api/admin/knowledge/preview",
    handle((req, res) => {
      res.json(editor.preview(req.body));
    }),
  );

  router.post(
    "/api/admin/knowledge/changes",
    handle(async (req, res) => {
      res.json(await editor.apply(req.body, actorOf(req)));
    }),
  );

  router.get(
    "/api/admin/knowledge/status",
    handle((_req, res) => {
      res.json(editor.status());
    }),
  );

  router.get(
    "/api/admin/knowledge/versions",
    handle((_req, res) => {
      res.json(editor.versions());
    }),
  );

  router.post(
    "/api/admin/knowledge/versions/:version/revert",
    handle(async (req, res) => {
      const version = Number(req.params.version);
      if (!Number.isInteger(version) || version <= 0) throw new KnowledgeError(400, "invalid", "version: must be a positive integer", "version");
      res.json(await editor.revert(version, req.body, actorOf(req)));
    }),
  );

  return router;
}
