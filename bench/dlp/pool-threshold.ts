/**
 * Where masking on the CPU pool starts to pay: npx tsx bench/dlp/pool-threshold.ts. For texts
 * of growing size, the event loop's busy time per text planned inline (planChatMask) against
 * per text handed to a pool thread (posting it, taking the plan back; from
 * eventLoopUtilization), and the latency of each. Medians of several rounds, so a busy machine
 * disturbs it little. core/chat/masking.ts INLINE_CHARS comes from here.
 */
import { performance } from 'node:perf_hooks';
import { planChatMask } from '../../core/chat/mask-plan.js';
import { closeCpuPool, runCpuTask } from '../../core/cpu-pool.js';
import { generateCorpus } from './corpus.js';

const source = generateCorpus(20160101, 50).map((d) => d.text).join('\n\n');
const SIZES = [100, 300, 1000, 2000, 5000, 20_000];
const ROUNDS = 7;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

await runCpuTask('planChatMasks', [source.slice(0, 1000)]); // threads up, dictionaries loaded
console.log('chars  inline busy ms  pool busy ms  pool latency ms');
for (const size of SIZES) {
  const texts = Array.from({ length: 20 }, (_, i) => source.slice(i * 997, i * 997 + size));
  const inline: number[] = [];
  const busy: number[] = [];
  const latency: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let t0 = performance.now();
    for (const t of texts) planChatMask(t);
    inline.push((performance.now() - t0) / texts.length);
    const elu0 = performance.eventLoopUtilization();
    t0 = performance.now();
    for (const t of texts) await runCpuTask('planChatMasks', [t]);
    latency.push((performance.now() - t0) / texts.length);
    busy.push(performance.eventLoopUtilization(elu0).active / texts.length);
  }
  console.log(`${String(size).padStart(6)}  ${median(inline).toFixed(3).padStart(14)}  ${median(busy).toFixed(3).padStart(12)}  ${median(latency).toFixed(3).padStart(15)}`);
}
await closeCpuPool();
