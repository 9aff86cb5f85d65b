/** The ladder's channels, in its default order (the two chats are then taken most recently used first). */
export const REACH_CHANNELS = ["zalo", "telegram", "zns", "email"] as const;
export type ReachChannel = (typeof REACH_CHANNELS)[number];

export function isReachChannel(value: string): value is ReachChannel {
  return (REACH_CHANNELS as readonly string[]).includes(value);
}

/**
 * A person's own order, complete: the channels they named first, in their order, then the others in the
 * default order. Unknown names and repeats are dropped; an empty list means "no order of my own".
 */
export function completeOrder(named: readonly string[]): ReachChannel[] {
  const chosen = [...new Set(named.map((c) => c.trim().toLowerCase()).filter(isReachChannel))];
  if (chosen.length === 0) return [];
  return [...chosen, ...REACH_CHANNELS.filter((c) => !chosen.includes(c))];
}

/** people.reach_order as stored (JSON array, or null for the default order). */
export function parseOrder(value: string | null | undefined): ReachChannel[] {
  if (!value) return [];
  const parsed = JSON.parse(value) as unknown;
  return Array.isArray(parsed) ? completeOrder(parsed.filter((c): c is string => typeof c === "string")) : [];
}

export function storedOrder(order: readonly string[]): string | null {
  const complete = completeOrder(order);
  return complete.length > 0 ? JSON.stringify(complete) : null;
}
