/**
 * Regenerates the generated files of core/dlp/person/dict/ (names, surnames, vocabulary) from general
 * sources, never from evaluation data:
 * - the first names of `sex-by-russian-name` (MIT, © 2013 Alexandr Borisov): Russian, Tatar,
 *   Bashkir, Caucasian, Central Asian, Ukrainian, Belarusian and common foreign names in Cyrillic;
 * - the OpenCorpora dictionary shipped with `az` (dictionary CC-BY-SA 3.0), used only to mark the
 *   names that are also common words (Вера, Роман, Роза): a name that is the lemma of a dictionary
 *   word counts only next to another name part; so does a case form that is a dictionary word
 *   (Оня → Они, Люда → Люди), listed in name-forms-also-words.txt.
 * - the first names of `russian_name` (ISC), a broad list that also holds foreign names in
 *   Cyrillic but also some noise, written to weak-first-names.txt: those that are not in the list
 *   above, not dictionary words and not shaped like a surname or patronymic. They count only next
 *   to another name part.
 * - the lemmas tagged Name and Surn in that OpenCorpora dictionary: names not in the lists above
 *   join weak-first-names.txt (Цинтия, Кармелита); surnames that morphology cannot see (not shaped like
 *   -ов/-ин/-ский...) and that are no common word go to surnames.txt (Ашенбреннер, Айзенберг).
 * - every other word form of that dictionary (not tagged Name, Surn or Patr) goes to vocabulary.gz as
 *   stems and ending sets (see core/dlp/person/vocabulary.ts): the ordinary words, and the places,
 *   organisations and trade marks (Geox, Orgn, Trad) with a place bit. A capitalized word in none
 *   of them may be a rare name.
 * Usage: npx tsx bench/dlp/build-first-names.ts
 */
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { hasSurnameShape, isPatronymic, nounForms } from '../../core/dlp/person/lexicon.js';

const require = createRequire(import.meta.url);

interface AzParse { parser: string; normalize: () => { word: string } }
interface AzModule {
  Morph: ((word: string, opts: { typos: number; stutter: number }) => AzParse[]) & { init: (path: string, done: (err?: Error) => void) => void };
}

/** Oblique stems of names with a fleeting vowel (Павел → Павла) or ё → е (Пётр → Петра). */
const OBLIQUE: Record<string, string> = { павел: 'павл', лев: 'льв', пётр: 'петр' };

const OUT = new URL('../../core/dlp/person/dict/first-names.txt', import.meta.url);
const OUT_WEAK = new URL('../../core/dlp/person/dict/weak-first-names.txt', import.meta.url);
const OUT_FORMS = new URL('../../core/dlp/person/dict/name-forms-also-words.txt', import.meta.url);
const OUT_SURNAMES = new URL('../../core/dlp/person/dict/surnames.txt', import.meta.url);
const OUT_VOCABULARY = new URL('../../core/dlp/person/dict/vocabulary.gz', import.meta.url);

interface AzDawg { iterateAll: (index: number) => number[][] }

/** Grammemes of proper names: words tagged so are no ordinary words. */
const PROPER = ['Name', 'Surn', 'Patr', 'Geox', 'Orgn', 'Trad'];
const PLACE = new Set(['Geox', 'Orgn', 'Trad']);

interface OpenCorpora {
  /** Lemmas by grammeme (Name, Surn). */
  lemmas: Map<string, Set<string>>;
  /** The vocabulary file (see vocabulary.ts), gzipped. */
  vocabulary: Buffer;
  stats: string;
}

/**
 * Walks the OpenCorpora dictionary once. az looks words up one at a time, so its word DAWG is walked
 * here: each key is the word in CP1251, the separator 1, then paradigm and form numbers; form 0 is
 * the lemma. Out of it come the lemmas tagged Name and Surn, and the vocabulary of ordinary words:
 * every form not tagged with a proper-name grammeme, as its stem and the set of endings of its
 * paradigm, so that a lemma costs one line. Places, organisations and trade marks (Geox, Orgn, Trad)
 * are kept with a place bit, unless their lemma is also a first name or a surname (Киров, Королёв).
 */
function readOpenCorpora(dicts: string): OpenCorpora {
  const { DAWG } = require('az/src/az.dawg.js') as { DAWG: { fromArrayBuffer: (data: ArrayBuffer, format: string) => AzDawg } };
  const bytes = (file: string): ArrayBuffer => new Uint8Array(readFileSync(join(dicts, file))).buffer;
  const tags = (JSON.parse(readFileSync(join(dicts, 'gramtab-opencorpora-int.json'), 'utf8')) as string[]).map((t) => t.split(/[ ,]/));
  const suffixes = JSON.parse(readFileSync(join(dicts, 'suffixes.json'), 'utf8')) as string[];
  const prefixes = ['', 'по', 'наи'];
  const list = new Uint16Array(bytes('paradigms.array'));
  const paradigms: Uint16Array[] = [];
  for (let i = 0, pos = 1; i < (list[0] as number); i++) {
    const size = list[pos++] as number;
    paradigms.push(list.subarray(pos, pos + size));
    pos += size;
  }
  const decoder = new TextDecoder('windows-1251');
  const lemmas = new Map([['Name', new Set<string>()], ['Surn', new Set<string>()]]);
  const number = (hi: number, lo: number): number => ((hi ^ 1) << 6) + (lo >> 1);
  // Texts often write е for ё: the vocabulary holds both as е.
  const plain = (w: string): string => w.replaceAll('ё', 'е');
  const kindOf = (tag: string[]): 'person' | 'place' | 'ordinary' =>
    PROPER.some((g) => !PLACE.has(g) && tag.includes(g)) ? 'person' : PROPER.some((g) => tag.includes(g)) ? 'place' : 'ordinary';
  // Ending sets by content ('o' ordinary or 'p' place, then the endings), and by paradigm and kind.
  const endingSets = new Map<string, number>();
  const setOf = new Map<number, number>();
  const ordinary = new Map<string, Set<number>>();
  const places: Array<[lemma: string, stem: string, set: number]> = [];
  let forms = 0;
  for (const key of DAWG.fromArrayBuffer(bytes('words.dawg'), 'raw').iterateAll(0)) {
    const sep = key.indexOf(1);
    if (sep < 0) continue;
    const [p0 = 0, p1 = 0, f0 = 0, f1 = 0] = key.slice(sep + 1);
    const paradigmNo = number(p0, p1), form = number(f0, f1);
    const paradigm = paradigms[paradigmNo] as Uint16Array;
    const n = paradigm.length / 3;
    const tag = tags[paradigm[n + form] as number] ?? [];
    const word = decoder.decode(Uint8Array.from(key.slice(0, sep)));
    if (form === 0) for (const [g, set] of lemmas) if (tag.includes(g)) set.add(word);
    const kind = kindOf(tag);
    if (kind === 'person') continue;
    forms++;
    const suffix = suffixes[paradigm[form] as number] as string;
    const setKey = paradigmNo * 2 + (kind === 'place' ? 1 : 0);
    let set = setOf.get(setKey);
    if (set === undefined) {
      const endings = new Set<string>();
      for (let k = 0; k < n; k++) if (kindOf(tags[paradigm[n + k] as number] ?? []) === kind) endings.add(plain(suffixes[paradigm[k] as number] as string));
      const content = `${kind === 'place' ? 'p' : 'o'}${[...endings].sort().join(',')}`;
      set = endingSets.get(content) ?? endingSets.size;
      endingSets.set(content, set);
      setOf.set(setKey, set);
    }
    // The stem keeps a prefix (по-, наи-): such forms are few.
    const stem = plain(word.slice(0, word.length - suffix.length));
    if (kind === 'place') {
      const bare = word.slice((prefixes[paradigm[2 * n + form] as number] as string).length, word.length - suffix.length);
      places.push([prefixes[paradigm[2 * n] as number] + bare + suffixes[paradigm[0] as number], stem, set]);
      continue;
    }
    let ids = ordinary.get(stem);
    if (ids === undefined) ordinary.set(stem, (ids = new Set()));
    ids.add(set);
  }
  const personLemma = (w: string): boolean => [...lemmas.values()].some((s) => s.has(w));
  for (const [lemma, stem, set] of places) {
    if (personLemma(lemma)) continue;
    let ids = ordinary.get(stem);
    if (ids === undefined) ordinary.set(stem, (ids = new Set()));
    ids.add(set);
  }
  // Ending sets, then the stems sorted and front-coded: a character for the length shared with the
  // previous stem (0 + its code), the rest, a space and the numbers of its ending sets in base 36.
  const lines = [...endingSets.keys()];
  lines.push('');
  let previous = '';
  for (const stem of [...ordinary.keys()].sort()) {
    let shared = 0;
    while (shared < previous.length && shared < stem.length && shared < 40 && previous[shared] === stem[shared]) shared++;
    const ids = [...(ordinary.get(stem) as Set<number>)].map((id) => id.toString(36)).join(',');
    lines.push(`${String.fromCharCode(48 + shared)}${stem.slice(shared)} ${ids}`);
    previous = stem;
  }
  const text = lines.join('\n');
  const vocabulary = gzipSync(Buffer.from(text), { level: 9 });
  const stats = `vocabulary: ${forms} forms, ${ordinary.size} stems, ${endingSets.size} ending sets; ${Buffer.byteLength(text)} bytes, ${vocabulary.length} gzipped`;
  return { lemmas, vocabulary, stats };
}

async function main(): Promise<void> {
  const { names } = require('sex-by-russian-name/dist/names.js') as { names: Record<string, Set<string>> };
  const az = require('az') as AzModule;
  const dicts = join(dirname(require.resolve('az/package.json')), 'dicts');
  await new Promise<void>((resolve, reject) => az.Morph.init(dicts, (err) => (err ? reject(err) : resolve())));
  // A common word's own lemma (вера, роза, марс), not a rare case form of another (Дима: дим).
  const parses = (w: string): AzParse[] => az.Morph(w, { typos: 0, stutter: 0 }).filter((p) => p.parser === 'Dictionary');
  const isWord = (w: string): boolean => parses(w).some((p) => p.normalize().word === w);

  const all = new Set<string>();
  for (const set of Object.values(names)) for (const name of set) {
    all.add(name);
    if (name.includes('ё')) all.add(name.replaceAll('ё', 'е'));
  }
  const entries: string[] = [];
  for (const name of [...all].sort((a, b) => a.localeCompare(b, 'ru'))) {
    const stem = OBLIQUE[name];
    const ambiguous = isWord(name);
    const cap = (w: string): string => w.replace(/(^|-)([а-яё])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
    entries.push(`${ambiguous ? '?' : ''}${cap(name)}${stem ? `/${cap(stem)}` : ''}`);
  }
  // Case forms that are words of any kind; a plain name's nominative stays a name (Дима, not дим).
  const plain = new Set([...all].filter((name) => !isWord(name)));
  const forms = new Set<string>();
  for (const name of all) for (const form of nounForms(name, OBLIQUE[name])) if (!plain.has(form) && parses(form).length > 0) forms.add(form);
  const formLines: string[] = [];
  const sortedForms = [...forms].sort((a, b) => a.localeCompare(b, 'ru'));
  for (let i = 0; i < sortedForms.length; i += 16) formLines.push(sortedForms.slice(i, i + 16).join(' '));
  writeFileSync(OUT_FORMS, [
    '# Generated by bench/dlp/build-first-names.ts; do not edit by hand.',
    '# Case forms of first-names.txt that are also words in the OpenCorpora dictionary shipped with az',
    '# (CC-BY-SA 3.0): such a form counts as a name only next to another name part.',
    ...formLines,
    '',
  ].join('\n'));
  const broad = ['male', 'female'].flatMap((g) => (require(`russian_name/json/names_${g}.json`) as Array<{ name: string }>).map((x) => x.name.toLowerCase()));
  const nameShaped = (w: string): boolean => /^[а-яё]{3,}(?:-[а-яё]{2,})?$/.test(w) && !all.has(w) && !hasSurnameShape(w) && !isPatronymic(w);
  const { lemmas: oc, vocabulary, stats } = readOpenCorpora(dicts);
  writeFileSync(OUT_VOCABULARY, vocabulary);
  console.log(stats);
  // OpenCorpora names are dictionary words by their Name tag; those that are also common words
  // (Сами) are kept too, since a weak name counts only next to another name part.
  const weak = [...new Set([...broad.filter((w) => nameShaped(w) && parses(w).length === 0), ...[...(oc.get('Name') ?? [])].filter(nameShaped)])]
    .sort((a, b) => a.localeCompare(b, 'ru'));
  const weakSet = new Set(weak);
  const surnames = [...(oc.get('Surn') ?? [])]
    .filter((w) => /^[а-яё]{3,}(?:-[а-яё]{2,})?$/.test(w) && !hasSurnameShape(w) && !isPatronymic(w) && !all.has(w) && !weakSet.has(w) && !isWord(w) && parses(w).length === 0)
    .sort((a, b) => a.localeCompare(b, 'ru'));
  const surnameLines: string[] = [];
  for (let i = 0; i < surnames.length; i += 16) surnameLines.push(surnames.slice(i, i + 16).join(' '));
  writeFileSync(OUT_SURNAMES, [
    '# Generated by bench/dlp/build-first-names.ts; do not edit by hand.',
    '# Surnames tagged Surn in the OpenCorpora dictionary shipped with az (CC-BY-SA 3.0) that are not',
    '# shaped like a Russian surname (morphology finds those) and are no common word or first name.',
    ...surnameLines,
    '',
  ].join('\n'));
  const weakLines: string[] = [];
  for (let i = 0; i < weak.length; i += 16) weakLines.push(weak.slice(i, i + 16).join(' '));
  writeFileSync(OUT_WEAK, [
    '# Generated by bench/dlp/build-first-names.ts; do not edit by hand.',
    '# Names: russian_name (ISC, (c) Vadim Konchik), less those in first-names.txt, dictionary words',
    '# and words shaped like surnames; and names tagged Name in the OpenCorpora dictionary shipped',
    '# with az (CC-BY-SA 3.0), less the same. A broad list with some noise: each counts only next to',
    '# another name part.',
    ...weakLines,
    '',
  ].join('\n'));
  const lines: string[] = [];
  for (let i = 0; i < entries.length; i += 12) lines.push(entries.slice(i, i + 12).join(' '));
  writeFileSync(OUT, [
    '# Generated by bench/dlp/build-first-names.ts; do not edit by hand.',
    '# Names: sex-by-russian-name (MIT, (c) 2013 Alexandr Borisov). "?": also a common word in the',
    '# OpenCorpora dictionary shipped with az (CC-BY-SA 3.0); counts only next to another name part.',
    '# "Павел/Павл": oblique stem. Nominatives only; case forms are generated by lexicon.ts.',
    ...lines,
    '',
  ].join('\n'));
  console.log(`${surnames.length} surnames; ${weak.length} weak names; ${entries.length} names, ${entries.filter((e) => e.startsWith('?')).length} also common words, ${forms.size} forms also words`);
}

await main();
