import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webAddressOf } from "../src/db/web-sessions.js";
import { chat, postChat, startTestApp, webSession, type RunningApp } from "./support/test-app.js";
import { connectTestDatabase, type TestConnection } from "./support/engine.js";

let running: RunningApp;

beforeAll(async () => {
  running = await startTestApp();
});
afterAll(async () => {
  await running.stop();
});

function db(): TestConnection {
  return connectTestDatabase(running.dbPath, { readonly: true });
}

describe("web chat over HTTP", () => {
  it("answers unaccented Vietnamese in Vietnamese, naming the service, the portal and the clerk", async () => {
    const { status, replies } = await chat(running.url, "parent-1", "chuyen truong cap 3 can gi");
    expect(status).toBe(200);
    const text = replies[0]?.text ?? "";
    expect(text).toContain("Chuyển trường đối với học sinh trung học phổ thông");
    expect(text).toContain("mức độ 4");
    expect(text).toContain("http://dichvucong.baria-vungtau.gov.vn");
    expect(text).toMatch(/văn thư/i);
    expect(replies[0]?.buttons.length).toBeGreaterThan(0);
  });

  it("answers chat shorthand", async () => {
    const { replies } = await chat(running.url, "parent-2", "mk vnedu bị sai hoài");
    expect(replies[0]?.text).toMatch(/mật khẩu/i);
    expect(replies[0]?.text).toMatch(/nhà trường|giáo viên chủ nhiệm/);
  });

  it("answers English in English", async () => {
    const { replies } = await chat(running.url, "visitor-1", "How can I get a copy of my high school diploma?");
    const text = replies[0]?.text ?? "";
    expect(text).toMatch(/level-4 online public service/i);
    expect(text).toContain("Copy of a diploma or certificate from the original register");
    expect(text).not.toMatch(/[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]/i);
    expect(text).not.toMatch(/Quý phụ huynh/);
  });

  it("never invents fees or processing times for a service", async () => {
    const { replies } = await chat(running.url, "parent-3", "phúc khảo bài thi tốt nghiệp mất bao nhiêu tiền, bao lâu có kết quả");
    const text = replies[0]?.text ?? "";
    expect(text).toContain("Phúc khảo bài thi tốt nghiệp trung học phổ thông");
    expect(text).not.toMatch(/\d+[.,]?\d*\s*(đồng|vnđ|vnd|ngày làm việc)/i);
    expect(text).toContain("http://dichvucong.baria-vungtau.gov.vn");
  });

  it("follows a button when its payload is sent back as text", async () => {
    const first = await chat(running.url, "parent-4", "dịch vụ công trực tuyến của sở có những gì");
    const button = first.replies[0]?.buttons[0];
    expect(button).toBeDefined();
    const next = await chat(running.url, "parent-4", button?.payload ?? "");
    expect(next.status).toBe(200);
    expect(next.replies[0]?.text.length).toBeGreaterThan(20);
    expect(next.replies[0]?.text).not.toBe(first.replies[0]?.text);
  });

  it("shows the topic menu on /menu and on the menu button", async () => {
    const { replies } = await chat(running.url, "parent-5", "/menu");
    const labels = replies[0]?.buttons.map((b) => b.label) ?? [];
    expect(labels.length).toBeGreaterThanOrEqual(6);
    const viaButton = await chat(running.url, "parent-5", "#menu");
    expect(viaButton.replies[0]?.buttons.map((b) => b.label)).toEqual(labels);
  });

  it("says honestly when it does not know, offers the menu and a person, and keeps the question", async () => {
    const { replies } = await chat(running.url, "parent-6", "giá vàng SJC hôm nay bao nhiêu");
    expect(replies[0]?.text).toMatch(/chưa có câu trả lời/);
    const payloads = replies[0]?.buttons.map((b) => b.payload);
    expect(payloads).toContain("#menu");
    expect(payloads).toContain("#human_handoff");
    const conn = db();
    const row = conn.prepare("SELECT normalized_text, count FROM unanswered WHERE normalized_text LIKE ?").get("%gia vang%") as
      | { normalized_text: string; count: number }
      | undefined;
    conn.close();
    expect(row?.count).toBe(1);
  });

  it("switches language on request and keeps it", async () => {
    const first = await chat(running.url, "parent-7", "nói tiếng Anh được không");
    expect(first.replies[0]?.text).toMatch(/English/);
    const next = await chat(running.url, "parent-7", "chuyển trường cho con học lớp 11");
    expect(next.replies[0]?.text).toMatch(/level-4 online public service/i);
    const back = await chat(running.url, "parent-7", "/lang vi");
    expect(back.replies[0]?.text).toMatch(/tiếng Việt/);
  });

  it("says in each answer which language the conversation is in, so the page can follow it", async () => {
    const user = await webSession(running.url, "parent-locale");
    const ask = async (text: string) => {
      const res = await fetch(`${running.url}/api/chat`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ user, text }),
      });
      return (await res.json()) as { locale?: string; replies?: unknown[] };
    };
    const vi = await ask("tra cứu điểm thi");
    expect(vi.locale).toBe("vi");
    expect(vi.replies?.length).toBeGreaterThan(0);
    expect((await ask("/lang en")).locale).toBe("en");
    expect((await ask("tra cứu điểm thi")).locale).toBe("en");
  });

  it("serves the page's own words in Vietnamese and English from the locale files", async () => {
    const res = await fetch(`${running.url}/api/chat/strings`);
    expect(res.status).toBe(200);
    const strings = (await res.json()) as Record<"vi" | "en", Record<string, string>>;
    expect(strings.vi.send).toBe("Gửi");
    expect(strings.en.send).toBe("Send");
    expect(strings.en.rate_limited).toMatch(/wait a minute/);
    expect(strings.vi.rate_limited).toMatch(/đợi một phút/);
  });

  it("warns about a password and does not store the message", async () => {
    const { replies } = await chat(running.url, "parent-8", "ID 0123456789 mk là Abc12345 sao ko vào được");
    expect(replies[0]?.text).toMatch(/đừng gửi mật khẩu/);
    const conn = db();
    const leaked = conn.prepare("SELECT count(*) AS n FROM conversation_log WHERE text LIKE '%Abc12345%'").get() as { n: number };
    const unanswered = conn.prepare("SELECT count(*) AS n FROM unanswered WHERE normalized_text LIKE '%abc12345%'").get() as { n: number };
    conn.close();
    expect(leaked.n).toBe(0);
    expect(unanswered.n).toBe(0);
  });

  it("does not subscribe the web chat, which never receives announcements, and says so", async () => {
    const secret = await webSession(running.url, "parent-9");
    const sub = await chat(running.url, "parent-9", "/subscribe");
    expect(sub.replies[0]?.text).toMatch(/không nhận được thông báo/);
    const conn = db();
    const subscribed = () =>
      (conn
        .prepare("SELECT u.subscribed AS s FROM users u JOIN channel_addresses a ON a.user_id = u.id WHERE a.address = ?")
        .get(webAddressOf(secret)) as { s: number }).s;
    expect(subscribed()).toBe(0);
    await chat(running.url, "parent-9", "hủy đăng ký nhận tin của sở");
    expect(subscribed()).toBe(0);
    conn.close();
  });

  it("records a hand-off with the recent messages and tells the user what happens next", async () => {
    await chat(running.url, "parent-10", "con tôi bị mất học bạ thì làm sao");
    const { replies } = await chat(running.url, "parent-10", "cho tôi gặp cán bộ tư vấn");
    expect(replies[0]?.text).toMatch(/cán bộ/);
    const conn = db();
    const row = conn.prepare("SELECT question, transcript FROM handoffs ORDER BY id DESC LIMIT 1").get() as {
      question: string;
      transcript: string;
    };
    conn.close();
    expect(row.transcript).toContain("mất học bạ");
  });

  it("forgets a user on /forget, and the old identity stops working", async () => {
    const secret = await webSession(running.url, "parent-11");
    await chat(running.url, "parent-11", "xin chào");
    const { replies } = await chat(running.url, "parent-11", "/forget");
    expect(replies[0]?.text).toMatch(/đã xóa/);
    const conn = db();
    const row = conn.prepare("SELECT count(*) AS n FROM channel_addresses WHERE address = ?").get(webAddressOf(secret)) as { n: number };
    conn.close();
    expect(row.n).toBe(0);
    expect((await postChat(running.url, secret, "xin chào")).status).toBe(401);
  });

  it("reads NFD input like NFC", async () => {
    const nfd = "phúc khảo bài thi tốt nghiệp".normalize("NFD");
    const { replies } = await chat(running.url, "parent-12", nfd);
    expect(replies[0]?.text).toContain("Phúc khảo bài thi tốt nghiệp trung học phổ thông");
  });

  it("treats <script> and & in a question as text", async () => {
    const { status, replies } = await chat(running.url, "parent-13", "<script>alert(1)</script> tra cứu điểm thi & văn bằng ở đâu");
    expect(status).toBe(200);
    expect(replies[0]?.text).not.toContain("<script>");
  });
});

describe("web chat identities are issued by the server", () => {
  it("issues a random secret with 201 and keeps only its hash", async () => {
    const res = await fetch(`${running.url}/api/chat/session`, { method: "POST" });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const { user } = (await res.json()) as { user: string };
    expect(user).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const other = (await (await fetch(`${running.url}/api/chat/session`, { method: "POST" })).json()) as { user: string };
    expect(other.user).not.toBe(user);
    expect((await postChat(running.url, user, "xin chào")).status).toBe(200);
    const conn = db();
    const stored = conn.prepare("SELECT count(*) AS n FROM channel_addresses WHERE address = ?");
    const secretStored = (stored.get(user) as { n: number }).n;
    const hashStored = (stored.get(webAddressOf(user)) as { n: number }).n;
    conn.close();
    expect(secretStored).toBe(0);
    expect(hashStored).toBe(1);
  });

  it("answers 401 to a user value it did not issue, and creates nobody", async () => {
    const conn = db();
    const users = () => (conn.prepare("SELECT count(*) AS n FROM users").get() as { n: number }).n;
    const before = users();
    for (const madeUp of ["parent-1", "web-abc123", "A".repeat(43)]) {
      const res = await postChat(running.url, madeUp, "xin chào");
      expect(res.status).toBe(401);
      expect(res.error).toMatch(/\/api\/chat\/session/);
      expect(res.replies).toEqual([]);
    }
    expect(users()).toBe(before);
    conn.close();
  });
});

describe("web chat refuses bad input clearly", () => {
  it("rejects malformed JSON with 400", async () => {
    const res = await fetch(`${running.url}/api/chat`, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/JSON/);
  });

  it("names the missing or bad field", async () => {
    const missing = await fetch(`${running.url}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "xin chào" }),
    });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: string }).error).toMatch(/^user/);
    const empty = await chat(running.url, "u", "   ");
    expect(empty.status).toBe(400);
    expect(empty.error).toMatch(/^text/);
    const longUser = await postChat(running.url, "x".repeat(65), "xin chào");
    expect(longUser.status).toBe(400);
  });

  it("rejects 10 kB of noise with 400 and keeps serving", async () => {
    const noise = Array.from({ length: 10_000 }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 90))).join("");
    const res = await chat(running.url, "noisy", noise);
    expect(res.status).toBe(400);
    expect(res.error).toMatch(/2000/);
    const after = await chat(running.url, "noisy", "xin chào");
    expect(after.status).toBe(200);
  });

  it("limits each user to 30 messages a minute, not each IP", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await chat(running.url, "busy-user", "xin chào")).status);
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    expect(statuses[30]).toBe(429);
    // Another user from the same address is not affected.
    expect((await chat(running.url, "same-school-other-user", "xin chào")).status).toBe(200);
    // A minute later the first user may write again.
    running.clock.advance(61_000);
    expect((await chat(running.url, "busy-user", "xin chào")).status).toBe(200);
  });
});

describe("service endpoints", () => {
  it("reports health", async () => {
    const res = await fetch(`${running.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("exposes Prometheus metrics with updates, intents, fallbacks and latency", async () => {
    const text = await (await fetch(`${running.url}/metrics`)).text();
    expect(text).toMatch(/bot_updates_total\{channel="web"\} \d+/);
    expect(text).toMatch(/bot_intents_total\{channel="web",intent="dvc.transfer_school"\} \d+/);
    expect(text).toMatch(/bot_fallbacks_total\{channel="web"\} \d+/);
    expect(text).toMatch(/bot_reply_latency_seconds_bucket/);
    expect(text).toMatch(/bot_send_errors_total/);
  });

  it("serves the web chat page with a strict content security policy and no inline script or style", async () => {
    const res = await fetch(`${running.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).toMatch(/style-src 'self'/);
    expect(csp).not.toContain("unsafe-inline");
    const html = await res.text();
    expect(html).toContain('<script src="/chat.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="/chat.css">');
    expect(html).not.toMatch(/<style|<script>|\son\w+=/);
    const js = await fetch(`${running.url}/chat.js`);
    expect(js.headers.get("content-type")).toMatch(/javascript/);
    const script = await js.text();
    expect(script).toContain("/api/chat/session");
    expect(script).toContain("localStorage");
    expect(script).not.toContain("innerHTML");
    const css = await fetch(`${running.url}/chat.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toMatch(/text\/css/);
  });
});
