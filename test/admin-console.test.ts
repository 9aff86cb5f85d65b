import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSOLE_CSP, consoleRoutes } from "../src/http/console/console-routes.js";

let server: Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.use(consoleRoutes());
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

describe("console files", () => {
  it("serves the page with the strict CSP, one module script and no inline code or outside resources", async () => {
    for (const path of ["/admin", "/admin/"]) {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      expect(res.headers.get("content-security-policy")).toBe(CONSOLE_CSP);
      const html = await res.text();
      expect(html).toContain('<script type="module" src="/admin/app.js"></script>');
      expect(html.match(/<script/g)).toHaveLength(1);
      expect(html).not.toMatch(/\son[a-z]+\s*=/i);
      expect(html).not.toMatch(/(src|href)\s*=\s*"(https?:)?\/\//i);
    }
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain("unsafe");
  });

  it("serves the bundled script compressed, with an ETag that answers 304, and never innerHTML or eval", async () => {
    const res = await fetch(`${base}/admin/app.js`, { headers: { "accept-encoding": "gzip" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/javascript/);
    const script = await res.text(); // fetch decompresses
    expect(script.length).toBeGreaterThan(10_000);
    expect(script).not.toMatch(/\beval\(/);
    expect(script).not.toContain("insertAdjacentHTML");
    expect(script).toContain("/api/admin/session");
    const again = await fetch(`${base}/admin/app.js`, { headers: { "if-none-match": res.headers.get("etag") ?? "" } });
    expect(again.status).toBe(304);
    const raw = await new Promise<{ encoding: string | undefined; bytes: Buffer }>((resolve, reject) => {
      import("node:http").then(({ get }) =>
        get(`${base}/admin/app.js`, { headers: { "accept-encoding": "gzip" } }, (r) => {
          const chunks: Buffer[] = [];
          r.on("data", (c: Buffer) => chunks.push(c));
          r.on("end", () => resolve({ encoding: r.headers["content-encoding"], bytes: Buffer.concat(chunks) }));
        }).on("error", reject),
      );
    });
    expect(raw.encoding).toBe("gzip");
    expect(gunzipSync(raw.bytes).toString()).toBe(script);
  });
});
