import { sql, type SQL } from "drizzle-orm";
import type { Audience } from "./audience.js";

/**
 * The audience as SQL over `channel_addresses a JOIN users u`. Unit filters use a recursive walk down the
 * unit tree, so an office includes its schools. Values are bound parameters, never spliced into the text.
 */
export function audienceWhere(audience: Audience, defaultLocale: string): SQL {
  const conditions: SQL[] = [sql`1 = 1`];
  if (audience.roles) conditions.push(sql`u.role IN (${sql.join(audience.roles.map((r) => sql`${r}`), sql`, `)})`);
  if (audience.channels) {
    conditions.push(sql`a.channel IN (${sql.join(audience.channels.map((c) => sql`${c}`), sql`, `)})`);
  }
  if (audience.locales) {
    conditions.push(
      sql`COALESCE(u.locale, ${defaultLocale}) IN (${sql.join(audience.locales.map((l) => sql`${l}`), sql`, `)})`,
    );
  }
  if (audience.units) {
    const codes = sql.join(audience.units.map((c) => sql`${c}`), sql`, `);
    conditions.push(sql`EXISTS (
      WITH RECURSIVE subtree(id) AS (
        SELECT id FROM units WHERE code IN (${codes})
        UNION SELECT child.id FROM units child JOIN subtree ON child.parent_id = subtree.id
      )
      SELECT 1 FROM user_units uu WHERE uu.user_id = u.id AND uu.unit_id IN (SELECT id FROM subtree)
    )`);
  }
  if (audience.levels) {
    const levels = sql.join(audience.levels.map((l) => sql`${l}`), sql`, `);
    conditions.push(
      sql`EXISTS (SELECT 1 FROM user_units uu JOIN units un ON un.id = uu.unit_id WHERE uu.user_id = u.id AND un.level IN (${levels}))`,
    );
  }
  return sql.join(conditions, sql` AND `);
}

/** The addresses of one channel (added to an audience's condition to count per channel). */
export function onChannel(channel: string): SQL {
  return sql`a.channel = ${channel}`;
}

/** Zalo addresses whose person has not written within the consultation window: Zalo would refuse them. */
export function outsideWindow(now: Date, windowMs: number): SQL {
  return sql`(${now.getTime()} - a.last_inbound_at) > ${windowMs}`;
}

/**
 * The registry's people (`people p JOIN units un`) an audience names by role, unit and level who have no
 * Telegram or Zalo chat linked: they are in the audience on paper but no message can reach them.
 */
export function peopleWithoutChatWhere(audience: Audience): SQL {
  const conditions: SQL[] = [
    sql`NOT EXISTS (SELECT 1 FROM channel_addresses a WHERE p.user_id IS NOT NULL AND a.user_id = p.user_id AND a.channel IN ('telegram', 'zalo'))`,
  ];
  if (audience.roles) conditions.push(sql`p.role IN (${sql.join(audience.roles.map((r) => sql`${r}`), sql`, `)})`);
  if (audience.units) {
    const codes = sql.join(audience.units.map((c) => sql`${c}`), sql`, `);
    conditions.push(sql`p.unit_id IN (
      WITH RECURSIVE subtree(id) AS (
        SELECT id FROM units WHERE code IN (${codes})
        UNION SELECT child.id FROM units child JOIN subtree ON child.parent_id = subtree.id
      )
      SELECT id FROM subtree)`);
  }
  if (audience.levels) conditions.push(sql`un.level IN (${sql.join(audience.levels.map((l) => sql`${l}`), sql`, `)})`);
  return sql.join(conditions, sql` AND `);
}
