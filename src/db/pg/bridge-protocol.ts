import type { MessagePort } from "node:worker_threads";

/** The messages between the calling thread (sync-postgres.ts) and the PostgreSQL worker (bridge-worker.ts). */
export type BridgeRequest = { connection: number; /** echoed in the answer */ seq: number } & (
  | { op: "open"; url: string }
  | { op: "query"; text: string; values: unknown[]; arrays: boolean }
  | { op: "migrate" }
  | { op: "end" }
);

export type BridgeResponse = { seq: number } & (
  | { ok: true; rows: unknown[]; rowCount: number }
  | { ok: false; error: { message: string; code?: string | undefined; detail?: string | undefined; unavailable?: boolean } }
);

export interface BridgeWorkerData {
  /** one Int32: 0 while the worker works, 1 once the answer is posted */
  signal: SharedArrayBuffer;
  port: MessagePort;
}

/** Omit over each member of a union (the request and answer kinds keep their own fields). */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
