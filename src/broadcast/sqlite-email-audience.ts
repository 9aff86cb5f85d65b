import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/database.js";
import type { Cause } from "../outbox/outbox-port.js";
import type { Audience } from "./audience.js";
import { peopleWithoutChatWhere } from "./sqlite-audience-query.js";

/** Why a registry person with no chat gets no e-mail of a broadcast; counted before sending, reported after. */
export type EmailSkipReason = "no_email" | "email_unsubscribed" | "turned_off";

export interface EmailAudienceCount {
  /** people with no chat whom the broadcast reaches by e-mail */
  reach: number;
  notReached: Partial<Record<EmailSkipReason, number>>;
}

/** The registry's address of a person (`people p`), as the e-mail rows and the unsubscribe list spell it. */
const ADDRESS = sql`LOWER(TRIM(COALESCE(p.email, '')))`;

/** Why a person's e-mail cannot be used, or NULL (over `people p`). */
const SKIP_REASON = sql`CASE
  WHEN ${ADDRESS} = '' THEN 'no_email'
  WHEN p.reach_off IS NOT NULL AND p.reach_off LIKE '%"email"%' THEN 'turned_off'
  WHEN EXISTS (SELECT 1 FROM email_unsubscribes eu WHERE eu.address = ${ADDRESS}) THEN 'email_unsubscribed'
  ELSE NULL END`;

/**
 * The staff of the registry a broadcast names who have no chat linked: reached by e-mail (never ZNS, never
 * parents: parents are in no registry). An audience narrowed to chats (`channels`) or to subscribers takes none.
 */
export class SqliteEmailAudience {
  constructor(
    private readonly db: Db,
    private readonly defaultLocale: string,
  ) {}

  count(audience: Audience): EmailAudienceCount {
    const where = this.where(audience);
    const result: EmailAudienceCount = { reach: 0, notReached: {} };
    if (!where) return result;
    const rows = this.db.all<{ reason: EmailSkipReason | null; n: number }>(sql`
      SELECT t.reason, count(*) AS n FROM (SELECT ${SKIP_REASON} AS reason FROM people p JOIN units un ON un.id = p.unit_id WHERE ${where}) t
      GROUP BY t.reason`);
    for (const r of rows) {
      if (r.reason === null) result.reach += r.n;
      else result.notReached[r.reason] = (result.notReached[r.reason] ?? 0) + r.n;
    }
    return result;
  }

  /**
   * One e-mail row per person (per address: two people sharing one mailbox get one mail), those who cannot be
   * written to as skipped with the reason, so the report names them. Idempotent through the dedupe key.
   */
  insert(cause: Cause, audience: Audience, urgent: boolean, notBefore: Date, now: Date): number {
    const where = this.where(audience);
    if (!where) return 0;
    // The key's prefix is built here, not in SQL: a bound JS number is a REAL to SQLite and would read "7.0".
    const prefix = `${cause.type}:${cause.id}:email:`;
    return this.db.run(sql`
      INSERT INTO outbox (dedupe_key, cause_type, cause_id, user_id, person_id, channel, address, locale, urgent, status, reason, not_before, created_at, done_at)
      SELECT ${prefix} || CASE WHEN ${ADDRESS} = '' THEN 'person:' || CAST(p.id AS TEXT) ELSE ${ADDRESS} END,
        ${cause.type}, ${cause.id}, p.user_id, p.id, 'email', ${ADDRESS},
        COALESCE((SELECT u.locale FROM users u WHERE u.id = p.user_id), ${this.defaultLocale}), ${urgent ? sql`TRUE` : sql`FALSE`},
        CASE WHEN ${SKIP_REASON} IS NULL THEN 'queued' ELSE 'skipped' END, ${SKIP_REASON},
        ${notBefore.getTime()}, ${now.getTime()}, CASE WHEN ${SKIP_REASON} IS NULL THEN NULL ELSE CAST(${now.getTime()} AS BIGINT) END
      FROM people p JOIN units un ON un.id = p.unit_id
      WHERE ${where}
      ORDER BY p.id
      ON CONFLICT(dedupe_key) DO NOTHING`).changes;
  }

  private where(audience: Audience): SQL | undefined {
    if (audience.channels) return undefined;
    if (audience.roles && !audience.roles.some((r) => r !== "subscriber")) return undefined;
    const locale = audience.locales
      ? sql`AND COALESCE((SELECT u.locale FROM users u WHERE u.id = p.user_id), ${this.defaultLocale}) IN (${sql.join(
          audience.locales.map((l) => sql`${l}`),
          sql`, `,
        )})`
      : sql``;
    return sql`${peopleWithoutChatWhere(audience)} ${locale}`;
  }
}
