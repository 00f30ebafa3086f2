// Scores detectPersons on one half of the factRuEval-2016 devset (see factrueval.ts for the split).
// Overlap matching: a gold span is found if some predicted span overlaps it; a predicted span
// is correct if it overlaps some gold span. Exact matching requires identical boundaries.
// Usage: npx tsx bench/dlp/person-eval.ts [--half tune|heldout] [--fn N] [--fp N]
// --fn/--fp print errors of the tune half only: nobody reads the held-out half's errors.
import { detectPersons } from '../../core/dlp/person/index.js';
import type { Half } from './factrueval.js';
import { factRuEval, personScores } from './measure.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const half = (option('--half') ?? 'tune') as Half;
if (half !== 'tune' && half !== 'heldout') throw new Error('--half is tune or heldout');
const nFn = Number(option('--fn') ?? 0), nFp = Number(option('--fp') ?? 0);
if (half === 'heldout' && (nFn > 0 || nFp > 0)) {
  console.error('refused: the errors of the held-out half are not printed; use --half tune');
  process.exit(2);
}

const docs = factRuEval(half);
const s = personScores(detectPersons, half);
console.log(`${half} half: docs ${s.docs}, gold ${s.gold}, predicted ${s.pred}`);
console.log(`overlap: P ${s.overlap.p.toFixed(3)} R ${s.overlap.r.toFixed(3)} F1 ${s.overlap.f1.toFixed(3)}`);
console.log(`exact:   P ${s.exact.p.toFixed(3)} R ${s.exact.r.toFixed(3)} F1 ${s.exact.f1.toFixed(3)}`);
// Throughput on the half ten times over, in MB of UTF-8 per second: after two warm-up runs, the
// mean and the best of five (the best is the least disturbed by other processes).
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
if (nFn) console.log(`\nFALSE NEGATIVES (${s.misses.length}):\n${s.misses.slice(0, nFn).join('\n')}`);
if (nFp) console.log(`\nFALSE POSITIVES (${s.falsePositives.length}):\n${s.falsePositives.slice(0, nFp).join('\n')}`);
