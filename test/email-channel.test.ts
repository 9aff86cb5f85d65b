import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";
import { EmailSender } from "../src/adapters/email/email-sender.js";
import { SendError } from "../src/core/delivery/send-error.js";
import { decide, DEFAULT_RETRY_POLICY } from "../src/core/delivery/retry-policy.js";
import { simpleParser } from "./support/mail-parse.js";
import { renderTemplate } from "../src/core/rich-text.js";

interface Received {
  to: string[];
  raw: string;
}

describe("the e-mail channel against a local SMTP server", () => {
  let server: SMTPServer;
  let port: number;
  const received: Received[] = [];

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      onRcptTo(address, _session, callback) {
        if (address.address.startsWith("busy")) return callback(Object.assign(new Error("mailbox busy, try later"), { responseCode: 451 }));
        if (address.address.startsWith("nobody")) return callback(Object.assign(new Error("no such user"), { responseCode: 550 }));
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString("utf8") });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const sender = () =>
    new EmailSender({
      smtpUrl: `smtp://127.0.0.1:${port}?ignoreTLS=true`,
      from: "Sở GDĐT <noreply@sogd.example.vn>",
      locale: "vi",
      words: { sender: "Sở GDĐT Bà Rịa - Vũng Tàu", subjectPrefix: "[Sở GDĐT]", footer: "Anh/chị nhận thư này vì là cán bộ trong danh sách của Sở.", unsubscribe: "Ngừng nhận thư" },
      unsubscribeUrl: (address) => `https://bot.sogd.example.vn/unsubscribe/email/${encodeURIComponent(address)}`,
    });
  const message = {
    text: {
      lines: [
        ...renderTemplate("**Nhắc hạn: Báo cáo CNTT giữa năm** <script>\n\nHạn nộp 20/01/2026.", {}).lines,
        [{ text: "Xem " }, { text: "hướng dẫn", href: "https://sogd.example.vn/hd" }, { text: "." }],
      ],
    },
    buttons: [],
  };

  it("sends HTML and plain text with a Vietnamese subject and a one-click unsubscribe", async () => {
    const result = await sender().send("it.lead@thpt-vt.edu.vn", message);
    expect(result.providerMessageId).toMatch(/@/);
    const mail = received.at(-1);
    expect(mail?.to).toEqual(["it.lead@thpt-vt.edu.vn"]);
    const raw = mail?.raw ?? "";
    const headers = (raw.split(/\r?\n\r?\n/)[0] ?? "").replace(/\r?\n[ \t]+/g, " "); // unfolded
    expect(headers).toMatch(/^Subject: =\?UTF-8\?/m); // encoded: Vietnamese letters survive any mail server
    expect(headers).toMatch(/^List-Unsubscribe: <https:\/\/bot\.sogd\.example\.vn\/unsubscribe\/email\/it\.lead%40thpt-vt\.edu\.vn>/m);
    expect(headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
    expect(raw).toContain("Content-Type: text/plain");
    expect(raw).toContain("Content-Type: text/html");
    const parsed = simpleParser(raw);
    expect(parsed.subject).toBe("[Sở GDĐT] Nhắc hạn: Báo cáo CNTT giữa năm <script>");
    expect(parsed.html).toContain("<b>Nhắc hạn: Báo cáo CNTT giữa năm</b> &lt;script&gt;");
    expect(parsed.html).toContain('<a href="https://sogd.example.vn/hd">hướng dẫn</a>');
    expect(parsed.html).not.toContain("<script>");
    expect(parsed.text).toContain("Hạn nộp 20/01/2026.");
    expect(parsed.text).toContain("Ngừng nhận thư: https://bot.sogd.example.vn/unsubscribe/email/it.lead%40thpt-vt.edu.vn");
  });

  it("maps a 4xx reply to a retry and a 5xx mailbox refusal to a permanent failure for that address", async () => {
    const busy = await sender().send("busy@thpt-vt.edu.vn", message).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(SendError);
    expect((busy as SendError).failure).toMatchObject({ kind: "server", status: 451 });
    expect(decide((busy as SendError).failure, 1, DEFAULT_RETRY_POLICY).retry).toBe(true);
    const nobody = await sender().send("nobody@thpt-vt.edu.vn", message).catch((e: unknown) => e);
    expect((nobody as SendError).failure.kind).toBe("unreachable");
    expect(decide((nobody as SendError).failure, 1, DEFAULT_RETRY_POLICY)).toEqual({ retry: false, outcome: "unreachable" });
  });

  it("reports a server that cannot be reached as a network error (retried)", async () => {
    const down = new EmailSender({
      smtpUrl: "smtp://127.0.0.1:9?ignoreTLS=true&connectionTimeout=2000",
      from: "noreply@sogd.example.vn",
      locale: "vi",
      words: { sender: "Sở GDĐT", subjectPrefix: "", footer: "", unsubscribe: "Ngừng nhận thư" },
      unsubscribeUrl: () => "https://bot.sogd.example.vn/unsubscribe/email/x",
    });
    const failure = await down.send("a@b.vn", message).catch((e: unknown) => e);
    expect((failure as SendError).failure.kind).toBe("network");
  });
});
