import { splitRich, toPlainText } from "../../core/render.js";
import type { Locale, OutboundMessage, RichText } from "../../core/types.js";
import type { ZaloTemplateMessage } from "./zalo-client.js";
import { buttonGroups } from "./zalo-sender.js";

/** Zalo's limits on a transaction or promotion message's elements and buttons. */
export const ZALO_HEADER_LIMIT = 100;
export const ZALO_TEMPLATE_TEXT_LIMIT = 1000;
export const ZALO_TEMPLATE_MAX_BUTTONS = 4;
export const ZALO_TEMPLATE_BUTTON_TITLE_LIMIT = 35;

/**
 * One OutboundMessage as one transaction or promotion message: its first line (the broadcast's title, the
 * reminder's opening) as the header, the rest as text elements of at most 1,000 characters cut at paragraph
 * boundaries. One message, not several: each one counts against the follower's quota. The first four buttons
 * ride along (these types take no more).
 */
export function toTemplateMessage(message: OutboundMessage, templateType: string, locale: Locale): ZaloTemplateMessage {
  const plain = (rich: RichText): string => toPlainText(rich).normalize("NFC").trim();
  const [first, ...rest] = message.text.lines;
  const headerLine = plain({ lines: first ? [first] : [] });
  const fits = headerLine !== "" && [...headerLine].length <= ZALO_HEADER_LIMIT;
  const body: RichText = fits ? { lines: rest } : message.text;
  const texts = splitRich(body, ZALO_TEMPLATE_TEXT_LIMIT, (r) => plain(r).length)
    .map(plain)
    .filter((t) => t !== "");
  const buttons = buttonGroups(message.buttons)
    .flat()
    .slice(0, ZALO_TEMPLATE_MAX_BUTTONS)
    .map((b) => ({ ...b, title: cut(b.title, ZALO_TEMPLATE_BUTTON_TITLE_LIMIT) }));
  return {
    templateType,
    language: locale === "en" ? "EN" : "VI",
    header: fits ? headerLine : cut(headerLine, ZALO_HEADER_LIMIT),
    texts,
    buttons,
  };
}

function cut(text: string, limit: number): string {
  const chars = [...text];
  return chars.length <= limit ? text : `${chars.slice(0, limit - 1).join("")}…`;
}
