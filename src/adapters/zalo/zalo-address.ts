/**
 * A Zalo address is the user's id for followers and ordinary chats. A person who writes to the OA without
 * following it and without sharing their id (Zalo's "anonymous" chat) has an anonymous id that is valid only
 * inside one conversation; Zalo answers them through a separate endpoint that needs both, so the address
 * carries both: `anon:<anonymous_id>:<conversation_id>`.
 */
const ANONYMOUS_PREFIX = "anon:";

export interface AnonymousRecipient {
  anonymousId: string;
  conversationId: string;
}

export function anonymousAddress(anonymousId: string, conversationId: string): string {
  return `${ANONYMOUS_PREFIX}${anonymousId}:${conversationId}`;
}

/** The anonymous recipient an address stands for, or undefined for an ordinary user id. */
export function anonymousRecipient(address: string): AnonymousRecipient | undefined {
  if (!address.startsWith(ANONYMOUS_PREFIX)) return undefined;
  const rest = address.slice(ANONYMOUS_PREFIX.length);
  const colon = rest.indexOf(":");
  if (colon <= 0 || colon === rest.length - 1) return undefined;
  return { anonymousId: rest.slice(0, colon), conversationId: rest.slice(colon + 1) };
}
