import type { RichText, Span } from "./types.js";

/** Per-channel renderers for RichText, and splitting at paragraph boundaries under a channel's limit. */

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Telegram HTML parse mode: every value escaped, bold as <b>. */
export function toTelegramHtml(rich: RichText): string {
  return rich.lines.map((line) => line.map(spanToHtml).join("")).join("\n");
}

function spanToHtml(span: Span): string {
  const text = escapeHtml(span.text);
  return span.bold ? `<b>${text}</b>` : text;
}

/** Plain text (web chat JSON, Zalo): formatting dropped, text kept. */
export function toPlainText(rich: RichText): string {
  return rich.lines.map((line) => line.map((s) => s.text).join("")).join("\n");
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
  // Re-flow the line word by word, keeping each span's formatting.
  const out: Span[][] = [];
  let current: Span[] = [];
  for (const span of line) {
    for (const word of span.text.split(/(?<= )/)) {
      const next = appendWord(current, word, span.bold);
      if (measure({ lines: [next] }) <= limit) {
        current = next;
        continue;
      }
      if (current.length > 0) out.push(current);
      current = [];
      // A single "word" longer than the limit (a long URL or noise) is cut hard.
      let rest = word;
      while (measure({ lines: [[{ text: rest }]] }) > limit) {
        const cut = Math.max(1, Math.floor(limit / 2));
        out.push([span.bold ? { text: rest.slice(0, cut), bold: true } : { text: rest.slice(0, cut) }]);
        rest = rest.slice(cut);
      }
      current = appendWord([], rest, span.bold);
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

function appendWord(spans: Span[], word: string, bold: boolean | undefined): Span[] {
  const copy = spans.map((s) => ({ ...s }));
  const last = copy[copy.length - 1];
  if (last && Boolean(last.bold) === Boolean(bold)) last.text += word;
  else copy.push(bold ? { text: word, bold: true } : { text: word });
  return copy;
}
