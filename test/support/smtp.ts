import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface Mail {
  to: string;
  raw: string;
}

export interface LocalSmtp {
  port: number;
  mails: Mail[];
  /** addresses answered 451 (mailbox busy, try later) while in the set */
  busy: Set<string>;
  /** SMTP_URL and MAIL_FROM for the product */
  env(): Record<string, string>;
  stop(): Promise<void>;
}

/** A local SMTP server that keeps every mail it accepts, one entry per recipient. */
export async function startSmtp(): Promise<LocalSmtp> {
  const mails: Mail[] = [];
  const busy = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onRcptTo(address, _session, callback) {
      if (busy.has(address.address)) return callback(Object.assign(new Error("mailbox busy, try later"), { responseCode: 451 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        for (const r of session.envelope.rcptTo) mails.push({ to: r.address, raw: Buffer.concat(chunks).toString("utf8") });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    busy,
    env: () => ({ SMTP_URL: `smtp://127.0.0.1:${port}?ignoreTLS=true`, MAIL_FROM: "Sở GDĐT <noreply@sogd.example.vn>" }),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls until `probe` gives a value (or throws after `ms`). */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, ms = 8000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
