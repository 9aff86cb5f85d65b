import type { Request, Response } from "express";

/** Turns a known error into its HTTP answer; anything else is left to the app's error handler (500). */
export type ErrorMapper = (error: unknown) => { status: number; body: Record<string, unknown> } | undefined;

/** Wraps route handlers so that the errors `mapError` knows become JSON answers with their status. */
export function jsonHandler<R extends Request>(mapError: ErrorMapper) {
  return (fn: (req: R, res: Response) => Promise<void> | void) =>
    async (req: R, res: Response): Promise<void> => {
      try {
        await fn(req, res);
      } catch (error) {
        const mapped = mapError(error);
        if (!mapped) throw error;
        res.status(mapped.status).json(mapped.body);
      }
    };
}
