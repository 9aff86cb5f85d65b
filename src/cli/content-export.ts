/**
 * npm run content:export [-- --root DIR] [-- --out DIR]
 * Writes the knowledge edits made in the console (stored in the database as an overlay) back into intents/,
 * templates/answers/ and locales/*\/topics.json, so they can be reviewed with git diff and committed.
 * --root: the content folder to read (the repository by default); --out: where to write (the same folder by
 * default; another folder gets a copy of intents/, templates/ and locales/ with the edits in). The database is
 * DATABASE_PATH from the environment, as for the service.
 */
import { loadConfig } from "../config.js";
import { databaseLocation, openDatabase } from "../db/database.js";
import { exportOverlay } from "../knowledge-edit/export.js";
import { SqliteOverlayStore } from "../knowledge-edit/overlay-store.js";
import { argValue, REPO_ROOT } from "./shared.js";

const args = process.argv.slice(2);
const root = argValue(args, "--root") ?? REPO_ROOT;
const out = argValue(args, "--out") ?? root;
const config = loadConfig();
const database = openDatabase(databaseLocation(config));
const active = new SqliteOverlayStore(database.db).active();
database.close();
if (active.length === 0) {
  console.log("No knowledge edits in the database; nothing to export.");
} else {
  const summary = exportOverlay(root, out, active.map((a) => a.change));
  console.log(
    `Exported ${active.length} console edit(s) (versions ${active.map((a) => a.version).join(", ")}): ` +
      `${summary.phrases} training phrase(s), ${summary.intents} new topic(s), ${summary.answers} answer(s).`,
  );
  for (const file of summary.files) console.log(`  wrote ${file}`);
  if (summary.files.length === 0) console.log("  the files already hold every edit.");
}
