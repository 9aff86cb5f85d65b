import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";

/**
 * Zalo's ceiling per ZNS parameter type (the longest value Zalo lets an approved template declare for it).
 * A template in templates/zns.yaml that claims more is refused at start.
 */
export const ZNS_PARAM_TYPE_LIMITS = {
  customer_name: 30,
  phone_number: 15,
  address: 200,
  code: 30,
  custom_label: 30,
  transaction_status: 30,
  contact_info: 50,
  gender_title: 5,
  product_brand: 200,
  quantity: 20,
  time: 20,
} as const;

/** The values a message kind can give a template, by kind. */
export const ZNS_SOURCES = {
  reminder_due: ["person.name", "unit.name", "task.title", "task.due_date"],
  reminder_late: ["person.name", "unit.name", "task.title", "task.due_date", "task.days_late"],
  late_summary: ["person.name", "unit.name", "task.title", "task.due_date", "summary.late_count"],
} as const;

export type ZnsKind = keyof typeof ZNS_SOURCES;

const paramSchema = z.strictObject({
  from: z.string(),
  type: z.enum(Object.keys(ZNS_PARAM_TYPE_LIMITS) as [keyof typeof ZNS_PARAM_TYPE_LIMITS, ...(keyof typeof ZNS_PARAM_TYPE_LIMITS)[]]),
  max: z.number().int().positive(),
});
const fileSchema = z.strictObject({
  price_vnd: z.number().nonnegative(),
  kinds: z.record(z.string(), z.strictObject({ template_id: z.string().regex(/^\d+$/, "must be Zalo's numeric template id"), params: z.record(z.string(), paramSchema) })),
});

export interface ZnsTemplate {
  kind: ZnsKind;
  templateId: string;
  params: { name: string; from: string; max: number }[];
}

export interface ZnsTemplates {
  priceVnd: number;
  byKind: Map<ZnsKind, ZnsTemplate>;
}

/** Reads and checks templates/zns.yaml; every problem is named (kind, parameter) so the start-up check can print it. */
export function loadZnsTemplates(file: string): ZnsTemplates {
  const parsed = fileSchema.safeParse(parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const problems: string[] = [];
  const byKind = new Map<ZnsKind, ZnsTemplate>();
  for (const [kind, template] of Object.entries(parsed.data.kinds)) {
    if (!(kind in ZNS_SOURCES)) {
      problems.push(`${kind}: not a message kind that may use ZNS (${Object.keys(ZNS_SOURCES).join(", ")})`);
      continue;
    }
    const sources: readonly string[] = ZNS_SOURCES[kind as ZnsKind];
    const params = Object.entries(template.params).map(([name, p]) => {
      if (!/^[a-z0-9_]{1,50}$/.test(name)) problems.push(`${kind}.${name}: parameter names are lower-case letters, digits and _`);
      if (!sources.includes(p.from)) problems.push(`${kind}.${name}: "${p.from}" is not a value this kind has (${sources.join(", ")})`);
      const ceiling = ZNS_PARAM_TYPE_LIMITS[p.type];
      if (p.max > ceiling) problems.push(`${kind}.${name}: max ${p.max} is over Zalo's ${ceiling} for a ${p.type} parameter`);
      return { name, from: p.from, max: Math.min(p.max, ceiling) };
    });
    byKind.set(kind as ZnsKind, { kind: kind as ZnsKind, templateId: template.template_id, params });
  }
  if (problems.length > 0) throw new Error(`${file}: ${problems.join("; ")}`);
  return { priceVnd: parsed.data.price_vnd, byKind };
}

/** A template's data from the message's values, each cut to its parameter's limit at a word, with "…". */
export function fillZnsTemplate(template: ZnsTemplate, values: Partial<Record<string, string | number>>): Record<string, string> {
  const data: Record<string, string> = {};
  for (const p of template.params) {
    const value = String(values[p.from] ?? "").normalize("NFC").replace(/\s+/g, " ").trim();
    data[p.name] = cut(value, p.max);
  }
  return data;
}

function cut(value: string, max: number): string {
  const chars = [...value];
  if (chars.length <= max) return value;
  const head = chars.slice(0, max - 1).join("");
  const atWord = head.replace(/\s+\S*$/, "");
  return `${atWord.length >= max / 2 ? atWord : head}…`;
}
