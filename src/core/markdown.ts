import type { RichText, Span } from "./types.js";

/**
 * The small Markdown subset staff write broadcast announcements in → RichText, which each channel renders
 * and escapes (see render.ts). Supported:
 *
 * - paragraphs separated by blank lines (one empty line kept between them), a single newline is a line break;
 * - `**bold**`, `__bold__`, `*italic*`, `_italic_`, nested (`**_x_**`), with CommonMark's flanking rules,
 *   so `snake_case`, `file_name.pdf` and underscores in bare URLs are not emphasis;
 * - `[text](url)` when url is http(s) or mailto; anything else (`javascript:` …) stays literal text;
 * - `- `, `* `, `+ ` list items → "• "; `1. ` items, bare URLs and everything else stay as written;
 * - `# Title` (up to six #) → a bold line; `\*` (any ASCII punctuation after a backslash) is literal.
 *
 * Input is NFC-normalised first. Unclosed markers stay literal. It never throws.
 */
export function parseMarkdown(source: string): RichText {
  try {
    return parseDocument(typeof source === "string" ? source : "");
  } catch {
    // Defensive only: the parser has no known failure, but an announcement must never be lost to one.
    try {
      return { lines: String(source).split("\n").map((line) => (line === "" ? [] : [{ text: line }])) };
    } catch {
      return { lines: [] };
    }
  }
}

/**
 * Whether a link target may be rendered as a link: http(s) with a host and no user part (so
 * `https://so.gd.vn@evil.test` cannot pose as the Department), or mailto with an address.
 */
export function isSafeLinkUrl(url: string): boolean {
  if (url.length === 0 || url.length > MAX_URL || /[\s\p{Cc}]/u.test(url)) return false;
  if (/^mailto:[^@/]+@[^@/]+$/i.test(url)) return true;
  if (!/^https?:\/\/[^/?#@\\]+(?:[/?#]|$)/i.test(url)) return false;
  try {
    const parsed = new URL(url);
    return parsed.hostname !== "" && parsed.username === "" && parsed.password === "";
  } catch {
    return false;
  }
}

const MAX_URL = 2048;
/** Link text longer than this is not looked for; keeps `[` noise linear. */
const MAX_LINK_TEXT = 1000;

function parseDocument(source: string): RichText {
  const text = source
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD")
    .normalize("NFC")
    .replace(/\r\n?|[\u2028\u2029]/g, "\n");
  const lines: Span[][] = [];
  let blankPending = false;
  for (const raw of text.split("\n")) {
    const line = raw.trimEnd();
    if (line.trim() === "") {
      blankPending = lines.length > 0;
      continue;
    }
    if (blankPending) lines.push([]);
    blankPending = false;
    const spans = parseLine(line);
    if (spans.length > 0) lines.push(spans);
  }
  return { lines };
}

function parseLine(line: string): Span[] {
  const heading = /^[ \t]*#{1,6}[ \t]+/.exec(line);
  if (heading) return parseInline(headingText(line.slice(heading[0].length)), true).map((s) => ({ ...s, bold: true }));
  const bullet = /^([ \t]*)[-*+][ \t]+(.*)$/.exec(line);
  if (bullet) return mergeSpans([{ text: `${bullet[1] ?? ""}• ` }, ...parseInline(bullet[2] ?? "", true)]);
  const numbered = /^([ \t]*)(\d{1,9}[.)][ \t]+.*)$/.exec(line);
  if (numbered) return mergeSpans([{ text: numbered[1] ?? "" }, ...parseInline(numbered[2] ?? "", true)]);
  return parseInline(line.trimStart(), true);
}

/** A heading's text without an optional closing run of `#` (which must follow a space, as in `## A ##`). */
function headingText(rest: string): string {
  let end = rest.length;
  while (end > 0 && rest[end - 1] === "#") end--;
  if (end === rest.length) return rest;
  if (end === 0) return rest;
  const before = rest[end - 1];
  return before === " " || before === "\t" ? rest.slice(0, end).trimEnd() : rest;
}

type Node =
  | { kind: "text"; text: string }
  | { kind: "link"; spans: Span[] }
  | Delimiter;

interface Delimiter {
  kind: "delim";
  char: "*" | "_";
  /** characters of the run not yet used by a match; they render literally */
  count: number;
  /** the run's original length (CommonMark's rule of 3) */
  length: number;
  canOpen: boolean;
  canClose: boolean;
  /** index in the node list */
  index: number;
}

const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;
const BARE_URL = /(?:https?:\/\/|mailto:|www\.)[^\s<>]*/iy;

/** One line (or a link's text) → spans. Links are parsed only at the top level: no links inside links. */
function parseInline(s: string, allowLinks: boolean): Span[] {
  const nodes: Node[] = [];
  let buffer = "";
  const flush = (): void => {
    if (buffer !== "") nodes.push({ kind: "text", text: buffer });
    buffer = "";
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (c === "\\" && i + 1 < s.length && ASCII_PUNCTUATION.test(s[i + 1] as string)) {
      buffer += s[i + 1];
      i += 2;
      continue;
    }
    if (c === "*" || c === "_") {
      let end = i;
      while (s[end] === c) end++;
      flush();
      nodes.push(delimiter(s, i, end, c, nodes.length));
      i = end;
      continue;
    }
    if (c === "[" && allowLinks) {
      const link = parseLink(s, i);
      if (link) {
        const spans = parseInline(link.text, false);
        if (spans.length > 0) {
          flush();
          nodes.push({ kind: "link", spans: spans.map((span) => ({ ...span, href: link.href })) });
          i = link.end;
          continue;
        }
      }
    }
    if ((c === "h" || c === "H" || c === "m" || c === "M" || c === "w" || c === "W") && !/[\p{L}\p{N}]/u.test(charBefore(s, i))) {
      const url = bareUrlAt(s, i);
      if (url !== "") {
        buffer += url;
        i += url.length;
        continue;
      }
    }
    buffer += c;
    i++;
  }
  flush();
  const { bold, italic } = processEmphasis(nodes);
  const spans: Span[] = [];
  let b = 0;
  let it = 0;
  nodes.forEach((node, index) => {
    b += bold[index] ?? 0;
    it += italic[index] ?? 0;
    const fmt = { bold: b > 0, italic: it > 0 };
    if (node.kind === "text") spans.push(makeSpan(node.text, fmt.bold, fmt.italic, undefined));
    else if (node.kind === "delim") spans.push(makeSpan(node.char.repeat(node.count), fmt.bold, fmt.italic, undefined));
    else for (const span of node.spans) spans.push(makeSpan(span.text, fmt.bold || Boolean(span.bold), fmt.italic || Boolean(span.italic), span.href));
  });
  return mergeSpans(spans);
}

/** The character (code point) before index i, or "" at the start. */
function charBefore(s: string, i: number): string {
  if (i <= 0) return "";
  const low = s.charCodeAt(i - 1);
  if (low >= 0xdc00 && low <= 0xdfff && i >= 2) {
    const high = s.charCodeAt(i - 2);
    if (high >= 0xd800 && high <= 0xdbff) return s.slice(i - 2, i);
  }
  return s[i - 1] as string;
}

/** The character (code point) at index i, or "" at the end. */
function charAt(s: string, i: number): string {
  const cp = s.codePointAt(i);
  return cp === undefined ? "" : String.fromCodePoint(cp);
}

const isWhitespace = (ch: string): boolean => ch === "" || /^\s$/u.test(ch);
const isPunctuation = (ch: string): boolean => /^[\p{P}\p{S}]$/u.test(ch);

/** A run of `*` or `_` from start to end, with CommonMark's left/right-flanking rules. */
function delimiter(s: string, start: number, end: number, char: "*" | "_", index: number): Delimiter {
  const before = charBefore(s, start);
  const after = charAt(s, end);
  const left = !isWhitespace(after) && (!isPunctuation(after) || isWhitespace(before) || isPunctuation(before));
  const right = !isWhitespace(before) && (!isPunctuation(before) || isWhitespace(after) || isPunctuation(after));
  const canOpen = char === "*" ? left : left && (!right || isPunctuation(before));
  const canClose = char === "*" ? right : right && (!left || isPunctuation(after));
  return { kind: "delim", char, count: end - start, length: end - start, canOpen, canClose, index };
}

/**
 * Matches openers and closers as CommonMark's "process emphasis" does. Returns, per node index, how many
 * bold and italic ranges start (+1) or end (-1) there; a range covers the nodes strictly between its
 * opener and closer, so leftover marker characters stay outside it.
 */
function processEmphasis(nodes: Node[]): { bold: number[]; italic: number[] } {
  const bold = new Array<number>(nodes.length + 1).fill(0);
  const italic = new Array<number>(nodes.length + 1).fill(0);
  const openers: Delimiter[] = [];
  const bottom = new Map<string, number>();
  for (const node of nodes) {
    if (node.kind !== "delim") continue;
    const closer = node;
    if (closer.canClose) {
      const key = `${closer.char}${closer.canOpen ? 1 : 0}${closer.length % 3}`;
      while (closer.count > 0) {
        const floor = bottom.get(key) ?? -1;
        let found = -1;
        for (let j = openers.length - 1; j >= 0; j--) {
          const opener = openers[j] as Delimiter;
          if (opener.index <= floor) break;
          if (opener.char !== closer.char || opener.count === 0) continue;
          const oddMatch =
            (opener.canClose || closer.canOpen) &&
            (opener.length + closer.length) % 3 === 0 &&
            !(opener.length % 3 === 0 && closer.length % 3 === 0);
          if (oddMatch) continue;
          found = j;
          break;
        }
        if (found < 0) {
          bottom.set(key, closer.index - 1); // the closer itself may still open
          break;
        }
        const opener = openers[found] as Delimiter;
        const use = opener.count >= 2 && closer.count >= 2 ? 2 : 1;
        const marks = use === 2 ? bold : italic;
        marks[opener.index + 1] = (marks[opener.index + 1] ?? 0) + 1;
        marks[closer.index] = (marks[closer.index] ?? 0) - 1;
        opener.count -= use;
        closer.count -= use;
        openers.length = opener.count > 0 ? found + 1 : found;
      }
    }
    if (closer.count > 0 && closer.canOpen) openers.push(closer);
  }
  return { bold, italic };
}

/** `[text](url)` at s[start] === "[": the raw link text, the unescaped url and where the link ends. */
function parseLink(s: string, start: number): { text: string; href: string; end: number } | undefined {
  let depth = 1;
  let i = start + 1;
  const textLimit = Math.min(s.length, start + 1 + MAX_LINK_TEXT);
  for (; i < textLimit; i++) {
    const c = s[i];
    if (c === "\\") i++;
    else if (c === "[") depth++;
    else if (c === "]" && --depth === 0) break;
  }
  if (depth !== 0 || s[i] !== "]" || s[i + 1] !== "(") return undefined;
  const text = s.slice(start + 1, i);
  let j = i + 2;
  while (s[j] === " " || s[j] === "\t") j++;
  let href = "";
  let parens = 0;
  const urlLimit = Math.min(s.length, j + MAX_URL);
  for (; j < urlLimit; j++) {
    const c = s[j] as string;
    if (c === "\\" && j + 1 < s.length && ASCII_PUNCTUATION.test(s[j + 1] as string)) {
      href += s[j + 1];
      j++;
    } else if (c === "(") {
      parens++;
      href += c;
    } else if (c === ")") {
      if (parens === 0) break;
      parens--;
      href += c;
    } else if (/\s/.test(c)) {
      break;
    } else {
      href += c;
    }
  }
  while (s[j] === " " || s[j] === "\t") j++;
  if (s[j] !== ")" || !isSafeLinkUrl(href)) return undefined;
  return { text, href, end: j + 1 };
}

/** A bare URL at s[i], without trailing punctuation or an unbalanced ")" (as GitHub autolinks); "" if none. */
function bareUrlAt(s: string, i: number): string {
  BARE_URL.lastIndex = i;
  const match = BARE_URL.exec(s);
  if (!match) return "";
  const url = match[0];
  let opened = 0;
  let closed = 0;
  for (const c of url) {
    if (c === "(") opened++;
    else if (c === ")") closed++;
  }
  let end = url.length;
  for (;;) {
    const last = url[end - 1];
    if (last !== undefined && "?!.,:;*_~'\"".includes(last)) {
      end--;
    } else if (last === ")" && closed > opened) {
      end--;
      closed--;
    } else {
      return url.slice(0, end);
    }
  }
}

function makeSpan(text: string, bold: boolean, italic: boolean, href: string | undefined): Span {
  const span: Span = { text };
  if (bold) span.bold = true;
  if (italic) span.italic = true;
  if (href !== undefined) span.href = href;
  return span;
}

/** Drops empty spans and joins neighbours with the same formatting. */
function mergeSpans(spans: Span[]): Span[] {
  const out: Span[] = [];
  for (const span of spans) {
    if (span.text === "") continue;
    const prev = out[out.length - 1];
    if (prev && Boolean(prev.bold) === Boolean(span.bold) && Boolean(prev.italic) === Boolean(span.italic) && prev.href === span.href) {
      prev.text += span.text;
    } else {
      out.push({ ...span });
    }
  }
  return out;
}
