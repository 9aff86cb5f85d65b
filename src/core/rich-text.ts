import type { RichText, Span } from "./types.js";

/**
 * Template markup → RichText. The markup is deliberately tiny: `**bold**`, one paragraph or list item per
 * line, bare URLs, and `{{name}}` placeholders. Placeholder values become their own spans and are never
 * parsed as markup, so a value with `**`, `<` or `&` cannot change the formatting; each renderer escapes.
 */
export function renderTemplate(template: string, values: Record<string, string | number>): RichText {
  const rawLines = template.replace(/\r\n/g, "\n").replace(/\s+$/, "").split("\n");
  const lines = rawLines.map((line) => parseLine(line.trimEnd(), values));
  return { lines };
}

function parseLine(line: string, values: Record<string, string | number>): Span[] {
  const spans: Span[] = [];
  let bold = false;
  const pattern = /\*\*|\{\{\s*([\w.]+)\s*\}\}/g;
  let last = 0;
  for (let m = pattern.exec(line); m !== null; m = pattern.exec(line)) {
    push(spans, line.slice(last, m.index), bold);
    if (m[0] === "**") {
      bold = !bold;
    } else {
      const name = m[1] as string;
      const value = values[name];
      if (value === undefined) throw new Error(`template placeholder {{${name}}} has no value`);
      push(spans, String(value), bold);
    }
    last = m.index + m[0].length;
  }
  push(spans, line.slice(last), bold);
  return spans;
}

function push(spans: Span[], text: string, bold: boolean): void {
  if (text === "") return;
  const prev = spans[spans.length - 1];
  if (prev && Boolean(prev.bold) === bold) {
    prev.text += text;
    return;
  }
  spans.push(bold ? { text, bold: true } : { text });
}

export function plainText(text: string): RichText {
  return { lines: text.split("\n").map((line) => (line === "" ? [] : [{ text: line }])) };
}

export function concatRich(...parts: RichText[]): RichText {
  const lines: Span[][] = [];
  parts.forEach((part, i) => {
    if (i > 0) lines.push([]);
    lines.push(...part.lines);
  });
  return { lines };
}

/** Placeholder names a template uses, for content checks at load time. */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1] as string);
}
