import cron from "node-cron";
import type { Logger } from "../core/conversation.js";
import type { Clock } from "../core/ports.js";
import type { SqliteConversationStore } from "../db/conversation-store.js";
import type { SqliteWebSessions } from "../db/web-sessions.js";

export interface RetentionJob {
  stop(): void;
}

const DAY_MS = 86_400_000;

/**
 * Deletes conversation logs older than LOG_RETENTION_DAYS and anonymous web chat users idle for
 * CHAT_IDLE_DAYS: once at start, then every night at 03:10.
 */
export function startRetentionJob(options: {
  store: SqliteConversationStore;
  clock: Clock;
  days: number;
  logger: Logger;
  timeZone: string;
  idleWebUsers?: { store: Pick<SqliteWebSessions, "purgeIdleAnonymous">; days: number };
  /** runs the purge once per night across instances on the database */
  once?: (work: () => void) => void;
}): RetentionJob {
  const purgeNow = (): void => {
    const now = options.clock.now().getTime();
    const cutoff = new Date(now - options.days * DAY_MS);
    const removed = options.store.purgeLogsBefore(cutoff);
    if (removed > 0) options.logger.info({ removed, days: options.days }, "old conversation logs deleted");
    const idle = options.idleWebUsers;
    if (idle) {
      const users = idle.store.purgeIdleAnonymous(new Date(now - idle.days * DAY_MS));
      if (users > 0) options.logger.info({ users, days: idle.days }, "idle anonymous web chat users deleted");
    }
  };
  const purge = (): void => {
    try {
      if (options.once) options.once(purgeNow);
      else purgeNow();
    } catch (error) {
      options.logger.error({ err: error }, "purging old logs failed; trying again at the next run");
    }
  };
  purge();
  const task = cron.schedule("10 3 * * *", purge, { timezone: options.timeZone });
  return { stop: () => void task.stop() };
}
