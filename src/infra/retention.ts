import cron from "node-cron";
import type { Logger } from "../core/conversation.js";
import type { Clock } from "../core/ports.js";
import type { SqliteConversationStore } from "../db/conversation-store.js";

export interface RetentionJob {
  stop(): void;
}

const DAY_MS = 86_400_000;

/** Deletes conversation logs older than LOG_RETENTION_DAYS: once at start, then every night at 03:10. */
export function startRetentionJob(options: {
  store: SqliteConversationStore;
  clock: Clock;
  days: number;
  logger: Logger;
  timeZone: string;
}): RetentionJob {
  const purge = (): void => {
    const cutoff = new Date(options.clock.now().getTime() - options.days * DAY_MS);
    const removed = options.store.purgeLogsBefore(cutoff);
    if (removed > 0) options.logger.info({ removed, days: options.days }, "old conversation logs deleted");
  };
  purge();
  const task = cron.schedule("10 3 * * *", purge, { timezone: options.timeZone });
  return { stop: () => void task.stop() };
}
