/** npm run unanswered [-- --limit N]: the questions the bot could not answer, asked by the most people first. */
import { loadConfig } from "../config.js";
import { databaseLocation, openDatabase } from "../db/database.js";
import { SqliteConversationStore } from "../db/conversation-store.js";
import { argValue } from "./shared.js";

const config = loadConfig();
const limit = Number(argValue(process.argv.slice(2), "--limit") ?? 30);
const database = openDatabase(databaseLocation(config));
const rows = new SqliteConversationStore(database.db).topUnanswered(Number.isFinite(limit) && limit > 0 ? limit : 30);
database.close();
if (rows.length === 0) {
  console.log("No unanswered questions recorded.");
} else {
  console.log("asked  lang  last seen (UTC)       question (normalised; asked = distinct people)");
  for (const r of rows) {
    console.log(`${String(r.count).padStart(5)}  ${r.locale.padEnd(4)}  ${r.lastSeen.toISOString().slice(0, 16).replace("T", " ")}      ${r.text}`);
  }
}
