/**
 * npm run directive:import -- <directive.txt> [--source "Hướng dẫn …"] [--out templates/directive.yaml]
 * Splits the directive's plain text into numbered sections and writes the content file the bot searches.
 * Review the result (titles, section numbers) before committing it; staff may edit it by hand afterwards.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { splitDirective } from "../knowledge/directive-document.js";
import { argValue, REPO_ROOT } from "./shared.js";

const args = process.argv.slice(2);
const input = args[0];
if (!input || input.startsWith("--")) {
  console.error('usage: npm run directive:import -- <directive.txt> [--source "…"] [--out templates/directive.yaml]');
  process.exit(2);
}
const out = argValue(args, "--out") ?? join(REPO_ROOT, "templates", "directive.yaml");
const source = argValue(args, "--source") ?? "Hướng dẫn thực hiện nhiệm vụ CNTT";
const sections = splitDirective(readFileSync(input, "utf8").normalize("NFC"));
const header =
  "# The directive, split into numbered sections for the bot's directive search (npm run --silent ask).\n" +
  "# Made by `npm run directive:import`; titles and texts may be edited by hand. Section ids must stay unique.\n";
writeFileSync(out, header + stringify({ source, sections }, { lineWidth: 0 }));
console.log(`${sections.length} sections written to ${out}`);
