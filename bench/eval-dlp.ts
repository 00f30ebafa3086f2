/**
 * npm run eval:dlp — scores the DLP engine (core/dlp scan) and redact-pii on the same inputs:
 * a seeded synthetic corpus of Russian legal texts, random digit strings without context, the
 * Person spans of the factRuEval-2016 devset (tune and held-out halves, see dlp/factrueval.ts),
 * throughput on mixed legal text and adversarial inputs. Exits with 1 when a quality bar fails.
 * Flags: --seed N, --per-kind N, --show N (print N misses and false positives).
 */
import { SyncRedactor } from 'redact-pii';
import { mask, scan } from '../core/dlp/index.js';
import { CHECKSUM_TYPES, PERSON_BARS, adversarialTimings, personScores, throughput } from './dlp/measure.js';
import { generateCorpus, randomDigitDocs } from './dlp/corpus.js';
import { emptyCounts, overlaps, prf, scoreByRemoval, scoreSynthetic, type Counts } from './dlp/score.js';

const args = process.argv.slice(2);
const flag = (name: string, def: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const seed = flag('--seed', 20160101);
const perKind = flag('--per-kind', 500);
const show = flag('--show', 0);

const entities = (text: string) => scan(text).entities;
const redactor = new SyncRedactor();
const fmt = (x: number): string => x.toFixed(3);
const pct = (a: number, b: number): string => `${((100 * a) / Math.max(1, b)).toFixed(2)}% (${a}/${b})`;
const bars: Array<[string, boolean]> = [];

// 1. Synthetic corpus.
const docs = generateCorpus(seed, perKind);
const syn = scoreSynthetic(docs, entities);
const rp = scoreByRemoval(docs, (t) => redactor.redact(t));
const ours = scoreByRemoval(docs, (t) => mask(t).masked);
console.log(`\n== Synthetic corpus: ${docs.length} documents (seed ${seed}), overlap matching, same type ==`);
console.log('type           gold   pred     P      R      F2   exact | removed: ours  redact-pii');
const checksum = emptyCounts();
for (const [type, c] of [...syn.byType].sort((a, b) => a[0].localeCompare(b[0]))) {
  const { p, r, f2 } = prf(c);
  const removed = (m: Map<string, Counts>): string => { const x = m.get(type); return x ? fmt(x.tp / Math.max(1, x.gold)) : '  -  '; };
  console.log(`${type.padEnd(14)}${String(c.gold).padStart(5)}${String(c.pred).padStart(7)}  ${fmt(p)}  ${fmt(r)}  ${fmt(f2)}  ${String(c.exact).padStart(5)} |        ${removed(ours.byType)}  ${removed(rp.byType)}`);
  if (CHECKSUM_TYPES.has(type)) for (const k of Object.keys(checksum) as Array<keyof Counts>) checksum[k] += c[k];
}
const cs = prf(checksum);
console.log(`${'checksum ids'.padEnd(14)}${String(checksum.gold).padStart(5)}${String(checksum.pred).padStart(7)}  ${fmt(cs.p)}  ${fmt(cs.r)}  ${fmt(cs.f2)}  ${String(checksum.exact).padStart(5)}`);
const phone = prf(syn.byType.get('PHONE') ?? emptyCounts());
const email = prf(syn.byType.get('EMAIL') ?? emptyCounts());
console.log(`digits of found values left visible: ${syn.leaks}`);
console.log(`checksum-failing strings reported as that type: ${syn.invalidReported}/${syn.invalidTotal}`);
console.log(`checksum-valid decoys (order, invoice numbers) flagged: ${pct(syn.decoyFlagged, syn.decoyTotal)}`);
console.log(`legal references over-masked: ours ${pct(syn.legalMasked, syn.legalTotal)}; redact-pii ${pct(rp.legalMasked, rp.legalTotal)}`);
bars.push(['checksum ids P >= 0.99 and R >= 0.99', cs.p >= 0.99 && cs.r >= 0.99]);
bars.push(['no checksum-failing string reported', syn.invalidReported === 0]);
bars.push(['phone recall >= 0.98', phone.r >= 0.98]);
bars.push(['e-mail recall >= 0.99', email.r >= 0.99]);
bars.push(['legal references over-masked <= 1%', syn.legalMasked <= 0.01 * syn.legalTotal]);
bars.push(['no digit of a found value left visible', syn.leaks === 0]);
if (show > 0) {
  console.log('-- misses:\n' + syn.misses.slice(0, show).join('\n'));
  console.log('-- false positives:\n' + syn.falsePositives.slice(0, show).join('\n'));
}

// 2. Random digit strings without context.
console.log('\n== Random digit strings without context (share flagged as anything) ==');
const randoms = randomDigitDocs(seed + 1, [10, 13, 15, 16], 5000);
let flagged = 0;
let flaggedRp = 0;
for (const length of [10, 13, 15, 16]) {
  const set = randoms.filter((x) => x.length === length);
  const n = set.filter((x) => entities(x.text).some((e) => overlaps(e, x.span))).length;
  const m = set.filter((x) => !redactor.redact(x.text).includes(x.text.slice(x.span.start, x.span.end))).length;
  flagged += n;
  flaggedRp += m;
  console.log(`${length} digits: ours ${pct(n, set.length)}; redact-pii ${pct(m, set.length)}`);
}
console.log(`all: ours ${pct(flagged, randoms.length)}; redact-pii ${pct(flaggedRp, randoms.length)}`);
bars.push(['random digit strings flagged <= 0.1%', flagged <= 0.001 * randoms.length]);

// 3. PERSON on factRuEval-2016, both halves (see bench/dlp/factrueval.ts); the bars hold on the
// held-out half, which nobody tunes on.
for (const half of ['tune', 'heldout'] as const) {
  const person = personScores(entities, half);
  console.log(`\n== PERSON on factRuEval-2016 devset, ${half} half (${person.docs} documents, ${person.gold} gold mentions) through scan() ==`);
  console.log(`overlap match: P ${fmt(person.overlap.p)}  R ${fmt(person.overlap.r)}  F1 ${fmt(person.overlap.f1)}`);
  console.log(`exact match:   P ${fmt(person.exact.p)}  R ${fmt(person.exact.r)}  F1 ${fmt(person.exact.f1)}`);
  if (half === 'heldout') {
    bars.push([`PERSON recall >= ${PERSON_BARS.recall} (overlap, held-out half)`, person.overlap.r >= PERSON_BARS.recall]);
    bars.push([`PERSON F1 >= ${PERSON_BARS.f1} (overlap, held-out half)`, person.overlap.f1 >= PERSON_BARS.f1]);
  }
}

// 4. Throughput.
const tp = throughput(docs, entities, (t) => redactor.redact(t));
console.log(`\n== Throughput on mixed legal text (synthetic + factRuEval texts, ${tp.mb.toFixed(1)} MB UTF-8, one core, best of 3) ==`);
console.log(`ours:       ${tp.ours.cpu.toFixed(1)} MB/s per CPU second, ${tp.ours.wall.toFixed(1)} MB/s wall clock`);
console.log(`redact-pii: ${tp.theirs.cpu.toFixed(1)} MB/s per CPU second, ${tp.theirs.wall.toFixed(1)} MB/s wall clock`);
console.log(`ours / redact-pii: ${(tp.ours.cpu / tp.theirs.cpu).toFixed(2)} (CPU), ${(tp.ours.wall / tp.theirs.wall).toFixed(2)} (wall)`);
bars.push(['throughput >= 10 MB/s per CPU second', tp.ours.cpu >= 10]);

// 5. Adversarial inputs.
console.log('\n== Adversarial inputs (1 MB each, scan time) ==');
const adv = adversarialTimings();
for (const [name, ms] of adv) console.log(`${name.padEnd(28)} ${ms.toFixed(0)} ms`);
bars.push(['adversarial 1 MB inputs < 1 s each', adv.every(([, ms]) => ms < 1000)]);

console.log('\n== Quality bars ==');
for (const [name, ok] of bars) console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}`);
if (bars.some(([, ok]) => !ok)) process.exitCode = 1;
