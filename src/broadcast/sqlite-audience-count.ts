import { sql } from "drizzle-orm";
import type { Db } from "../db/database.js";
import type { Audience } from "./audience.js";
import { peopleWithoutChatWhere } from "./sqlite-audience-query.js";

/** Counts over the registry for an audience's explanation (the outbox counts the addresses themselves). */
export class SqliteAudienceCount {
  constructor(private readonly db: Db) {}

  /** People of the registry the audience names who have no Telegram or Zalo chat linked. */
  peopleWithoutChat(audience: Audience): number {
    // Only staff are in the registry: an audience of subscribers alone names none of them.
    if (audience.roles && !audience.roles.some((r) => r !== "subscriber")) return 0;
    const row = this.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM people p JOIN units un ON un.id = p.unit_id WHERE ${peopleWithoutChatWhere(audience)}`);
    return row?.n ?? 0;
  }
}
