import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleRoutes } from "../src/http/admin/console-page.js";

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

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

describe("admin console page", () => {
  it("serves the page as HTML with the strict CSP and the external script only", async () => {
    const res = await fetch(`${base}/admin`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toBe(CSP);
    const html = await res.text();
    expect(html).toContain('<script src="/admin/console.js"></script>');
    // No inline script or handler (the CSP would block them), no external resources.
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*"(https?:)?\/\//i);
    for (const label of ["Thông báo", "Nhiệm vụ", "Liên kết", "Xem trước", "Gửi"]) expect(html).toContain(label);
  });

  it("serves a script that parses, uses sessionStorage and the admin API, and never innerHTML or eval", async () => {
    const res = await fetch(`${base}/admin/console.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/javascript/);
    expect(res.headers.get("content-security-policy")).toBe(CSP);
    const script = await res.text();
    expect(script).not.toContain("innerHTML");
    expect(script).not.toContain("outerHTML");
    expect(script).not.toContain("insertAdjacentHTML");
    expect(script).not.toMatch(/\beval\b/);
    expect(script).toContain("sessionStorage");
    expect(script).not.toContain("localStorage");
    expect(script).toContain("Bearer ");
    expect(script).toContain("/api/admin/broadcasts/preview");
    expect(script).toContain("/api/admin/tasks");
    expect(script).toContain("/link-code");
    expect(script).toContain("/deliveries.csv");
    expect(script).toContain("createObjectURL");
    // Parse only: building the function checks the syntax without running it.
    expect(() => new Function(script)).not.toThrow();
  });

  it("answers other paths with 404 (it adds no catch-all)", async () => {
    const res = await fetch(`${base}/admin/other.js`);
    expect(res.status).toBe(404);
  });
});
