import type { Logger } from "../../core/conversation.js";
import type { Clock } from "../../core/ports.js";
import type { SqliteChatMigrations } from "../../db/chat-migrations.js";

/**
 * The staff chat's id as it is now. STAFF_CHAT_ID names the chat as configured; when Telegram upgrades that
 * group to a supergroup the id changes, and the move is kept in the database so it survives restarts.
 */
export class StaffChatAddress {
  private cached: string;

  constructor(
    private readonly configured: string,
    private readonly migrations: SqliteChatMigrations,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.cached = migrations.follow("telegram", configured);
  }

  current(): string {
    return this.cached;
  }

  /** Telegram said the chat moved; returns false when it is not news (or not our chat). */
  moved(from: string, to: string): boolean {
    if (from !== this.cached || to === this.cached) return false;
    this.migrations.record("telegram", from, to, this.clock.now());
    this.cached = to;
    this.logger.warn({ from, to }, "the staff chat became a supergroup; following it (set STAFF_CHAT_ID to the new id)");
    return true;
  }
}
