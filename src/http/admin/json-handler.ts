import type { Request, Response } from "express";

/** Turns a known error into its HTTP answer; anything else is left to the app's error handler (500). */
export type ErrorMapper = (error: unknown) => { status: number; body: Record<string, unknown> } | undefined;

/** The code an error gets when its mapper gives none: by status, so every admin API error has one. */
export function defaultErrorCode(status: number): string {
  return DEFAULT_CODES[status] ?? (status >= 500 ? "internal_error" : "invalid");
}

const DEFAULT_CODES: Record<number, string> = { 400: "invalid", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 409: "conflict", 413: "too_large", 429: "too_many_requests", 502: "platform_refused" };

/** Wraps route handlers so that the errors `mapError` knows become JSON answers with their status. */
export function jsonHandler<R extends Request>(mapError: ErrorMapper) {
  return (fn: (req: R, res: Response) => Promise<void> | void) =>
    async (req: R, res: Response): Promise<void> => {
      try {
        await fn(req, res);
      } catch (error) {
        const mapped = mapError(error);
        if (!mapped) throw error;
        res.status(mapped.status).json({ ...mapped.body, code: mapped.body.code ?? defaultErrorCode(mapped.status) });
      }
    };
}
