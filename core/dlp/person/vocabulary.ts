/**
 * Ordinary Russian words, from the OpenCorpora dictionary (CC-BY-SA 3.0) shipped with `az`, built
 * by bench/dlp/build-first-names.ts into dict/vocabulary.gz: every form of a lemma not tagged as a
 * first name, surname or patronymic, stored as its stem and the set of endings of its paradigm.
 * A capitalized word that is none of them (Квиндлан, Хитли) is likely a name when context says so.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export enum Word {
  /** In no paradigm of the dictionary: a rare name, a foreign word, a typo. */
  Unknown = 0,
  /** A form of a common noun, adjective, verb, pronoun... (Источник, Затем, Роза). */
  Ordinary = 1,
  /** Only a form of a place, organisation or trade mark (Каролине, Хакасии). */
  Place = 2,
}

const lines = gunzipSync(readFileSync(new URL('./dict/vocabulary.gz', import.meta.url))).toString('utf8').split('\n');
/** Ending sets: the place bit, then the endings. */
const sets: Array<{ place: boolean; endings: Set<string> }> = [];
let n = 0;
for (; n < lines.length && lines[n] !== ''; n++) {
  const line = lines[n] as string;
  sets.push({ place: line.startsWith('p'), endings: new Set(line.slice(1).split(',')) });
}
/**
 * Stem → the numbers of its ending sets in base 36, comma-separated; replaced on first lookup by its
 * endings and what each makes of the word (few stems are ever looked up).
 */
const STEMS = new Map<string, string | Map<string, Word>>();
let longestEnding = 0;
for (const { endings } of sets) for (const e of endings) longestEnding = Math.max(longestEnding, e.length);
let previous = '';
for (n++; n < lines.length; n++) {
  const line = lines[n] as string;
  const space = line.lastIndexOf(' ');
  const stem = previous.slice(0, line.charCodeAt(0) - 48) + line.slice(1, space);
  STEMS.set(stem, line.slice(space + 1));
  previous = stem;
}

function endingsOf(stem: string, ids: string): Map<string, Word> {
  const endings = new Map<string, Word>();
  for (const id of ids.split(',')) {
    const { place, endings: set } = sets[parseInt(id, 36)] as { place: boolean; endings: Set<string> };
    for (const e of set) if (!place || !endings.has(e)) endings.set(e, place ? Word.Place : Word.Ordinary);
  }
  STEMS.set(stem, endings);
  return endings;
}

/** What the dictionary says of a lower-case word: each split into a known stem and one of its endings. */
export function wordKind(lower: string): Word {
  const w = lower.replaceAll('ё', 'е');
  let kind = Word.Unknown;
  // Longest stems first: an ordinary word most often ends in a short ending.
  for (let k = 0, last = Math.min(w.length, longestEnding); k <= last; k++) {
    const stem = w.slice(0, w.length - k);
    const entry = STEMS.get(stem);
    if (entry === undefined) continue;
    const found = (typeof entry === 'string' ? endingsOf(stem, entry) : entry).get(w.slice(w.length - k));
    if (found === Word.Ordinary) return found;
    if (found === Word.Place) kind = found;
  }
  return kind;
}
