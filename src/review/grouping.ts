import { createHash } from "node:crypto";

/**
 * Groups near-duplicate questions for the review screen. A question's signature is the sorted set of its
 * meaningful words after the NLU's normalisation (tone marks folded, shorthand expanded, politeness removed)
 * and without common function words; signatures that share at least half their words (Jaccard ≥ 0.5) with a
 * group's seed join that group. Deterministic: the most asked signature seeds first, ties in text order.
 */

/**
 * Folded function words of Vietnamese and English that say nothing about the topic. Folding merges words
 * (bán/bạn, đồ/đó, ăn and English an, do, con, thi/thì, đề/để, mã/mà, chữ/chứ, từ/tự, thư/thử), so any that may carry a topic once folded stay out of the list.
 */
const STOPWORDS = new Set(
  (
    "a ad admin ah ai anh bao cac chi cho co cua da dang di duoc em gi giup hay hoi khi khong kia la lai lam " +
    "minh mot nao nay ne nhe nha nhi nhu nhung o oi ra roi sao se the toi va vay ve voi vui long xin " +
    "am and any are at be can could does for from have hi hello how i in is it me my of on or please " +
    "the there to what when where which who why will with would you your " +
    // English question words as the Telex repair of the normaliser leaves them ("what" → "hat")
    "hat hen here hich ho hy ould"
  ).split(" "),
);

/** The words of a normalised question that carry its topic, sorted and without repeats. */
export function signatureWords(normalized: string): string[] {
  const words = normalized.split(" ").filter(Boolean);
  const meaningful = words.filter((w) => !STOPWORDS.has(w));
  return [...new Set(meaningful.length > 0 ? meaningful : words)].sort();
}

export function signatureOf(normalized: string): string {
  return signatureWords(normalized).join(" ");
}

export function jaccard(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 && b.length === 0) return 1;
  const set = new Set(a);
  let shared = 0;
  for (const w of b) if (set.has(w)) shared++;
  return shared / (a.length + b.length - shared);
}

/** A group's stable id: a short hash of its seed signature. */
export function groupKey(seed: string): string {
  return createHash("sha256").update(seed, "utf8").digest("hex").slice(0, 16);
}

export const SIMILAR = 0.5;

export interface Clustered<T> {
  key: string;
  seed: string;
  signatures: string[];
  items: T[];
}

/** Clusters items by their signature: each joins the most similar earlier seed, or seeds a group. */
export function cluster<T>(items: T[], signature: (item: T) => string): Clustered<T>[] {
  const bySignature = new Map<string, T[]>();
  for (const item of items) {
    const s = signature(item);
    if (s === "") continue;
    const list = bySignature.get(s) ?? [];
    list.push(item);
    bySignature.set(s, list);
  }
  const ordered = [...bySignature.entries()].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const groups: (Clustered<T> & { words: string[] })[] = [];
  for (const [s, list] of ordered) {
    const words = s.split(" ");
    let best: (typeof groups)[number] | undefined;
    let bestScore = SIMILAR;
    for (const g of groups) {
      const score = jaccard(g.words, words);
      if (score >= bestScore && (best === undefined || score > bestScore)) {
        best = g;
        bestScore = score;
      }
    }
    if (best) {
      best.signatures.push(s);
      best.items.push(...list);
    } else {
      groups.push({ key: groupKey(s), seed: s, signatures: [s], items: [...list], words });
    }
  }
  return groups.map(({ key, seed, signatures, items: grouped }) => ({ key, seed, signatures, items: grouped }));
}
