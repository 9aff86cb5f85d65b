/**
 * npm run admin -- token create --role department_admin|office_admin|viewer --name "<who>" [--unit CODE] [--chat telegram:ID]
 * npm run admin -- token list
 * npm run admin -- token revoke <id>
 * npm run admin -- token link <id> --chat telegram:<chat id>
 * The token is printed once, alone on its own line; only its hash is stored.
 */
import { userInfo } from "node:os";
import { ADMIN_ROLES, AdminTokens, TokenError, type AdminRole } from "../access/admin-tokens.js";
import { cliActor } from "../access/actor.js";
import { loadConfig } from "../config.js";
import { databaseLocation, openDatabase } from "../db/database.js";
import { Linking, LinkError } from "../registry/linking.js";
import { argValue } from "./shared.js";
import { runUserCommand, USER_USAGE } from "./staff-users.js";

const USAGE = `usage:
  npm run admin -- link-code <person ref>
  npm run admin -- release-link <person ref>
  npm run admin -- token create --role <${ADMIN_ROLES.join("|")}> --name "<who>" [--unit <code>] [--chat telegram:<chat id>]
  npm run admin -- token list
  npm run admin -- token revoke <id>
  npm run admin -- token link <id> --chat telegram:<chat id>
${USER_USAGE}`;

const args = process.argv.slice(2);
const [group, command, positional] = args;
if (group === "link-code") {
  await issueLinkCode(command);
  process.exit(process.exitCode ?? 0);
}
if (group === "release-link") {
  releaseLink(command);
  process.exit(process.exitCode ?? 0);
}
if (group === "user") {
  const config = loadConfig();
  const database = openDatabase(databaseLocation(config));
  try {
    process.exitCode = runUserCommand(args.slice(1), {
      db: database.db,
      actor: cliActor(userInfo().username),
      now: new Date(),
      publicUrl: config.PUBLIC_URL,
      port: config.PORT,
      out: (line) => console.log(line),
      err: (line) => console.error(line),
    });
  } finally {
    database.close();
  }
  process.exit(process.exitCode ?? 0);
}
if (group !== "token" || !command) {
  console.error(USAGE);
  process.exit(2);
}

const config = loadConfig();
const database = openDatabase(databaseLocation(config));
const tokens = new AdminTokens(database.db);
const actor = cliActor(userInfo().username);
const now = new Date();

try {
  switch (command) {
    case "create": {
      const role = argValue(args, "--role") as AdminRole | undefined;
      const name = argValue(args, "--name");
      if (!role || !name) throw new TokenError("--role and --name are required");
      const { id, token } = tokens.create({ name, role, unitCode: argValue(args, "--unit"), chat: argValue(args, "--chat") }, actor, now);
      console.error(`Created token ${id} (${role}) for ${name}. It is shown only now; store it safely:`);
      console.log(token);
      break;
    }
    case "list": {
      const rows = tokens.list();
      if (rows.length === 0) console.log("No tokens.");
      for (const t of rows) {
        const state = t.revokedAt ? `revoked ${t.revokedAt}` : `last used ${t.lastUsedAt ?? "never"}`;
        console.log(`${String(t.id).padStart(4)}  ${t.role.padEnd(16)}  ${(t.unit ?? "-").padEnd(10)}  ${t.name}  (${state}${t.chat ? `, chat ${t.chat}` : ""})`);
      }
      break;
    }
    case "revoke": {
      tokens.revoke(Number(positional), actor, now);
      console.log(`Token ${positional} revoked.`);
      break;
    }
    case "link": {
      const chat = argValue(args, "--chat");
      if (!chat) throw new TokenError("--chat is required");
      tokens.link(Number(positional), chat, actor, now);
      console.log(`Token ${positional} linked to ${chat}.`);
      break;
    }
    default:
      console.error(USAGE);
      process.exitCode = 2;
  }
} catch (error) {
  if (!(error instanceof TokenError)) throw error;
  console.error(`error: ${error.message}`);
  process.exitCode = 2;
} finally {
  database.close();
}

/** A one-time code binding a person's chat; the code alone on its own line, then the Telegram deep link. */
async function issueLinkCode(ref: string | undefined): Promise<void> {
  if (!ref) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const config = loadConfig();
  const database = openDatabase(databaseLocation(config));
  try {
    const { code, expiresAt, person } = new Linking(database.db).issue(ref, cliActor(userInfo().username), new Date());
    console.error(`One-time link code for ${person.name} (valid until ${expiresAt.toLocaleString("vi-VN", { timeZone: config.TZ_NAME })}):`);
    console.log(code);
    if (person.linked) {
      console.error(`${person.name} is already linked in a chat: this code works in another chat only after release-link ${ref}.`);
    }
    const bot = config.TELEGRAM_BOT_USERNAME;
    console.error(bot ? `Telegram: https://t.me/${bot}?start=${code}` : "Telegram: send /link <code> to the bot (set TELEGRAM_BOT_USERNAME to print a deep link)");
  } catch (error) {
    if (!(error instanceof LinkError)) throw error;
    console.error(`error: ${error.message}`);
    process.exitCode = 2;
  } finally {
    database.close();
  }
}

/** Frees a person whose linked chat is lost (or not theirs): their chats stop getting reminders. */
function releaseLink(ref: string | undefined): void {
  if (!ref) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const database = openDatabase(databaseLocation(loadConfig()));
  try {
    const released = new Linking(database.db).release(ref, cliActor(userInfo().username), new Date());
    console.error(released ? `Released the link of ${ref}; issue a new code with link-code.` : `${ref} is not linked to a chat (or no such person).`);
    if (!released) process.exitCode = 2;
  } finally {
    database.close();
  }
}
