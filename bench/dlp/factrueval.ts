// The factRuEval-2016 devset (MIT, bench/dlp/data/factRuEval-2016.LICENSE): texts and their
// Person mentions, packed into bench/dlp/data/factrueval-devset.json.gz by
// bench/dlp/pack-factrueval.ts, so the evaluation and its CI subset need nothing outside the
// repository.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export const PACKED_DEVSET = new URL('./data/factrueval-devset.json.gz', import.meta.url).pathname;

/**
 * The devset split in two, once and for all, by document id: sha256 of the id (e.g. "book_100"),
 * first byte even → "tune", odd → "heldout". Rules are chosen by their scores on the tune half
 * only; the held-out half is reported as aggregate scores, and its errors and texts are never
 * printed (person-eval refuses to). Nothing from either half goes into code, lists or rules.
 */
export type Half = 'tune' | 'heldout';

export function halfOf(id: string): Half {
  return (createHash('sha256').update(id).digest()[0] as number) % 2 === 0 ? 'tune' : 'heldout';
}

export interface FactRuEvalDoc {
  id: string;
  text: string;
  persons: Array<{ start: number; end: number }>;
}

/** Documents of one half of the devset (both when `half` is omitted), in id order. */
export function loadFactRuEvalPersons(half?: Half): FactRuEvalDoc[] {
  const docs = JSON.parse(gunzipSync(readFileSync(PACKED_DEVSET)).toString('utf8')) as FactRuEvalDoc[];
  return docs.filter((d) => half === undefined || halfOf(d.id) === half);
}
