import type { MessageSource, OutboxRow } from "../core/delivery/outbox-types.js";
import type { OutboundMessage } from "../core/types.js";
import type { BroadcastService } from "./broadcast-service.js";

/** Renders the reminder an outbox row stands for (src/reminders/reminder-text.ts). */
export interface ReminderTexts {
  reminderMessage(reminderId: number, locale: OutboxRow["locale"]): OutboundMessage | undefined;
}

/** What each outbox row says, looked up from its cause when it is sent (rows stay small). */
export class OutboxMessages implements MessageSource {
  constructor(
    private readonly broadcasts: BroadcastService,
    private readonly reminders?: ReminderTexts,
  ) {}

  messageFor(row: OutboxRow): OutboundMessage | undefined {
    if (row.causeType === "broadcast") return this.broadcasts.messageFor(row.causeId, row.locale);
    return this.reminders?.reminderMessage(row.causeId, row.locale);
  }
}
