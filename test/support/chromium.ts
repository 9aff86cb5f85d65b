import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/**
 * Browser tests drive Debian's Chromium (`apt-get install -y chromium`) with playwright-core; no test tool
 * downloads a browser of its own. CHROMIUM_PATH, when set, names the only binary to use.
 */
export function findChromium(): string | undefined {
  const candidates = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
  return candidates.find((path) => existsSync(path));
}

export const chromiumPath = findChromium();

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

