/** Throughput, adversarial timings and the factRuEval PERSON score for eval-dlp. */
import { scan } from '../../core/dlp/index.js';
import type { DetectedEntity } from '../../core/dlp/types.js';
import { ADVERSARIAL } from './adversarial.js';
import type { Doc, Span } from './corpus.js';
import { loadFactRuEvalPersons, type FactRuEvalDoc, type Half } from './factrueval.js';
import { overlaps, prf } from './score.js';

/** PERSON bars on the held-out half of factRuEval (overlap matching); eval-dlp and the CI test use them. */
export const PERSON_BARS = { recall: 0.93, f1: 0.93 };
/**
 * The held-out figures last measured (R 0.952, F1 0.939 with names in Latin letters, latin.ts: two
 * more spans where the gold has no person, recall the same; on the tune half every Latin name the
 * gold marks stands in brackets after its Russian spelling, which transliteration.ts already found;
 * R 0.952, F1 0.942 after the third round, the dictionary of ordinary words; R 0.919, F1 0.948
 * after the second round; 0.916 and 0.946 with the
 * OpenCorpora names and surnames and the transliteration, particle and bracket rules; 0.874 and 0.923
 * when the split was made), rounded down to the half hundredth:
 * the CI test fails below them. Raise them as the detector improves, by general rules chosen on the tune half.
 */
export const PERSON_FLOOR = { recall: 0.95, f1: 0.935 };

export const CHECKSUM_TYPES = new Set<string>(['INN', 'SNILS', 'OGRN', 'OGRNIP', 'CARD', 'BANK_ACCOUNT', 'BIK']);

const halves = new Map<Half, FactRuEvalDoc[]>();
/** One half of the factRuEval devset, read once per process (scored and timed both). */
export function factRuEval(half: Half): FactRuEvalDoc[] {
  let docs = halves.get(half);
  if (docs === undefined) halves.set(half, (docs = loadFactRuEvalPersons(half)));
  return docs;
}

const show = (text: string, s: Span): string =>
  `${text.slice(Math.max(0, s.start - 40), s.start)}[[${text.slice(s.start, s.end)}]]${text.slice(s.end, s.end + 25)}`.replace(/\s+/g, ' ');

/**
 * Person mentions of one half of factRuEval, matched against the PERSON entities predicted.
 * Overlap: a gold mention is found when a predicted span overlaps it, a prediction is right when it
 * overlaps a gold mention. Exact: identical boundaries. `misses` and `falsePositives` show each in
 * its context, for the tune half only: the held-out half's errors are never collected.
 */
export function personScores(predict: (text: string) => DetectedEntity[], half: Half) {
  const docs = factRuEval(half);
  const keep = half === 'tune';
  let gold = 0, pred = 0, found = 0, right = 0, exact = 0;
  const misses: string[] = [];
  const falsePositives: string[] = [];
  for (const doc of docs) {
    const persons = predict(doc.text).filter((e) => e.type === 'PERSON');
    gold += doc.persons.length;
    pred += persons.length;
    for (const g of doc.persons) {
      if (persons.some((p) => overlaps(p, g))) found++;
      else if (keep) misses.push(`${doc.id}: ${show(doc.text, g)}`);
    }
    for (const p of persons) {
      if (doc.persons.some((g) => overlaps(p, g))) right++;
      else if (keep) falsePositives.push(`${doc.id}: ${show(doc.text, p)}`);
      if (doc.persons.some((g) => g.start === p.start && g.end === p.end)) exact++;
    }
  }
  return {
    docs: docs.length,
    gold,
    pred,
    overlap: prf({ gold, pred, tp: found, fpred: pred - right, exact }),
    exact: prf({ gold, pred, tp: exact, fpred: pred - exact, exact }),
    misses,
    falsePositives,
  };
}

interface Speed {
  /** MB per second of wall time, best of the passes. */
  wall: number;
  /** MB per second of this process's CPU time (user + system), best of the passes: robust on a busy machine. */
  cpu: number;
}

function speed(texts: string[], fn: (t: string) => unknown, passes: number): Speed {
  let bytes = 0;
  for (const t of texts) bytes += Buffer.byteLength(t);
  let wall = 0;
  let cpu = 0;
  for (let p = 0; p < passes; p++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (const t of texts) fn(t);
    const secs = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    wall = Math.max(wall, bytes / 1e6 / secs);
    cpu = Math.max(cpu, bytes / 1e6 / ((c.user + c.system) / 1e6));
  }
  return { wall, cpu };
}

/**
 * Synthetic documents mixed with factRuEval news texts, about 8 MB; both maskers get a warm-up
 * pass and then three timed passes over the same texts.
 */
export function throughput(docs: Doc[], ours: (t: string) => unknown, theirs: (t: string) => unknown) {
  const base = [...docs.map((d) => d.text), ...factRuEval('tune').map((d) => d.text), ...factRuEval('heldout').map((d) => d.text)];
  const texts: string[] = [];
  let mb = 0;
  while (mb < 8) {
    for (const t of base) {
      texts.push(t);
      mb += Buffer.byteLength(t) / 1e6;
    }
  }
  speed(texts, ours, 1);
  speed(texts, theirs, 1);
  return { mb, ours: speed(texts, ours, 3), theirs: speed(texts, theirs, 3) };
}

export function adversarialTimings(): Array<[string, number]> {
  return ADVERSARIAL.map(([name, make]) => {
    const text = make();
    const t0 = performance.now();
    scan(text, { timeBudgetMs: 60_000 });
    return [name, performance.now() - t0];
  });
}
