import type { MessageSource, OutboxRow } from "../core/delivery/outbox-types.js";
import type { OutboundMessage } from "../core/types.js";
import type { BroadcastService } from "./broadcast-service.js";

/** What each outbox row says, looked up from its cause when it is sent (rows stay small). */
export class OutboxMessages implements MessageSource {
  constructor(private readonly broadcasts: BroadcastService) {}

  messageFor(row: OutboxRow): OutboundMessage | undefined {
    if (row.causeType === "broadcast") return this.broadcasts.messageFor(row.causeId, row.locale);
    return undefined;
  }
}
