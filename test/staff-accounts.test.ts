import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliActor } from "../src/access/actor.js";
import { runUserCommand } from "../src/cli/staff-users.js";
import { createLogger } from "../src/infra/logger.js";
import { importPeople } from "../src/registry/people-import.js";
import { importUnits } from "../src/registry/units-import.js";
import { startFakeTelegram, type FakeTelegram } from "./support/fake-telegram.js";
import { FakeClock, startTestApp, type RunningApp } from "./support/test-app.js";
import { databaseEnv, connectTestDatabase } from "./support/engine.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
const PASSWORD = "mật khẩu đủ dài 2026";
const TUAN_CHAT = 5003;

type Body = Record<string, unknown>;

describe("staff accounts and console sign-in", () => {
  let running: RunningApp;
  let clock: FakeClock;
  let fake: FakeTelegram;
  let admin: string;
  const logLines: string[] = [];
  const codesSeen = new Set<string>();
  const linkTokens: string[] = [];

  const call = async (method: string, path: string, options: { cookie?: string; csrf?: string; bearer?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
    if (options.cookie) headers.cookie = options.cookie;
    if (options.csrf) headers["x-csrf-token"] = options.csrf;
    if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
    const res = await fetch(`${running.url}${path}`, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
    const text = await res.text();
    const body = (text.startsWith("{") ? JSON.parse(text) : {}) as Body;
    if (typeof body.code === "string") codesSeen.add(body.code);
    return { status: res.status, body, setCookie: res.headers.get("set-cookie") ?? "" };
  };

  /** Signs in; the cookie as the browser would send it back, and the CSRF token. */
  const signIn = async (login: string, password: string, headers: Record<string, string> = {}) => {
    const res = await call("POST", "/api/admin/session", { body: { login, password }, headers });
    const cookie = /^(sogd_session=[^;]+)/.exec(res.setCookie)?.[1] ?? "";
    return { ...res, cookie, csrf: String(res.body.csrfToken ?? "") };
  };

  /** The CLI's `user create`: what it prints on stdout is the link alone. */
  const cliCreate = (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = runUserCommand(["create", ...args], {
      db: running.app.database.db,
      actor: cliActor("test"),
      now: clock.now(),
      publicUrl: undefined,
      port: 3000,
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    });
    return { code, out, err };
  };

  const tokenOf = (link: string) => {
    const m = /^http:\/\/localhost:\d+\/admin\/#\/set-password\/([A-Za-z0-9_-]{43})$/.exec(link);
    if (!m) throw new Error(`not a set-password link: ${link}`);
    linkTokens.push(m[1] as string);
    return m[1] as string;
  };

  /** Creates an account by the CLI and sets its password through the link. */
  const account = async (login: string, role: string, extra: string[] = []) => {
    const created = cliCreate("--login", login, "--role", role, "--name", `Cán bộ ${login}`, ...extra);
    expect(created.code, created.err.join("\n")).toBe(0);
    const set = await call("POST", "/api/admin/password", { body: { token: tokenOf(created.out[0] as string), password: PASSWORD } });
    expect(set.status).toBe(200);
  };

  const auditRows = (action: string) => {
    const conn = connectTestDatabase(running.dbPath, { readonly: true });
    const rows = conn.prepare("SELECT actor, target, detail FROM audit_log WHERE action = ? ORDER BY id").all(action) as { actor: string; target: string; detail: string | null }[];
    conn.close();
    return rows;
  };

  beforeAll(async () => {
    fake = await startFakeTelegram();
    clock = new FakeClock(new Date("2026-01-13T01:00:00Z"));
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
        done();
      },
    });
    // TRUST_PROXY=loopback: the test's own requests are believed when they say X-Forwarded-Proto: https.
    running = await startTestApp({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, TRUST_PROXY: "loopback" }, clock, undefined, {
      logger: createLogger("info", sink),
    });
    const now = clock.now();
    expect(importUnits(running.app.database, readFileSync(join(FIXTURES, "units-sample.csv"), "utf8"), { dryRun: false, now }).ok).toBe(true);
    expect(importPeople(running.app.database, readFileSync(join(FIXTURES, "people-sample.csv"), "utf8"), { dryRun: false, now }).ok).toBe(true);
    admin = running.app.tokens.create({ name: "Sở", role: "department_admin" }, "test", now).token;
    // Lê Minh Tuấn (CB0003, PGD Vũng Tàu) has linked his Telegram chat to the bot.
    const conn = connectTestDatabase(running.dbPath);
    const t = now.getTime();
    conn.prepare("INSERT INTO users (id, role, subscribed, created_at, last_seen_at) VALUES (900, 'office_staff', FALSE, ?, ?)").run(t, t);
    conn.prepare("INSERT INTO channel_addresses (user_id, channel, address, last_inbound_at, created_at) VALUES (900, 'telegram', ?, ?, ?)").run(String(TUAN_CHAT), t, t);
    conn.prepare("UPDATE people SET user_id = 900, linked_at = ? WHERE ref = 'CB0003'").run(t);
    conn.close();
    await account("lan", "department_admin");
  });
  afterAll(async () => {
    await running?.stop();
    await fake?.stop();
  });

  it("creates an account from the CLI, whose one-time link sets a password of at least 10 characters once", async () => {
    const created = cliCreate("--login", "Hoa", "--role", "viewer", "--name", "Trần Thị Hoa");
    expect(created.code).toBe(0);
    expect(created.out).toHaveLength(1);
    const token = tokenOf(created.out[0] as string);
    expect(cliCreate("--login", "HOA", "--role", "viewer", "--name", "Khác").err.join("\n")).toMatch(/already taken/);
    expect(cliCreate("--login", "pgd", "--role", "office_admin", "--name", "PGD", "--unit", "NOPE").err.join("\n")).toMatch(/--unit unknown unit code "NOPE"/);

    const short = await call("POST", "/api/admin/password", { body: { token, password: "ngắn quá" } });
    expect(short).toMatchObject({ status: 400, body: { code: "password_too_short", field: "password" } });
    expect((await signIn("hoa", "ngắn quá")).body.code).toBe("invalid_credentials");

    expect(await call("POST", "/api/admin/password", { body: { token, password: PASSWORD } })).toMatchObject({ status: 200, body: { login: "hoa" } });
    const again = await call("POST", "/api/admin/password", { body: { token, password: "một mật khẩu khác nữa" } });
    expect(again).toMatchObject({ status: 400, body: { code: "invalid_token", field: "token" } });
    expect((await signIn("HOA", PASSWORD)).status).toBe(200);
  });

  it("prints the link with PUBLIC_URL from `npm run admin -- user create`, alone on stdout", async () => {
    const env = { ...process.env, LOG_LEVEL: "silent", ...databaseEnv(running.dbPath), PUBLIC_URL: "https://console.example.gov.vn" };
    const admin = (...args: string[]) => promisify(execFile)("npm", ["run", "--silent", "admin", "--", "user", ...args], { cwd: join(import.meta.dirname, ".."), env, timeout: 60_000 });
    const { stdout, stderr } = await admin("create", "--login", "ngoc", "--role", "office_admin", "--unit", "PGD-VT", "--name", "Ngô Thị Bích Ngọc", "--person", "CB0013");
    expect(stderr).toMatch(/Created ngoc \(office_admin PGD-VT\) for Ngô Thị Bích Ngọc/);
    const token = /^https:\/\/console\.example\.gov\.vn\/admin\/#\/set-password\/([A-Za-z0-9_-]{43})\n$/.exec(stdout)?.[1];
    expect(token).toBeDefined();
    linkTokens.push(token as string);
    expect((await call("POST", "/api/admin/password", { body: { token, password: PASSWORD } })).status).toBe(200);
    expect((await admin("list")).stdout).toMatch(/ngoc\s+office_admin\s+PGD-VT\s+Ngô Thị Bích Ngọc\s+\(active; last sign-in never\)/);
  });

  it("signs in with a session cookie that is HttpOnly, SameSite=Strict, and Secure only behind https", async () => {
    const plain = await signIn("lan", PASSWORD);
    expect(plain.status).toBe(200);
    expect(plain.body).toMatchObject({ user: { login: "lan", name: "Cán bộ lan", role: "department_admin", unit: null } });
    expect(plain.csrf).toMatch(/^[0-9a-f]{64}$/);
    expect(plain.setCookie).toMatch(/HttpOnly/);
    expect(plain.setCookie).toMatch(/SameSite=Strict/);
    expect(plain.setCookie).toMatch(/Path=\//);
    expect(plain.setCookie).not.toMatch(/Secure/);

    const proxied = await signIn("lan", PASSWORD, { "x-forwarded-proto": "https" });
    expect(proxied.setCookie).toMatch(/; Secure/);

    const who = await call("GET", "/api/admin/session", { cookie: plain.cookie });
    expect(who).toMatchObject({ status: 200, body: { user: { login: "lan" }, csrfToken: plain.csrf } });
  });

  it("accepts the cookie on the admin API, and a change only with the session's CSRF token", async () => {
    const { cookie, csrf } = await signIn("lan", PASSWORD);
    expect((await call("GET", "/api/admin/broadcasts", { cookie })).status).toBe(200);
    const count = { audience: { units: ["PGD-VT"] } };
    const without = await call("POST", "/api/admin/audiences/count", { cookie, body: count });
    expect(without).toMatchObject({ status: 403, body: { code: "csrf_failed" } });
    const other = await signIn("hoa", PASSWORD);
    expect((await call("POST", "/api/admin/audiences/count", { cookie, csrf: other.csrf, body: count })).status).toBe(403);
    expect((await call("POST", "/api/admin/audiences/count", { cookie, csrf, body: count })).status).toBe(200);
    // Bearer tokens stay, for automation, without CSRF.
    expect((await call("POST", "/api/admin/audiences/count", { bearer: admin, body: count })).status).toBe(200);
    expect(await call("GET", "/api/admin/broadcasts", { cookie: "sogd_session=forged" })).toMatchObject({ status: 401, body: { code: "session_expired" } });
    expect(await call("GET", "/api/admin/broadcasts")).toMatchObject({ status: 401, body: { code: "unauthenticated" } });
  });

  it("ends a session after 30 idle minutes, and after 12 hours however busy", async () => {
    const idle = await signIn("lan", PASSWORD);
    clock.advance(29 * 60_000);
    expect((await call("GET", "/api/admin/session", { cookie: idle.cookie })).status).toBe(200);
    clock.advance(29 * 60_000);
    expect((await call("GET", "/api/admin/broadcasts", { cookie: idle.cookie })).status).toBe(200);
    clock.advance(31 * 60_000);
    expect(await call("GET", "/api/admin/broadcasts", { cookie: idle.cookie })).toMatchObject({ status: 401, body: { code: "session_expired" } });

    const busy = await signIn("lan", PASSWORD);
    for (let minutes = 0; minutes < 12 * 60 - 20; minutes += 20) {
      clock.advance(20 * 60_000);
      expect((await call("GET", "/api/admin/broadcasts", { cookie: busy.cookie })).status).toBe(200);
    }
    clock.advance(20 * 60_000);
    expect((await call("GET", "/api/admin/broadcasts", { cookie: busy.cookie })).status).toBe(401);
  });

  it("signs out for good, and audits sign-in and sign-out with the address", async () => {
    const { cookie, csrf } = await signIn("lan", PASSWORD);
    expect((await call("DELETE", "/api/admin/session", { cookie })).status).toBe(403);
    const out = await call("DELETE", "/api/admin/session", { cookie, csrf });
    expect(out.status).toBe(204);
    expect(out.setCookie).toMatch(/sogd_session=;/);
    expect((await call("GET", "/api/admin/broadcasts", { cookie })).status).toBe(401);
    expect(auditRows("staff.sign_in").some((r) => r.actor === "staff:lan" && JSON.parse(r.detail ?? "{}").method === "password")).toBe(true);
    expect(auditRows("staff.sign_out")).toContainEqual({ actor: "staff:lan", target: "staff:lan", detail: JSON.stringify({ ip: "127.0.0.1" }) });
  });

  it("locks an account for 15 minutes after 5 wrong passwords, logged with the address; then the password works again", async () => {
    await account("minh", "viewer");
    for (let i = 1; i <= 4; i++) expect((await signIn("minh", `sai mật khẩu ${i}`)).body.code).toBe("invalid_credentials");
    const fifth = await signIn("minh", "sai mật khẩu 5");
    expect(fifth).toMatchObject({ status: 401, body: { code: "account_locked", retryAfterMinutes: 15 } });
    const right = await signIn("minh", PASSWORD);
    expect(right).toMatchObject({ status: 401, body: { code: "account_locked" } });
    expect(right.setCookie).toBe("");
    const locked = logLines.map((l) => JSON.parse(l) as Body).find((l) => String(l.msg).includes("locked after 5 wrong passwords"));
    expect(locked).toMatchObject({ login: "minh", ip: "127.0.0.1" });
    expect(auditRows("staff.lock")).toContainEqual(expect.objectContaining({ actor: "ip:127.0.0.1", target: "staff:minh" }));

    clock.advance(14 * 60_000);
    expect((await signIn("minh", PASSWORD)).body).toMatchObject({ code: "account_locked", retryAfterMinutes: 1 });
    clock.advance(60_000);
    expect((await signIn("minh", PASSWORD)).status).toBe(200);
  });

  it("signs in by a 6-digit code sent to the account's own linked Telegram chat", async () => {
    await account("tuan", "office_admin", ["--unit", "PGD-VT", "--person", "CB0003"]);
    const before = fake.sent.length;
    const sent = await call("POST", "/api/admin/session/code", { body: { login: "tuan" } });
    expect(sent).toMatchObject({ status: 202, body: { sent: true, channel: "telegram" } });
    const message = fake.sent.slice(before).find((m) => m.chatId === TUAN_CHAT);
    const code = /\b(\d{6})\b/.exec(message?.visibleText ?? "")?.[1] as string;
    expect(message?.visibleText).toMatch(/Mã đăng nhập .* là \d{6} \(hiệu lực 10 phút\)/);
    expect((await call("POST", "/api/admin/session/code", { body: { login: "tuan" } })).body.code).toBe("code_recently_sent");

    const wrong = code === "000000" ? "000001" : "000000";
    expect(await call("POST", "/api/admin/session/code/verify", { body: { login: "tuan", code: wrong } })).toMatchObject({ status: 401, body: { code: "invalid_code", triesLeft: 4 } });
    const ok = await call("POST", "/api/admin/session/code/verify", { body: { login: "tuan", code } });
    expect(ok).toMatchObject({ status: 200, body: { user: { login: "tuan", role: "office_admin", unit: "PGD-VT" } } });
    expect(ok.setCookie).toMatch(/^sogd_session=.*HttpOnly/);
    expect((await call("POST", "/api/admin/session/code/verify", { body: { login: "tuan", code } })).body.code).toBe("code_expired");
    expect(auditRows("staff.sign_in").some((r) => r.actor === "staff:tuan" && JSON.parse(r.detail ?? "{}").method === "code")).toBe(true);

    // The office admin's session reaches only its office, and cannot manage accounts.
    const cookie = /^(sogd_session=[^;]+)/.exec(ok.setCookie)?.[1] as string;
    const csrf = String(ok.body.csrfToken);
    expect((await call("POST", "/api/admin/audiences/count", { cookie, csrf, body: { audience: { units: ["PGD-VT"] } } })).status).toBe(200);
    expect((await call("POST", "/api/admin/audiences/count", { cookie, csrf, body: { audience: { units: ["PGD-BR"] } } })).status).toBe(403);
    expect(await call("GET", "/api/admin/users", { cookie })).toMatchObject({ status: 403, body: { code: "forbidden" } });

    // The linked chat is the session's own, for test sends.
    const created = await call("POST", "/api/admin/broadcasts", { cookie, csrf, body: { title: "Thử", text: { vi: "Tin thử của phòng" }, audience: {}, sendAt: "2027-01-01T08:00" } });
    expect(created.status).toBe(201);
    const tested = await call("POST", `/api/admin/broadcasts/${String(created.body.id)}/test`, { cookie, csrf });
    expect(tested).toMatchObject({ status: 200, body: { channel: "telegram", address: String(TUAN_CHAT) } });
    expect(await call("GET", "/api/admin/broadcasts/99999", { cookie })).toMatchObject({ status: 404, body: { code: "not_found", field: "id" } });
  });

  it("answers no_linked_chat and sends nothing when the account has no linked chat, and never logs a code", async () => {
    const before = fake.sent.length;
    const res = await call("POST", "/api/admin/session/code", { body: { login: "lan" } });
    expect(res).toMatchObject({ status: 409, body: { code: "no_linked_chat", field: "login" } });
    expect((await call("POST", "/api/admin/session/code", { body: { login: "nobody" } })).body.code).toBe("no_linked_chat");
    expect(fake.sent.length).toBe(before);
    const codes = fake.sent.map((m) => /\b(\d{6})\b/.exec(m.visibleText)?.[1]).filter(Boolean) as string[];
    expect(codes.length).toBeGreaterThan(0);
    const log = logLines.join("\n");
    expect(linkTokens.length).toBeGreaterThan(3);
    for (const secret of [...codes, ...linkTokens, PASSWORD, "sai mật khẩu"]) expect(log).not.toContain(secret);
  });

  it("keeps a viewer read-only", async () => {
    const { cookie, csrf } = await signIn("hoa", PASSWORD);
    expect((await call("GET", "/api/admin/broadcasts", { cookie })).status).toBe(200);
    const create = await call("POST", "/api/admin/broadcasts", { cookie, csrf, body: { title: "T", text: { vi: "Chào" }, audience: {} } });
    expect(create).toMatchObject({ status: 403, body: { code: "forbidden" } });
  });

  it("lets the Department manage accounts over the API; disabling or a new password ends sessions", async () => {
    const lan = await signIn("lan", PASSWORD);
    const created = await call("POST", "/api/admin/users", { cookie: lan.cookie, csrf: lan.csrf, body: { login: "Thu", name: "Phạm Thu", role: "office_admin", unit: "PGD-BR" } });
    expect(created).toMatchObject({ status: 201, body: { user: { login: "thu", role: "office_admin", unit: "PGD-BR", hasPassword: false } } });
    const bad = await call("POST", "/api/admin/users", { bearer: admin, body: { login: "x1", name: "X", role: "office_admin" } });
    expect(bad).toMatchObject({ status: 400, body: { code: "unit_required", field: "unit" } });
    expect((await call("POST", "/api/admin/users", { bearer: admin, body: { login: "x2", name: "X", role: "root" } })).body).toMatchObject({ code: "invalid", field: "role" });
    const set = await call("POST", "/api/admin/password", { body: { token: tokenOf(String(created.body.setPasswordLink)), password: PASSWORD } });
    expect(set.status).toBe(200);

    const thu = await signIn("thu", PASSWORD);
    const list = await call("GET", "/api/admin/users", { bearer: admin });
    expect((list.body.users as Body[]).map((u) => u.login)).toEqual(expect.arrayContaining(["lan", "thu", "tuan", "hoa", "minh"]));

    const moved = await call("PATCH", "/api/admin/users/thu", { cookie: lan.cookie, csrf: lan.csrf, body: { role: "viewer" } });
    expect(moved).toMatchObject({ status: 200, body: { user: { role: "viewer", unit: null } } });
    expect((await call("GET", "/api/admin/session", { cookie: thu.cookie })).body).toMatchObject({ user: { role: "viewer" } });

    expect((await call("PATCH", "/api/admin/users/thu", { bearer: admin, body: { disabled: true } })).status).toBe(200);
    expect((await call("GET", "/api/admin/broadcasts", { cookie: thu.cookie })).status).toBe(401);
    expect((await signIn("thu", PASSWORD)).body).toMatchObject({ code: "account_disabled" });
    expect((await signIn("thu", "sai mật khẩu nhé")).body).toMatchObject({ code: "invalid_credentials" });
    expect((await call("PATCH", "/api/admin/users/thu", { bearer: admin, body: { disabled: false } })).status).toBe(200);

    const again = await signIn("thu", PASSWORD);
    const link = await call("POST", "/api/admin/users/thu/password-link", { bearer: admin });
    expect(link.status).toBe(200);
    await call("POST", "/api/admin/password", { body: { token: tokenOf(String(link.body.setPasswordLink)), password: "mật khẩu mới hoàn toàn" } });
    expect((await call("GET", "/api/admin/broadcasts", { cookie: again.cookie })).status).toBe(401);
    expect((await signIn("thu", PASSWORD)).body.code).toBe("invalid_credentials");
    expect((await call("PATCH", "/api/admin/users/nobody", { bearer: admin, body: { name: "X" } })).body).toMatchObject({ code: "user_not_found" });
    // lan is the only Department admin account: it cannot be disabled or demoted until there is another.
    expect(await call("PATCH", "/api/admin/users/lan", { cookie: lan.cookie, csrf: lan.csrf, body: { disabled: true } })).toMatchObject({ status: 409, body: { code: "last_department_admin", field: "disabled" } });
    expect((await call("PATCH", "/api/admin/users/lan", { bearer: admin, body: { role: "viewer" } })).body.code).toBe("last_department_admin");
    expect((await call("PATCH", "/api/admin/users/thu", { bearer: admin, body: { role: "department_admin" } })).status).toBe(200);
    expect((await call("PATCH", "/api/admin/users/lan", { bearer: admin, body: { name: "Nguyễn Thị Lan" } })).status).toBe(200);
  });

  it("limits sign-in attempts per address, over every account", async () => {
    clock.advance(60 * 60_000);
    for (let i = 0; i < 30; i++) expect((await call("POST", "/api/admin/session/code", { body: { login: `ghost${i}` } })).status).toBe(409);
    const limited = await call("POST", "/api/admin/session", { body: { login: "lan", password: PASSWORD } });
    expect(limited).toMatchObject({ status: 429, body: { code: "too_many_requests" } });
    expect(limited.setCookie).toBe("");
    clock.advance(15 * 60_000);
    expect((await signIn("lan", PASSWORD)).status).toBe(200);
  });

  it("describes sign-in and accounts in the OpenAPI document, with every error code the console must word", async () => {
    const doc = (await call("GET", "/api/openapi.json")).body as { paths: Record<string, unknown>; components: { securitySchemes: Record<string, Body> } };
    for (const path of ["/api/admin/session", "/api/admin/session/code", "/api/admin/session/code/verify", "/api/admin/password", "/api/admin/users", "/api/admin/users/{login}", "/api/admin/users/{login}/password-link"]) {
      expect(doc.paths).toHaveProperty([path]);
    }
    expect(doc.components.securitySchemes.session).toMatchObject({ type: "apiKey", in: "cookie", name: "sogd_session" });
    const documented = JSON.stringify(doc).match(/"enum":\["unauthenticated"[^\]]*\]/)?.[0] ?? "";
    expect(codesSeen.size).toBeGreaterThan(15);
    for (const code of codesSeen) expect(documented).toContain(`"${code}"`);
  });
});
