/**
 * npm run bench:console — the staff console's first load: bytes on the wire (HTML + JS + CSS, gzip) and time
 * to interactive in Debian's Chromium on a throttled phone profile (CPU 4× slower, "Fast 3G": 1.6 Mbit/s down,
 * 150 ms latency). TTI here = navigation start → the sign-in form accepts input (and, signed in, → the overview
 * shows its numbers). Median of 5 cold loads each (cache disabled).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { launchChromium } from "../support/chromium.js";
import { PASSWORD, staffAccount } from "../support/staff-account.js";
import { startTestApp } from "../support/test-app.js";

const RUNS = 5;
const running = await startTestApp();
await staffAccount(running, "lan", "department_admin", { name: "Nguyễn Thị Lan" });
const token = running.app.tokens.create({ name: "bench", role: "department_admin" }, "bench", running.clock.now()).token;
for (const kind of ["units", "people"]) {
  await fetch(`${running.url}/api/admin/imports/${kind}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "text/csv" },
    body: readFileSync(join(import.meta.dirname, "..", "fixtures", `${kind}-sample.csv`), "utf8"),
  });
}

const wire = async (path: string): Promise<{ raw: number; gzip: number }> => {
  const { request } = await import("node:http");
  return new Promise((resolve, reject) => {
    request(`${running.url}${path}`, { headers: { "accept-encoding": "gzip" } }, (res) => {
      let gzip = 0;
      res.on("data", (c: Buffer) => (gzip += c.length));
      res.on("end", async () => resolve({ gzip, raw: (await (await fetch(`${running.url}${path}`)).arrayBuffer()).byteLength }));
    })
      .on("error", reject)
      .end();
  });
};
// The entry and the chunks it imports statically (the screens' own modules load when a screen is opened).
const entry = await (await fetch(`${running.url}/admin/app.js`)).text();
const imported = [...entry.matchAll(/from"\.\/([\w-]+\.js)"|import"\.\/([\w-]+\.js)"/g)].map((m) => m[1] ?? m[2]);
const js = { raw: 0, gzip: 0 };
for (const path of ["app.js", ...imported]) {
  const w = await wire(`/admin/${path}`);
  js.raw += w.raw;
  js.gzip += w.gzip;
}
const files = { html: await wire("/admin"), js, css: await wire("/admin/console.css") };
const kb = (n: number): string => (n / 1024).toFixed(1);
const total = files.html.gzip + files.js.gzip + files.css.gzip;

const browser = await launchChromium();
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const signInTimes: number[] = [];
const overviewTimes: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "vi-VN" });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 });
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  let started = performance.now();
  await page.goto(`${running.url}/admin`, { waitUntil: "commit" });
  await page.getByLabel("Tên đăng nhập").fill("lan");
  signInTimes.push(performance.now() - started);
  await page.getByLabel("Mật khẩu", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.getByText("Câu hỏi hôm nay").waitFor();
  // Signed in: a fresh load of the overview, as a staff member opening the console again.
  await page.goto("about:blank");
  started = performance.now();
  await page.goto(`${running.url}/admin#/overview`, { waitUntil: "commit" });
  await page.getByText("Câu hỏi hôm nay").waitFor();
  overviewTimes.push(performance.now() - started);
  await context.close();
}
await browser.close();
await running.stop();

console.log("console first load (gzip on the wire; raw in brackets):");
console.log(`  HTML ${kb(files.html.gzip)} kB (${kb(files.html.raw)}), JS ${kb(files.js.gzip)} kB (${kb(files.js.raw)}), CSS ${kb(files.css.gzip)} kB (${kb(files.css.raw)}); total ${kb(total)} kB`);
console.log(`time to interactive, phone profile (CPU 4×, 1.6 Mbit/s, 150 ms RTT), median of ${RUNS} cold loads:`);
console.log(`  sign-in form usable: ${median(signInTimes).toFixed(0)} ms (runs: ${signInTimes.map((t) => t.toFixed(0)).join(", ")})`);
console.log(`  overview with its numbers (signed in): ${median(overviewTimes).toFixed(0)} ms (runs: ${overviewTimes.map((t) => t.toFixed(0)).join(", ")})`);
