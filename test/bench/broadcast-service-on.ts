import { BroadcastService } from "../../src/broadcast/broadcast-service.js";
import type { OpenDatabase } from "../../src/db/database.js";
import { createLogger } from "../../src/infra/logger.js";
import { Enqueue } from "../../src/outbox/enqueue.js";
import { SqliteOutbox } from "../../src/outbox/sqlite-outbox-store.js";

/** The broadcast service on a database, as the CLI builds it: no senders (the product's processes send). */
export function broadcastServiceOn(database: OpenDatabase): BroadcastService {
  const outbox = new SqliteOutbox(database, "vi");
  return new BroadcastService({
    db: database.db,
    outbox,
    enqueue: new Enqueue(outbox),
    clock: { now: () => new Date() },
    timeZone: "Asia/Ho_Chi_Minh",
    quietHours: undefined,
    defaultLocale: "vi",
    senders: {},
    logger: createLogger("silent"),
  });
}
