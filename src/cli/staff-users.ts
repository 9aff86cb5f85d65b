import type { Actor } from "../access/actor.js";
import { consoleBaseUrl, setPasswordLink, StaffAccounts, StaffError } from "../access/staff-accounts.js";
import type { Db } from "../db/database.js";
import { argValue } from "./shared.js";

export const USER_USAGE = `  npm run admin -- user create --login <login> --role <department_admin|office_admin|viewer> --name "<name>" [--unit <code>] [--person <ref>]
  npm run admin -- user list
  npm run admin -- user disable <login>
  npm run admin -- user enable <login>
  npm run admin -- user password-link <login>`;

export interface UserCommandContext {
  db: Db;
  actor: Actor;
  now: Date;
  publicUrl: string | undefined;
  port: number;
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * `npm run admin -- user …`: staff accounts from the server's terminal. A new account, or a new link, prints
 * the one-time set-password link alone on its own line. Returns the exit code.
 */
export function runUserCommand(args: string[], ctx: UserCommandContext): number {
  const [command, positional] = args;
  const accounts = new StaffAccounts(ctx.db);
  const link = (token: string) => setPasswordLink(consoleBaseUrl(ctx.publicUrl, ctx.port), token);
  try {
    switch (command) {
      case "create": {
        const body = {
          login: argValue(args, "--login"),
          role: argValue(args, "--role"),
          name: argValue(args, "--name"),
          ...(argValue(args, "--unit") !== undefined ? { unit: argValue(args, "--unit") } : {}),
          ...(argValue(args, "--person") !== undefined ? { personRef: argValue(args, "--person") } : {}),
        };
        const { user, token, expiresAt } = accounts.create(body, ctx.actor, ctx.now);
        ctx.err(`Created ${user.login} (${user.role}${user.unit ? ` ${user.unit}` : ""}) for ${user.name}. Send them this one-time link to set a password (valid until ${expiresAt.toISOString()}):`);
        ctx.out(link(token));
        return 0;
      }
      case "list": {
        const users = accounts.list(ctx.now);
        if (users.length === 0) ctx.out("No staff accounts.");
        for (const u of users) {
          const state = [u.disabled ? "disabled" : "active", u.locked ? "locked" : "", u.hasPassword ? "" : "no password yet"].filter(Boolean).join(", ");
          ctx.out(`${u.login.padEnd(20)}  ${u.role.padEnd(16)}  ${(u.unit ?? "-").padEnd(10)}  ${u.name}  (${state}; last sign-in ${u.lastSignInAt ?? "never"})`);
        }
        return 0;
      }
      case "disable":
      case "enable": {
        if (!positional) break;
        const user = accounts.update(positional, { disabled: command === "disable" }, ctx.actor, ctx.now);
        ctx.out(`${user.login} ${command === "disable" ? "disabled; its sessions have ended" : "enabled"}.`);
        return 0;
      }
      case "password-link": {
        if (!positional) break;
        const { token, expiresAt } = accounts.passwordLink(positional, ctx.actor, ctx.now);
        ctx.err(`One-time set-password link for ${positional.toLowerCase()} (valid until ${expiresAt.toISOString()}; the previous link no longer works):`);
        ctx.out(link(token));
        return 0;
      }
    }
  } catch (error) {
    if (!(error instanceof StaffError)) throw error;
    ctx.err(`error: ${error.field && !error.message.startsWith(error.field) ? `--${error.field === "personRef" ? "person" : error.field} ${error.message}` : error.message}`);
    return 2;
  }
  ctx.err(`usage:\n${USER_USAGE}`);
  return 2;
}
