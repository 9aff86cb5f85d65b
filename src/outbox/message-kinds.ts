import type { OutboundMessage } from "../core/types.js";
import type { Cause, CauseType, OutboxRow, RowOutcome, TemplateValues } from "./outbox-port.js";

/**
 * What one cause's rows say and what happens when one ends. Rows stay small: the text is rendered from the
 * cause (the broadcast, the reminder, the staff reply) when the row is sent, in the row's locale.
 */
export interface MessageKind {
  render(row: OutboxRow): OutboundMessage | undefined;
  /** The message's structured values for a template channel (ZNS); kinds that never use one leave it out. */
  templateValues?(row: OutboxRow): TemplateValues | undefined;
  /** A row of this cause ended (sent, failed, or skipped with no fallback row left to try). */
  finished?(cause: Cause, outcome: RowOutcome, now: Date): void;
}

/** kind → render(row) → message: one entry per cause (broadcast, reminder and its summaries, hand-off reply). */
export class MessageKinds {
  private readonly kinds = new Map<CauseType, MessageKind>();

  register(type: CauseType, kind: MessageKind): this {
    this.kinds.set(type, kind);
    return this;
  }

  render(row: OutboxRow): OutboundMessage | undefined {
    return this.kinds.get(row.causeType)?.render(row);
  }

  templateValues(row: OutboxRow): TemplateValues | undefined {
    return this.kinds.get(row.causeType)?.templateValues?.(row);
  }

  finished(cause: Cause, outcome: RowOutcome, now: Date): void {
    this.kinds.get(cause.type)?.finished?.(cause, outcome, now);
  }
}
