// Scores detectPersons on the factRuEval-2016 devset.
// Overlap matching: a gold span is found if some predicted span overlaps it; a predicted span
// is correct if it overlaps some gold span. Exact matching requires identical boundaries.
// Usage: npx tsx bench/dlp/person-eval.ts [--fn N] [--fp N] [dir]
import { detectPersons } from '../../core/dlp/person/index.js';
import { loadFactRuEvalPersons } from './factrueval.js';

interface Span {
  start: number;
  end: number;
}

const args = process.argv.slice(2);
const flag = (name: string): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : 0;
};
const dir = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'))
  ?? new URL('../../../shared/datasets/factRuEval-2016/devset', import.meta.url).pathname;

const overlaps = (a: Span, b: Span): boolean => a.start < b.end && b.start < a.end;
const f1 = (p: number, r: number): number => (p + r === 0 ? 0 : (2 * p * r) / (p + r));
const show = (text: string, s: Span): string =>
  `${text.slice(Math.max(0, s.start - 40), s.start)}[[${text.slice(s.start, s.end)}]]${text.slice(s.end, s.end + 25)}`.replace(/\s+/g, ' ');

const docs = loadFactRuEvalPersons(dir);
let gold = 0, found = 0, pred = 0, correct = 0, exact = 0;
const fns: string[] = [];
const fps: string[] = [];
for (const doc of docs) {
  const predicted = detectPersons(doc.text);
  gold += doc.persons.length;
  pred += predicted.length;
  for (const g of doc.persons) {
    if (predicted.some((p) => overlaps(p, g))) found++;
    else fns.push(`${doc.id}: ${show(doc.text, g)}`);
  }
  for (const p of predicted) {
    if (doc.persons.some((g) => overlaps(p, g))) correct++;
    else fps.push(`${doc.id}: ${show(doc.text, p)}`);
    if (doc.persons.some((g) => g.start === p.start && g.end === p.end)) exact++;
  }
}
const p = correct / pred, r = found / gold;
const ep = exact / pred, er = exact / gold;
console.log(`docs ${docs.length}, gold ${gold}, predicted ${pred}`);
console.log(`overlap: P ${p.toFixed(3)} R ${r.toFixed(3)} F1 ${f1(p, r).toFixed(3)}`);
console.log(`exact:   P ${ep.toFixed(3)} R ${er.toFixed(3)} F1 ${f1(ep, er).toFixed(3)}`);
// Throughput on the whole devset ten times over, in MB of UTF-8 per second: after two warm-up
// runs, the mean and the best of five (the best is the least disturbed by other processes).
const corpus = docs.map((d) => d.text).join('\n\n').repeat(10);
const mb = Buffer.byteLength(corpus) / 1e6;
const times: number[] = [];
for (let i = 0; i < 7; i++) {
  const t0 = performance.now();
  detectPersons(corpus);
  if (i >= 2) times.push((performance.now() - t0) / 1000);
}
const mean = times.reduce((a, b) => a + b, 0) / times.length;
console.log(`speed: ${(mb / mean).toFixed(1)} MB/s mean, ${(mb / Math.min(...times)).toFixed(1)} MB/s best, on ${mb.toFixed(1)} MB`);
const nFn = flag('--fn'), nFp = flag('--fp');
if (nFn) console.log(`\nFALSE NEGATIVES (${fns.length}):\n${fns.slice(0, nFn).join('\n')}`);
if (nFp) console.log(`\nFALSE POSITIVES (${fps.length}):\n${fps.slice(0, nFp).join('\n')}`);
