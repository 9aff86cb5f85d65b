import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium, type Browser, type Page } from "playwright-core";
import { describe } from "vitest";

/**
 * Browser tests drive Debian's Chromium (`apt-get install -y chromium`) with playwright-core; no test tool
 * downloads a browser of its own. CHROMIUM_PATH, when set, names the only binary to use.
 */
export function findChromium(): string | undefined {
  const candidates = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
  return candidates.find((path) => existsSync(path));
}

export const chromiumPath = findChromium();

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

const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Launches headless Chromium with a fresh profile (playwright-core makes a temporary --user-data-dir). */
export async function launchChromium(): Promise<Browser> {
  if (!chromiumPath) throw new Error("Chromium not found: apt-get install -y chromium, or set CHROMIUM_PATH");
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: FLAGS });
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
