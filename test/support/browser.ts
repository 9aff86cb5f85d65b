import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { describe } from "vitest";
import { chromiumPath } from "./chromium.js";

export { chromiumPath, findChromium, launchChromium } from "./chromium.js";

/**
 * `describe` when Chromium is present; otherwise `describe.skip`, after saying so loudly and how to fix it,
 * so a green run without a browser is never mistaken for a tested page.
 */
export function describeInBrowser(name: string, body: () => void): void {
  if (chromiumPath) {
    describe(name, body);
    return;
  }
  console.warn(
    `\n!!! BROWSER TESTS SKIPPED: "${name}" needs Chromium, which was not found at ${process.env.CHROMIUM_PATH || "/usr/bin/chromium"}.\n` +
      "!!! Install it with: apt-get install -y chromium   (or set CHROMIUM_PATH to a Chromium binary)\n",
  );
  describe.skip(name, body);
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * Runs axe-core in the page and returns its serious and critical violations (empty when there are none).
 * The pages under test forbid inline scripts (CSP), which is what page.addScriptTag would add, so axe's
 * source is evaluated over the DevTools protocol instead, leaving the page's CSP in force.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  return page.evaluate(`axe.run(document, { resultTypes: ["violations"] }).then((results) =>
    results.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) })))`);
}
