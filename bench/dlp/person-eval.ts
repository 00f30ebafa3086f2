// Scores detectPersons on the factRuEval-2016 devset.
// Overlap matching: a gold span is found if some predicted span overlaps it; a predicted span
// is correct if it overlaps some gold span. Exact matching requires identical boundaries.
// Usage: npx tsx bench/dlp/person-eval.ts [--fn N] [--fp N] [dir]
import { detectPersons } from '../../core/dlp/person/index.js';
import { loadFactRuEvalPersons } from './factrueval.js';
import { personScores } from './measure.js';

const args = process.argv.slice(2);
const flag = (name: string): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : 0;
};
const dir = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));

const docs = loadFactRuEvalPersons(dir);
const s = personScores(detectPersons, docs);
console.log(`docs ${s.docs}, gold ${s.gold}, predicted ${s.pred}`);
console.log(`overlap: P ${s.overlap.p.toFixed(3)} R ${s.overlap.r.toFixed(3)} F1 ${s.overlap.f1.toFixed(3)}`);
console.log(`exact:   P ${s.exact.p.toFixed(3)} R ${s.exact.r.toFixed(3)} F1 ${s.exact.f1.toFixed(3)}`);
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
if (nFn) console.log(`\nFALSE NEGATIVES (${s.misses.length}):\n${s.misses.slice(0, nFn).join('\n')}`);
if (nFp) console.log(`\nFALSE POSITIVES (${s.falsePositives.length}):\n${s.falsePositives.slice(0, nFp).join('\n')}`);
