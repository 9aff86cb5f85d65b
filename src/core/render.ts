import { isSafeLinkUrl } from "./markdown.js";
import type { RichText, Span } from "./types.js";

/** Per-channel renderers for RichText, and splitting at paragraph boundaries under a channel's limit. */

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** For a double-quoted HTML attribute value (a link's href). */
export function escapeHtmlAttribute(text: string): string {
  return escapeHtml(text).replace(/"/g, "&quot;");
}

/**
 * Telegram HTML parse mode: every value escaped, bold as <b>, italic as <i>, http(s) links as <a href>.
 * Tags always nest properly (Telegram rejects `<b><i>x</b></i>`): a tag stays open while the following
 * spans keep its attribute and the longest-running attribute is opened outermost.
 * Telegram has no mailto links (it would read `mailto:a@b.vn` as a web address), so a mailto link shows its
 * text followed by the address, which Telegram turns into a tappable e-mail itself.
 */
export function toTelegramHtml(rich: RichText): string {
  return rich.lines.map((line) => lineToHtml(telegramSpans(line))).join("\n");
}

type Tag = string; // "b", "i" or "a <href>"

function tagsOf(span: Span): Tag[] {
  const tags: Tag[] = [];
  if (span.href !== undefined) tags.push(`a ${span.href}`);
  if (span.bold) tags.push("b");
  if (span.italic) tags.push("i");
  return tags;
}

function openTag(tag: Tag): string {
  return tag === "b" || tag === "i" ? `<${tag}>` : `<a href="${escapeHtmlAttribute(tag.slice(2))}">`;
}

function closeTag(tag: Tag): string {
  return tag === "b" || tag === "i" ? `</${tag}>` : "</a>";
}

function lineToHtml(line: Span[]): string {
  const spans = line.filter((s) => s.text !== "");
  // How many spans in a row, from each span on, carry each of its tags.
  const runs: Map<Tag, number>[] = spans.map(() => new Map());
  for (let k = spans.length - 1; k >= 0; k--) {
    for (const tag of tagsOf(spans[k] as Span)) runs[k]?.set(tag, (runs[k + 1]?.get(tag) ?? 0) + 1);
  }
  let html = "";
  const open: Tag[] = [];
  spans.forEach((span, k) => {
    const wanted = runs[k] as Map<Tag, number>;
    let keep = 0;
    while (keep < open.length && wanted.has(open[keep] as Tag)) keep++;
    while (open.length > keep) html += closeTag(open.pop() as Tag);
    const missing = [...wanted.keys()].filter((tag) => !open.includes(tag));
    missing.sort((a, b) => (wanted.get(b) ?? 0) - (wanted.get(a) ?? 0)); // stable: a, b, i on ties
    for (const tag of missing) {
      html += openTag(tag);
      open.push(tag);
    }
    html += escapeHtml(span.text);
  });
  while (open.length > 0) html += closeTag(open.pop() as Tag);
  return html;
}

/** What Telegram counts against its 4,096 limit: the visible text, tags and entities excluded. */
export function telegramVisibleLength(rich: RichText): number {
  let n = Math.max(0, rich.lines.length - 1);
  for (const line of rich.lines) for (const span of telegramSpans(line)) n += span.text.length;
  return n;
}

/** Links Telegram can show: http(s) stay links; mailto becomes text plus address; anything else text only. */
function telegramSpans(line: Span[]): Span[] {
  return resolveLinks(line, (href) => /^https?:/i.test(href));
}

/** Plain text (web chat JSON, Zalo): formatting dropped, text kept; a link reads `text (url)`. */
export function toPlainText(rich: RichText): string {
  return rich.lines.map((line) => resolveLinks(line, () => false).map((s) => s.text).join("")).join("\n");
}

/**
 * Turns link runs (neighbouring spans with the same href) that a channel cannot show as links into text:
 * `text (url)`, or just `text` when it already says the url. A mailto link adds the address, not the scheme.
 * Unsafe targets (not http(s) or mailto) drop to their text. Links the channel keeps are left as they are.
 */
function resolveLinks(line: Span[], keepAsLink: (href: string) => boolean): Span[] {
  const out: Span[] = [];
  for (let k = 0; k < line.length; k++) {
    const span = line[k] as Span;
    const href = span.href;
    if (href === undefined) {
      out.push(span);
      continue;
    }
    const safe = isSafeLinkUrl(href);
    if (safe && keepAsLink(href)) {
      out.push(span);
      continue;
    }
    let text = "";
    let end = k;
    for (; end < line.length && line[end]?.href === href; end++) {
      const linked = line[end] as Span;
      const plain: Span = { text: linked.text };
      if (linked.bold) plain.bold = true;
      if (linked.italic) plain.italic = true;
      out.push(plain);
      text += linked.text;
    }
    k = end - 1;
    if (!safe) continue;
    const target = /^mailto:/i.test(href) ? href.slice("mailto:".length) : href;
    if (text.trim() !== target && text.trim() !== href) out.push({ text: ` (${target})` });
  }
  return out;
}

/**
 * Splits rich text into pieces whose rendered length stays within `limit`, preferring blank-line
 * paragraph boundaries, then line boundaries, then spaces inside a single over-long line.
 * `measure` is the channel's own length (Telegram counts visible UTF-16 units, Zalo characters).
 */
export function splitRich(rich: RichText, limit: number, measure: (r: RichText) => number): RichText[] {
  const lines = rich.lines.flatMap((line) => splitLongLine(line, limit, measure));
  const pieces: RichText[] = [];
  let current: Span[][] = [];
  const flush = (): void => {
    while (current.length > 0 && (current[current.length - 1] as Span[]).length === 0) current.pop();
    if (current.length > 0) pieces.push({ lines: current });
    current = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as Span[];
    if (current.length === 0 && line.length === 0) continue;
    const candidate = { lines: [...current, line] };
    if (measure(candidate) <= limit) {
      current.push(line);
      continue;
    }
    // Prefer to cut at the last blank line of the current piece.
    const lastBlank = lastIndexOfBlank(current);
    if (lastBlank > 0) {
      const carry = current.slice(lastBlank + 1);
      current = current.slice(0, lastBlank);
      flush();
      current = carry;
      i--;
      continue;
    }
    flush();
    current.push(line);
  }
  flush();
  return pieces;
}

function lastIndexOfBlank(lines: Span[][]): number {
  for (let i = lines.length - 1; i >= 0; i--) if ((lines[i] as Span[]).length === 0) return i;
  return -1;
}

function splitLongLine(line: Span[], limit: number, measure: (r: RichText) => number): Span[][] {
  if (measure({ lines: [line] }) <= limit) return [line];
  // Re-flow the line word by word, keeping each span's formatting (bold, italic, link).
  const out: Span[][] = [];
  let current: Span[] = [];
  for (const span of line) {
    for (const word of span.text.split(/(?<= )/)) {
      const next = appendWord(current, withText(span, word));
      if (measure({ lines: [next] }) <= limit) {
        current = next;
        continue;
      }
      if (current.length > 0) out.push(current);
      current = [];
      // A single "word" longer than the limit (a long URL or noise) is cut hard.
      let rest = word;
      while (rest.length > 1 && measure({ lines: [[withText(span, rest)]] }) > limit) {
        let cut = Math.max(1, Math.floor(limit / 2));
        if (cut < rest.length && /[\uD800-\uDBFF]/.test(rest[cut - 1] ?? "")) cut = cut > 1 ? cut - 1 : cut + 1; // keep pairs
        out.push([withText(span, rest.slice(0, cut))]);
        rest = rest.slice(cut);
      }
      current = appendWord([], withText(span, rest));
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** A copy of the span's formatting with other text. */
function withText(span: Span, text: string): Span {
  return { ...span, text };
}

function sameFormat(a: Span, b: Span): boolean {
  return Boolean(a.bold) === Boolean(b.bold) && Boolean(a.italic) === Boolean(b.italic) && a.href === b.href;
}

function appendWord(spans: Span[], word: Span): Span[] {
  const copy = spans.map((s) => ({ ...s }));
  const last = copy[copy.length - 1];
  if (last && sameFormat(last, word)) last.text += word.text;
  else copy.push(word);
  return copy;
}
