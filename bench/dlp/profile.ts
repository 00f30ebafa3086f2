// Per-detector timing over the eval-dlp throughput corpus: npx tsx bench/dlp/profile.ts
import { DETECTORS, scan } from '../../core/dlp/index.js';
import { lowerSameLength } from '../../core/dlp/context.js';
import { generateCorpus } from './corpus.js';
import { loadFactRuEvalPersons } from './factrueval.js';

const dir = new URL('../../../shared/datasets/factRuEval-2016/devset', import.meta.url).pathname;
const base = [...generateCorpus(20160101, 500).map((d) => d.text), ...loadFactRuEvalPersons(dir).map((d) => d.text)];
const texts: string[] = [];
let mb = 0;
while (mb < 8) for (const t of base) { texts.push(t); mb += Buffer.byteLength(t) / 1e6; }
const lowers = texts.map(lowerSameLength);
const time = (fn: () => void): number => { fn(); let best = Infinity; for (let p = 0; p < 3; p++) { const t0 = performance.now(); fn(); best = Math.min(best, performance.now() - t0); } return best; };
const total = time(() => { for (const t of texts) scan(t); });
console.log(`scan: ${total.toFixed(0)} ms, ${(mb / (total / 1000)).toFixed(1)} MB/s on ${mb.toFixed(1)} MB`);
console.log(`lower: ${time(() => { for (const t of texts) lowerSameLength(t); }).toFixed(0)} ms`);
for (const d of DETECTORS) {
  console.log(`${d.name.padEnd(12)} ${time(() => { for (let i = 0; i < texts.length; i++) d.detect(texts[i] as string, lowers[i] as string); }).toFixed(0)} ms`);
}
