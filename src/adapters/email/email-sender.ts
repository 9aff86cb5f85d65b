import { readFileSync } from "node:fs";
import { join } from "node:path";
import nodemailer, { type Transporter } from "nodemailer";
import { SendError, type SendResult } from "../../core/delivery/send-error.js";
import { escapeHtml, escapeHtmlAttribute, toPlainText, toTelegramHtml } from "../../core/render.js";
import type { Locale, OutboundMessage, RichText } from "../../core/types.js";
import type { ChannelSender } from "../../outbox/outbox-port.js";

const TEMPLATES = join(import.meta.dirname, "..", "..", "..", "templates");
const TEMPLATE = readFileSync(join(TEMPLATES, "email.html"), "utf8");
const PARAGRAPH = readFileSync(join(TEMPLATES, "email-paragraph.html"), "utf8").trim();
/** between the lines of one paragraph */
const LINE_BREAK = "<br />";

export interface EmailWords {
  /** who the mail is from, as the recipient reads it: "Sở GDĐT Bà Rịa - Vũng Tàu" */
  sender: string;
  subjectPrefix: string;
  footer: string;
  unsubscribe: string;
}

export interface EmailSenderOptions {
  /** smtp://user:pass@host:587 or smtps://… (nodemailer's connection URL) */
  smtpUrl: string;
  /** the From address: "Sở GDĐT <noreply@sogd.example.vn>" */
  from: string;
  locale: Locale;
  words: EmailWords;
  /** the one-click unsubscribe link of an address (List-Unsubscribe and the footer) */
  unsubscribeUrl: (address: string) => string;
  /** a transport for tests or pooling; built from smtpUrl otherwise */
  transport?: Transporter;
}

/** Longest subject line: mail clients cut around 60-80 characters anyway. */
const SUBJECT_LIMIT = 120;

/**
 * The e-mail channel: the same channel-neutral message as the chats, as HTML (templates/email.html, every value
 * escaped) and plain text, with a Vietnamese subject taken from the message's first line and a working
 * one-click unsubscribe (RFC 8058). SMTP answers map to the shared retry policy: 4xx is temporary (retried),
 * 5xx is permanent for that address (not retried), a connection failure is a network error.
 */
export class EmailSender implements ChannelSender {
  private readonly transport: Transporter;

  constructor(private readonly options: EmailSenderOptions) {
    this.transport = options.transport ?? nodemailer.createTransport(options.smtpUrl);
  }

  async send(address: string, message: OutboundMessage): Promise<SendResult> {
    const { words } = this.options;
    const unsubscribeUrl = this.options.unsubscribeUrl(address);
    const subject = subjectOf(message.text, words.subjectPrefix);
    const text = `${toPlainText(message.text)}\n\n-- \n${words.footer} ${words.unsubscribe}: ${unsubscribeUrl}\n`;
    const html = fill(TEMPLATE, {
      lang: escapeHtmlAttribute(this.options.locale),
      subject: escapeHtml(subject),
      sender: escapeHtml(words.sender),
      body: htmlBody(message.text),
      footer: escapeHtml(words.footer),
      unsubscribeUrl: escapeHtmlAttribute(unsubscribeUrl),
      unsubscribeText: escapeHtml(words.unsubscribe),
    });
    try {
      const info = (await this.transport.sendMail({
        from: this.options.from,
        to: address,
        subject,
        text,
        html,
        headers: { "List-Unsubscribe": `<${unsubscribeUrl}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
      })) as { messageId?: string; rejected?: unknown[] };
      if (Array.isArray(info.rejected) && info.rejected.length > 0) {
        throw new SendError({ kind: "unreachable", description: `the mail server refused the address ${address}` });
      }
      return { providerMessageId: info.messageId ?? "" };
    } catch (error) {
      throw error instanceof SendError ? error : smtpFailure(error);
    }
  }
}

/** An SMTP error as the retry policy understands it. */
export function smtpFailure(error: unknown): SendError {
  const e = error as { responseCode?: number; response?: string; code?: string; message?: string };
  const description = (e.response ?? e.message ?? String(error)).slice(0, 300);
  if (typeof e.responseCode === "number") {
    if (e.responseCode >= 500) {
      // 550/551/553: the mailbox does not exist or is refused: that address will not work again.
      return new SendError(e.responseCode >= 550 && e.responseCode <= 553 ? { kind: "unreachable", description } : { kind: "bad_request", description });
    }
    if (e.responseCode >= 400) return new SendError({ kind: "server", status: e.responseCode, description });
  }
  return new SendError({ kind: "network", description: `${e.code ?? "error"}: ${description}` });
}

function subjectOf(rich: RichText, prefix: string): string {
  const first = rich.lines.find((line) => line.some((s) => s.text.trim() !== "")) ?? [];
  const line = first.map((s) => s.text).join("").replace(/\s+/g, " ").trim();
  const cut = line.length > SUBJECT_LIMIT ? `${line.slice(0, SUBJECT_LIMIT - 1).trimEnd()}…` : line;
  return prefix ? `${prefix} ${cut}` : cut;
}

/** Paragraphs (blank lines) as <p>, lines inside them joined by <br>; the spans as the chats' safe HTML. */
function htmlBody(rich: RichText): string {
  const paragraphs: string[][] = [[]];
  for (const line of rich.lines) {
    if (line.every((s) => s.text.trim() === "")) paragraphs.push([]);
    else paragraphs[paragraphs.length - 1]?.push(toTelegramHtml({ lines: [line] }));
  }
  return paragraphs
    .filter((p) => p.length > 0)
    .map((p) => fill(PARAGRAPH, { lines: p.join(LINE_BREAK) }))
    .join("\n");
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => values[key] ?? "");
}
