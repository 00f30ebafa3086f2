/**
 * CPU time of scan() and of each detector alone over the eval-dlp throughput texts (the synthetic
 * corpus and the factRuEval texts): npx tsx bench/dlp/profile.ts. Each detector's time includes the
 * context keywords it has looked up (the memo is dropped between texts, as scan() does). Best of 5
 * passes, in CPU milliseconds, so a busy machine disturbs it little.
 */
import { DETECTORS, scan } from '../../core/dlp/index.js';
import { forgetKeywords, lowerSameLength } from '../../core/dlp/context.js';
import { generateCorpus } from './corpus.js';
import { loadFactRuEvalPersons } from './factrueval.js';

const texts = [...generateCorpus(20160101, 500).map((d) => d.text), ...loadFactRuEvalPersons().map((d) => d.text)];
const lowers = texts.map(lowerSameLength);
let bytes = 0;
for (const t of texts) bytes += Buffer.byteLength(t);

function cpuMs(fn: () => void): number {
  fn();
  let best = Infinity;
  for (let pass = 0; pass < 5; pass++) {
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1000);
  }
  return best;
}

const total = cpuMs(() => { for (const t of texts) scan(t); });
console.log(`scan        ${total.toFixed(1).padStart(7)} ms  (${(bytes / 1e3 / total).toFixed(1)} MB/s on ${(bytes / 1e6).toFixed(1)} MB)`);
console.log(`lowercase   ${cpuMs(() => { for (const t of texts) lowerSameLength(t); }).toFixed(1).padStart(7)} ms`);
for (const d of DETECTORS) {
  const ms = cpuMs(() => {
    for (let i = 0; i < texts.length; i++) {
      forgetKeywords();
      d.detect(texts[i] as string, lowers[i] as string);
    }
  });
  console.log(`${d.name.padEnd(12)}${ms.toFixed(1).padStart(7)} ms`);
}
