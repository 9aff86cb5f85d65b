import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";

/** One numbered part of the directive: "II.1.j", its heading and its text. */
export interface DirectiveSection {
  section: string;
  title: string;
  text: string;
}

export interface DirectiveDocument {
  /** what the document is, for staff: "Hướng dẫn nhiệm vụ CNTT năm học 2019-2020 (dự thảo)" */
  source: string;
  sections: DirectiveSection[];
}

const documentSchema = z.object({
  source: z.string().min(1),
  sections: z
    .array(z.object({ section: z.string().min(1).max(24), title: z.string().min(1).max(200), text: z.string() }).strict())
    .min(1),
});

/** Loads the directive content file (templates/directive.yaml), with an error that names what is wrong. */
export function loadDirective(file: string): DirectiveDocument {
  const parsed = documentSchema.safeParse(parse(readFileSync(file, "utf8")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`);
  }
  const seen = new Set<string>();
  for (const s of parsed.data.sections) {
    if (seen.has(s.section)) throw new Error(`${file}: section ${s.section} appears twice`);
    seen.add(s.section);
  }
  return parsed.data;
}

const ROMAN = /^(I|II|III|IV|V|VI|VII|VIII|IX|X)\.\s+(.+)$/;
const APPENDIX = /^PHỤ LỤC\s+(I|II|III|IV|V)\b\.?\s*(.*)$/i;
const NUMBERED = /^(\d{1,2})\.\s+(.+)$/;
const SUB_NUMBERED = /^(\d{1,2})\.(\d{1,2})\.?\s+(.+)$/;
const LETTERED = /^([a-zđ])[).]\s+(.+)$/;
/** The closing formula: what follows (recipients, signature) is not guidance, until an appendix starts. */
const CLOSING = /^Trân trọng/;
const TITLE_CHARS = 90;

interface Open {
  id: string;
  title: string;
  lines: string[];
}

/**
 * Splits the directive's plain text (as the Department's office software exports it) into numbered sections:
 * I, II.1, II.1.a, III.5.1, and the appendices as PL-I.2.4. Recipients and signature are left out.
 */
export function splitDirective(raw: string): DirectiveSection[] {
  const sections: DirectiveSection[] = [];
  let roman = "";
  let numbered = "";
  let numberedTitle = "";
  /** where lettered items attach: the last numbered or sub-numbered section */
  let letterParent = "";
  /** a numbered list that restarts at 1 inside a section (a table in the appendix) nests under it */
  let lastNumber = 0;
  let nestBase = "";
  let skipping = false;
  let current: Open | undefined;
  const ids = new Map<string, number>();

  const close = (): void => {
    if (!current) return;
    const text = current.lines.join("\n").replace(/\n{3,}/g, "\n\n").trim();
    if (text !== "" || current.title !== "") sections.push({ section: current.id, title: current.title, text });
    current = undefined;
  };
  const open = (id: string, title: string, firstLine?: string): void => {
    close();
    const n = (ids.get(id) ?? 0) + 1;
    ids.set(id, n);
    current = { id: n === 1 ? id : `${id}(${n})`, title, lines: firstLine ? [firstLine] : [] };
  };

  for (const rawLine of raw.replace(/\r/g, "").split("\n")) {
    const line = rawLine.replace(/[\t\u00a0]+/g, " ").replace(/\s+/g, " ").trim();
    if (line === "") {
      current?.lines.push("");
      continue;
    }
    const appendix = APPENDIX.exec(line);
    if (appendix) {
      skipping = false;
      roman = `PL-${appendix[1]}`;
      numbered = "";
      letterParent = "";
      lastNumber = 0;
      nestBase = "";
      open(roman, headingTitle(appendix[2] || line));
      continue;
    }
    if (skipping) continue;
    if (CLOSING.test(line)) {
      close();
      skipping = true;
      continue;
    }
    const romanHeading = roman.startsWith("PL-") ? null : ROMAN.exec(line);
    if (romanHeading) {
      roman = romanHeading[1] as string;
      numbered = "";
      letterParent = "";
      lastNumber = 0;
      nestBase = "";
      open(roman, headingTitle(romanHeading[2] as string));
      continue;
    }
    if (!roman) continue;
    const sub = SUB_NUMBERED.exec(line);
    if (sub && numbered !== "") {
      letterParent = `${roman}.${sub[1]}.${sub[2]}`;
      open(letterParent, headingTitle(sub[3] as string), isTitleOnly(sub[3] as string) ? undefined : (sub[3] as string));
      continue;
    }
    const number = NUMBERED.exec(line);
    if (number) {
      const n = Number(number[1]);
      if (n === 1 && lastNumber > 0) nestBase = numbered;
      lastNumber = n;
      numbered = nestBase ? `${nestBase}.${n}` : `${roman}.${n}`;
      numberedTitle = headingTitle(number[2] as string);
      letterParent = numbered;
      open(numbered, numberedTitle, isTitleOnly(number[2] as string) ? undefined : (number[2] as string));
      continue;
    }
    const letter = LETTERED.exec(line);
    if (letter && letterParent !== "") {
      open(`${letterParent}.${letter[1]}`, numberedTitle, letter[2] as string);
      continue;
    }
    current?.lines.push(line);
  }
  close();
  return sections;
}

/** A heading line that is only a title ("Ứng dụng CNTT trong ..."), not a sentence of guidance. */
function isTitleOnly(text: string): boolean {
  return text.length <= TITLE_CHARS && !/[.;:]$/.test(text.trim());
}

function headingTitle(text: string): string {
  const clean = text.trim().replace(/[.;:]+$/, "");
  if (clean.length <= TITLE_CHARS) return clean;
  const cut = clean.slice(0, TITLE_CHARS);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(" "), 40))}…`;
}
