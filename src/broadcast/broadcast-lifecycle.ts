import type { Cause, RowOutcome } from "../outbox/outbox-port.js";
import type { MessageKind } from "../outbox/message-kinds.js";

export type BroadcastStatus = "scheduled" | "sending" | "done" | "cancelled";

/** What a transition stamps on the broadcast besides its status. */
export interface TransitionStamp {
  plannedAt?: number;
  recipients?: number;
  finishedAt?: number;
  cancelledAt?: number;
}

/** Storage of a broadcast's status (SQLite: sqlite-broadcast-status.ts). */
export interface BroadcastStatusStore {
  /** Moves the broadcast to `to` only if it is in one of `from`; returns whether it moved. */
  transition(id: number, from: BroadcastStatus[], to: BroadcastStatus, stamp: TransitionStamp): boolean;
  /** ids of the broadcasts now sending */
  sending(): number[];
}

/** What the lifecycle asks the outbox. */
export interface PendingRows {
  hasPending(cause: Cause): boolean;
  cancelQueued(causeType: Cause["type"], causeId: number, now: Date): number;
}

/**
 * The only place a broadcast's status changes: scheduled → sending (planned) → done (nothing left that can be
 * sent, whatever channels are configured) or → cancelled. The dispatcher only reports "a row ended".
 */
export class BroadcastLifecycle {
  constructor(
    private readonly store: BroadcastStatusStore,
    private readonly outbox: PendingRows,
  ) {}

  /** Its rows are written: it is sending, and done at once when none of them can be sent. */
  planned(id: number, recipients: number, now: Date): void {
    if (this.store.transition(id, ["scheduled"], "sending", { plannedAt: now.getTime(), recipients })) this.closeIfFinished(id, now);
  }

  /** Stops what has not gone out; returns false when it had already ended. */
  cancel(id: number, now: Date): boolean {
    const moved = this.store.transition(id, ["scheduled", "sending"], "cancelled", { cancelledAt: now.getTime() });
    if (moved) this.outbox.cancelQueued("broadcast", id, now);
    return moved;
  }

  /** Done when no row is queued or being sent. */
  closeIfFinished(id: number, now: Date): boolean {
    if (this.outbox.hasPending({ type: "broadcast", id })) return false;
    return this.store.transition(id, ["sending"], "done", { finishedAt: now.getTime() });
  }

  /** Every sending broadcast with nothing left (after a restart, or rows ended by other means). */
  closeAllFinished(now: Date): number {
    return this.store.sending().filter((id) => this.closeIfFinished(id, now)).length;
  }

  /** The broadcast's entry in the outbox's message kinds: a row ended, maybe the last one. */
  rowFinished(): Pick<MessageKind, "finished"> {
    return { finished: (cause: Cause, _outcome: RowOutcome, now: Date) => void this.closeIfFinished(cause.id, now) };
  }
}
