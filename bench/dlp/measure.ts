/** Throughput, adversarial timings and the factRuEval PERSON score for eval-dlp. */
import { scan } from '../../core/dlp/index.js';
import type { DetectedEntity, PiiType } from '../../core/dlp/types.js';
import type { Doc } from './corpus.js';
import { loadFactRuEvalPersons } from './factrueval.js';
import { overlaps, prf } from './score.js';

export const CHECKSUM_TYPES = new Set<string>(['INN', 'SNILS', 'OGRN', 'OGRNIP', 'CARD', 'BANK_ACCOUNT', 'BIK']);

const FACTRUEVAL_DIR = new URL('../../../shared/datasets/factRuEval-2016/devset', import.meta.url).pathname;

/**
 * Person mentions of factRuEval, matched against the PERSON entities of scan(). Overlap: a gold
 * mention is found when a predicted span overlaps it, a prediction is right when it overlaps a gold
 * mention. Exact: identical boundaries.
 */
export function personScores(predict: (text: string) => DetectedEntity[]) {
  const docs = loadFactRuEvalPersons(FACTRUEVAL_DIR);
  let gold = 0, pred = 0, found = 0, right = 0, exact = 0;
  for (const doc of docs) {
    const persons = predict(doc.text).filter((e) => e.type === 'PERSON');
    gold += doc.persons.length;
    pred += persons.length;
    found += doc.persons.filter((g) => persons.some((p) => overlaps(p, g))).length;
    right += persons.filter((p) => doc.persons.some((g) => overlaps(p, g))).length;
    exact += persons.filter((p) => doc.persons.some((g) => g.start === p.start && g.end === p.end)).length;
  }
  return {
    docs: docs.length,
    gold,
    overlap: prf({ gold, pred, tp: found, fpred: pred - right, exact }),
    exact: prf({ gold, pred, tp: exact, fpred: pred - exact, exact }),
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
  const base = [...docs.map((d) => d.text), ...loadFactRuEvalPersons(FACTRUEVAL_DIR).map((d) => d.text)];
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

const MB = 1_000_000;

export const ADVERSARIAL: ReadonlyArray<readonly [string, () => string]> = [
  ['digits', () => '7'.repeat(MB)],
  ['one long word', () => 'а'.repeat(MB)],
  ['separators', () => ' -()'.repeat(MB / 4)],
  ['digit groups "1 "', () => '1 '.repeat(MB / 2)],
  ['"+7 " repeated', () => '+7 '.repeat(MB / 3)],
  ['"a@" repeated', () => 'a@'.repeat(MB / 2)],
  ['"ул." repeated', () => 'ул.'.repeat(MB / 3)],
  ['"1.1." repeated', () => '1.1.'.repeat(MB / 4)],
  ['"ИНН " repeated', () => 'ИНН '.repeat(MB / 4)],
  ['"А111АА" repeated', () => 'А111АА'.repeat(MB / 6)],
];

export function adversarialTimings(): Array<[string, number]> {
  return ADVERSARIAL.map(([name, make]) => {
    const text = make();
    const t0 = performance.now();
    scan(text, { timeBudgetMs: 60_000 });
    return [name, performance.now() - t0];
  });
}

export type { PiiType };
