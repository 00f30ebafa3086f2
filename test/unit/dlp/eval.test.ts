/**
 * The fast subset of `npm run eval:dlp` that CI runs: PERSON on the held-out half of factRuEval
 * (scores only, never its errors) and the key bars of the synthetic corpus on a small seeded sample.
 */
import { describe, expect, it } from 'vitest';
import { scan } from '../../../core/dlp/index.js';
import { CHECKSUM_TYPES, PERSON_FLOOR, personScores } from '../../../bench/dlp/measure.js';
import { generateCorpus, randomDigitDocs } from '../../../bench/dlp/corpus.js';
import { emptyCounts, overlaps, prf, scoreSynthetic, type Counts } from '../../../bench/dlp/score.js';

const entities = (text: string) => scan(text).entities;

describe('eval:dlp, fast subset', () => {
  it('PERSON on the held-out half of factRuEval does not regress', () => {
    const s = personScores(entities, 'heldout');
    expect(s.gold).toBeGreaterThan(300);
    expect(s.overlap.r).toBeGreaterThanOrEqual(PERSON_FLOOR.recall);
    expect(s.overlap.f1).toBeGreaterThanOrEqual(PERSON_FLOOR.f1);
  });

  it('keeps the synthetic bars: checksum ids, phones, no over-masking', () => {
    const syn = scoreSynthetic(generateCorpus(7, 40), entities);
    const checksum: Counts = emptyCounts();
    for (const [type, c] of syn.byType) {
      if (CHECKSUM_TYPES.has(type)) for (const k of Object.keys(checksum) as Array<keyof Counts>) checksum[k] += c[k];
    }
    const cs = prf(checksum);
    expect([cs.p, cs.r]).toEqual([1, 1]);
    expect(prf(syn.byType.get('PHONE') ?? emptyCounts()).r).toBe(1);
    expect(prf(syn.byType.get('PERSON') ?? emptyCounts()).p).toBe(1);
    expect(syn.legalMasked).toBe(0);
    expect(syn.leaks).toBe(0);
  });

  it('flags no random digit string', () => {
    const docs = randomDigitDocs(8, [10, 13, 15, 16], 500);
    expect(docs.filter((d) => entities(d.text).some((e) => overlaps(e, d.span)))).toEqual([]);
  });
});
