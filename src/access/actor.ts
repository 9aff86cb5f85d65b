import type { Channel } from "../core/types.js";

export const ADMIN_ROLES = ["department_admin", "office_admin", "viewer"] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

/**
 * Who is acting, whatever proved it (a bearer token today, a staff login session later): everything after
 * authentication sees only this.
 */
export interface Actor {
  /** what the audit log records: "token:<id> <name>", "cli:<user>" */
  label: string;
  role: AdminRole;
  /** office_admin: the unit whose subtree it may act on */
  unitId: number | null;
  /** the actor's own chat, for test sends */
  chat?: { channel: Channel; address: string } | undefined;
}

/** Someone on the command line of the server: the Department's rights. */
export function cliActor(username: string): Actor {
  return { label: `cli:${username}`, role: "department_admin", unitId: null };
}

/** Turns a credential (a bearer token; later a session cookie) into the actor behind it, or undefined. */
export interface Authenticator {
  authenticate(credential: string, now: Date): Actor | undefined;
}
