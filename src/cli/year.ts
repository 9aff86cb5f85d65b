/**
 * npm run year -- open 2027-2028   creates the school year and its tasks from templates/tasks.yaml
 * npm run year -- list             school years and their dated tasks
 */
import { loadConfig } from "../config.js";
import { databaseLocation, openDatabase } from "../db/database.js";
import { formatDate } from "../core/time/zoned-time.js";
import { buildServices } from "../wiring/services.js";
import { cliLogger, REPO_ROOT } from "./shared.js";

const [command, name] = process.argv.slice(2);
const config = loadConfig();
const database = openDatabase(databaseLocation(config));
const services = buildServices({ config, database, clock: { now: () => new Date() }, logger: cliLogger(), contentRoot: REPO_ROOT });
try {
  if (command === "open" && name) {
    const { created } = services.taskBoard.openYear(name, services.taskDefinitions());
    console.log(created ? `School year ${name} opened from templates/tasks.yaml.` : `School year ${name} already exists; nothing changed.`);
  } else if (command === "list") {
    const store = services.taskStore;
    for (const year of store.years()) {
      console.log(`${year.name} (${formatDate(year.startsOn)} – ${formatDate(year.endsOn)})`);
      for (const t of store.tasksOf(year.id)) {
        console.log(`  ${(t.dueOn ? formatDate(t.dueOn) : "no date").padEnd(10)}  ${t.key.padEnd(32)} ${t.title.vi}`);
      }
    }
  } else {
    console.error("usage: npm run year -- open <YYYY-YYYY> | list");
    process.exitCode = 2;
  }
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 2;
} finally {
  database.close();
}
