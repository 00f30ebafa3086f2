/**
 * Scoring. Synthetic corpus: a gold value is found when a predicted entity of the same type
 * overlaps it; a prediction is a false positive when it overlaps no gold value of its type.
 * "exact" counts identical boundaries. A leak is a digit of a found gold value left outside
 * every predicted span. F2 weighs recall twice as much as precision (a miss leaks data).
 */
import type { DetectedEntity, PiiType } from '../../core/dlp/types.js';
import type { Doc, Span } from './corpus.js';

export const overlaps = (a: Span, b: Span): boolean => a.start < b.end && b.start < a.end;

export interface Counts {
  gold: number;
  pred: number;
  tp: number;
  fpred: number;
  exact: number;
}

export const emptyCounts = (): Counts => ({ gold: 0, pred: 0, tp: 0, fpred: 0, exact: 0 });

export function prf(c: Counts): { p: number; r: number; f1: number; f2: number } {
  const p = c.pred === 0 ? 1 : (c.pred - c.fpred) / c.pred;
  const r = c.gold === 0 ? 1 : c.tp / c.gold;
  const fb = (beta: number): number => (p + r === 0 ? 0 : ((1 + beta * beta) * p * r) / (beta * beta * p + r));
  return { p, r, f1: fb(1), f2: fb(2) };
}

export interface SyntheticScore {
  byType: Map<PiiType, Counts>;
  leaks: number;
  legalTotal: number;
  legalMasked: number;
  invalidTotal: number;
  invalidReported: number;
  decoyTotal: number;
  decoyFlagged: number;
  misses: string[];
  falsePositives: string[];
}

export function scoreSynthetic(docs: Doc[], predict: (text: string) => DetectedEntity[]): SyntheticScore {
  const s: SyntheticScore = { byType: new Map(), leaks: 0, legalTotal: 0, legalMasked: 0, invalidTotal: 0, invalidReported: 0, decoyTotal: 0, decoyFlagged: 0, misses: [], falsePositives: [] };
  const counts = (t: PiiType): Counts => {
    let c = s.byType.get(t);
    if (c === undefined) s.byType.set(t, (c = emptyCounts()));
    return c;
  };
  for (const doc of docs) {
    const pred = predict(doc.text);
    for (const g of doc.gold) {
      const c = counts(g.type);
      c.gold++;
      const hit = pred.filter((p) => p.type === g.type && overlaps(p, g));
      if (hit.length === 0) {
        s.misses.push(`${g.type}: ${doc.text.slice(Math.max(0, g.start - 30), g.start)}[[${doc.text.slice(g.start, g.end)}]]`);
        continue;
      }
      c.tp++;
      if (hit.some((p) => p.start === g.start && p.end === g.end)) c.exact++;
      for (let i = g.start; i < g.end; i++) {
        const ch = doc.text.charCodeAt(i);
        if (ch >= 48 && ch <= 57 && !pred.some((p) => p.start <= i && i < p.end)) s.leaks++;
      }
    }
    for (const p of pred) {
      const c = counts(p.type);
      c.pred++;
      if (!doc.gold.some((g) => g.type === p.type && overlaps(p, g))) {
        c.fpred++;
        s.falsePositives.push(`${p.type}: ${doc.text.slice(Math.max(0, p.start - 30), p.start)}[[${doc.text.slice(p.start, p.end)}]]`);
      }
    }
    s.legalTotal += doc.legal.length;
    s.legalMasked += doc.legal.filter((l) => pred.some((p) => overlaps(p, l))).length;
    s.decoyTotal += doc.decoys.length;
    s.decoyFlagged += doc.decoys.filter((d) => pred.some((p) => overlaps(p, d))).length;
    s.invalidTotal += doc.invalid.length;
    s.invalidReported += doc.invalid.filter((x) => pred.some((p) => p.type === x.type && overlaps(p, x))).length;
  }
  return s;
}

/** For maskers that return only text (redact-pii): a value counts as masked when it no longer appears verbatim. */
export function scoreByRemoval(docs: Doc[], redact: (text: string) => string): { byType: Map<PiiType, Counts>; legalMasked: number; legalTotal: number } {
  const byType = new Map<PiiType, Counts>();
  let legalMasked = 0;
  let legalTotal = 0;
  for (const doc of docs) {
    const out = redact(doc.text);
    for (const g of doc.gold) {
      const c = byType.get(g.type) ?? emptyCounts();
      byType.set(g.type, c);
      c.gold++;
      if (!out.includes(doc.text.slice(g.start, g.end))) c.tp++;
    }
    legalTotal += doc.legal.length;
    legalMasked += doc.legal.filter((l) => !out.includes(doc.text.slice(l.start, l.end))).length;
  }
  return { byType, legalMasked, legalTotal };
}
