/**
 * Word lists of the person detector and the morphology that expands them. The data files hold
 * nominative forms only; the case forms (Иван → Ивана, Ивану, Иваном, Иване) are generated here
 * once at load time, so the lists stay small and every lookup is one Map/Set probe.
 */
import { readFileSync } from 'node:fs';

function readWords(file: string): string[] {
  const text = readFileSync(new URL(`./dict/${file}`, import.meta.url), 'utf8');
  return text
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join(' ')
    .split(/\s+/)
    .filter((w) => w.length > 0);
}

const VOWEL_END = /[аеёиоуыэюя]$/;
const HUSHING_END = /[жшчщц]$/;

/**
 * Case forms of a noun given its nominative and, optionally, the stem of its oblique cases.
 * Plural forms only on request: for names they would clash with surnames (Иван → Иванов).
 */
export function nounForms(nominative: string, obliqueStem?: string, plural = false): string[] {
  const w = nominative.toLowerCase();
  const oblique = obliqueStem?.toLowerCase();
  // Plural-only names of places: Нидерланды → Нидерландов, Афины → Афинах.
  if (plural && /[ыи]$/.test(w)) return suffixed(w.slice(0, -1), [w.slice(-1), 'ов', 'ам', 'ами', 'ах']);
  if (w.endsWith('ия')) return suffixed(w.slice(0, -2), ['ия', 'ии', 'ию', 'ией', 'иею']);
  if (w.endsWith('а')) return suffixed(w.slice(0, -1), ['а', 'ы', 'и', 'е', 'у', 'ой', 'ою', 'ей']);
  if (w.endsWith('я')) return suffixed(w.slice(0, -1), ['я', 'и', 'е', 'ю', 'ей', 'ею']);
  if (w.endsWith('й')) return suffixed(w.slice(0, -1), ['й', 'я', 'ю', 'ем', 'е', 'и']);
  if (w.endsWith('ь')) return [w, ...suffixed(oblique ?? w.slice(0, -1), ['я', 'ю', 'ем', 'е', 'и', 'ью'])];
  if (VOWEL_END.test(w)) return [w];
  const stem = oblique ?? w;
  const endings = plural ? ['а', 'у', 'ом', 'е', 'ы', 'и', 'ов', 'ам', 'ами', 'ах'] : ['а', 'у', 'ом', 'е'];
  if (HUSHING_END.test(stem)) endings.push('ем');
  return [w, ...suffixed(stem, endings)];
}

/** Case forms (singular and plural) of a substantivized adjective: подсудимый, управляющий. */
export function adjectiveForms(nominative: string): string[] {
  const stem = nominative.toLowerCase().slice(0, -2);
  return suffixed(stem, [
    'ый', 'ий', 'ой', 'ого', 'его', 'ому', 'ему', 'ым', 'им', 'ом', 'ем',
    'ая', 'яя', 'ую', 'юю', 'ые', 'ие', 'ых', 'их', 'ыми', 'ими',
  ]);
}

function suffixed(stem: string, endings: string[]): string[] {
  return endings.map((e) => stem + e);
}

/** Entry syntax of the data files: "?Вера" (ambiguous), "Павел/Павл" (oblique stem). */
function parseEntry(entry: string): { word: string; stem?: string; ambiguous: boolean } {
  const ambiguous = entry.startsWith('?');
  const [word = '', stem] = (ambiguous ? entry.slice(1) : entry).split('/');
  return { word, stem, ambiguous };
}

/** Lower-cased first-name form → true when the name is also a common word or a place. */
const FIRST_NAMES = new Map<string, boolean>();
for (const entry of readWords('first-names.txt')) {
  const parsed = parseEntry(entry);
  const { word, stem } = parsed;
  // Two-letter names (Ли, Ху, Ма) have forms that are common words (Мы).
  const ambiguous = parsed.ambiguous || word.length <= 2;
  for (const form of nounForms(word, stem)) {
    // A form shared by a plain and an ambiguous name stays ambiguous (Лев, Вера).
    FIRST_NAMES.set(form, ambiguous || (FIRST_NAMES.get(form) ?? false));
  }
}

// A broad list with some noise: its names count only next to another name part.
for (const word of readWords('weak-first-names.txt')) {
  for (const form of nounForms(word)) if (!FIRST_NAMES.has(form)) FIRST_NAMES.set(form, true);
}

// Case forms that are also common words (Они, Люди, Маши): a name only next to another name part.
for (const form of readWords('name-forms-also-words.txt')) if (FIRST_NAMES.has(form)) FIRST_NAMES.set(form, true);

const ADJECTIVE_END = /(?:ый|ий|ой|ая)$/;

/**
 * Lower-cased forms of role words → true when any capitalized word after them is a name
 * ("президент Смит"), false when only a surname-shaped one is ("истец Петров", not "Исполнитель Услуги").
 */
export const TITLES = new Map<string, boolean>();
for (const [file, strong] of [['roles.txt', false], ['titles.txt', true]] as const) {
  for (const entry of readWords(file)) {
    const { word, stem } = parseEntry(entry);
    const forms = ADJECTIVE_END.test(word) ? adjectiveForms(word) : nounForms(word, stem, true);
    for (const form of forms) TITLES.set(form, strong);
  }
}

/**
 * Lower-cased forms of capitalized words that are never name parts (places, months, bodies). They
 * win over first names of the same spelling: Куба is a country far more often than a name.
 */
const NON_PERSON = new Set<string>();
for (const entry of readWords('non-person.txt')) {
  const word = entry.replace(/^[=?]/, '');
  if (entry.startsWith('?')) {
    for (const form of nounForms(word)) FIRST_NAMES.set(form, true);
    continue;
  }
  for (const form of entry.startsWith('=') ? [word.toLowerCase()] : nounForms(word, undefined, true)) {
    NON_PERSON.add(form);
    FIRST_NAMES.delete(form);
  }
}

/** Reported-speech verbs: "— сказал Петров". */
const SPEECH_VERBS = new Set(readWords('speech-verbs.txt'));

/** Case forms of surnames that morphology cannot see (Ашенбреннер, Айзенберг), unless also a name or a place. */
const SURNAMES = new Set<string>();
for (const word of readWords('surnames.txt')) {
  for (const form of nounForms(word)) if (!FIRST_NAMES.has(form) && !NON_PERSON.has(form)) SURNAMES.add(form);
}

export function isListedSurname(lower: string): boolean {
  return SURNAMES.has(lower);
}

/** Bits of WORD_FLAGS. */
export const W_TITLE = 1, W_FIRST = 2, W_AMBIGUOUS = 4, W_NON_PERSON = 8, W_SPEECH = 16, W_SURNAME = 32;

/** Every list above in one map, so classifying a word takes one lookup instead of four. */
export const WORD_FLAGS = new Map<string, number>();
const flag = (word: string, bit: number): void => {
  WORD_FLAGS.set(word, (WORD_FLAGS.get(word) ?? 0) | bit);
};
for (const word of TITLES.keys()) flag(word, W_TITLE);
for (const [word, ambiguous] of FIRST_NAMES) flag(word, ambiguous ? W_FIRST | W_AMBIGUOUS : W_FIRST);
for (const word of NON_PERSON) flag(word, W_NON_PERSON);
for (const word of SPEECH_VERBS) flag(word, W_SPEECH);
for (const word of SURNAMES) flag(word, W_SURNAME);

/**
 * Hashes of the first three letters of the listed words (flags & mask): most words of a text are
 * not listed, and this tells it without slicing and hashing them. Shorter words always pass.
 */
function prefixFilter(mask: number): (lower: string, start: number, end: number) => boolean {
  const key = (s: string, i: number): number => ((s.charCodeAt(i) * 961 + s.charCodeAt(i + 1) * 31 + s.charCodeAt(i + 2)) & 0xffff);
  const table = new Uint8Array(0x10000);
  for (const [word, flags] of WORD_FLAGS) if (flags & mask && word.length >= 3) table[key(word, 0)] = 1;
  return (lower, start, end) => end - start < 3 || table[key(lower, start)] === 1;
}

/** False when lower[start, end) is surely no role word nor speech verb. */
export const mayBeRoleOrSpeech = prefixFilter(W_TITLE | W_SPEECH);
/** False when lower[start, end) is surely in none of the lists. */
export const mayBeListed = prefixFilter(W_TITLE | W_FIRST | W_NON_PERSON | W_SPEECH | W_SURNAME);

/** Patronymics in any case: Иванович, Петровичем, Сергеевна, Ильиничной, Кузьминична. */
const PATRONYMIC = /(?:ович|евич|ьич)(?:а|у|ем|е)?$|(?:овн|евн|ичн)(?:а|ы|е|у|ой|ою)$/;

/** Russian surname morphology in any case: -ов/-ев/-ин/-ын, -ский/-цкий, and common national endings. */
const SURNAME =
  /(?:ов|ев|ёв|ин|ын)(?:а|у|ым|ом|е|ой|ою|ы)?$|(?:ск|цк)(?:ий|ого|ому|им|ом|ая|ой|ую)$|(?:енко|швили|дзе|ян|янц|ук|юк)$/;

/** Male patronymics are never common words; -овна/-евна/-ична also end adjectives (дневной). */
const MALE_PATRONYMIC = /(?:ович|евич)(?:а|у|ем|е)?$/;

export function isPatronymic(lower: string): boolean {
  return lower.length >= 6 && PATRONYMIC.test(lower);
}

export function isMalePatronymic(lower: string): boolean {
  return MALE_PATRONYMIC.test(lower);
}

export function hasSurnameShape(lower: string): boolean {
  return lower.length >= 4 && SURNAME.test(lower);
}

const CASE_ENDINGS = [
  'ыми', 'ими', 'ого', 'его', 'ому', 'ему', 'ой', 'ей', 'ою', 'ым', 'им', 'ом', 'ем', 'ую', 'ая', 'яя', 'ий', 'ый',
  'а', 'у', 'е', 'ы', 'и', 'я', 'ю',
];

/** CASE_ENDINGS by their last letter, in the same order: a word is compared only with those it may end in. */
const ENDINGS_BY_LAST = new Map<string, string[]>();
for (const ending of CASE_ENDINGS) ENDINGS_BY_LAST.set(ending.slice(-1), [...(ENDINGS_BY_LAST.get(ending.slice(-1)) ?? []), ending]);
const NO_ENDINGS: string[] = [];

/**
 * The same key for every case form of a surname (Соколов, Соколова, Соколову → соколов;
 * Смита, Смиту → смит), used to find later mentions of a name once it has been confirmed.
 */
export function surnameKey(lower: string): string {
  for (const ending of ENDINGS_BY_LAST.get(lower.charAt(lower.length - 1)) ?? NO_ENDINGS) {
    if (lower.endsWith(ending) && lower.length - ending.length >= 3) return lower.slice(0, -ending.length);
  }
  return lower;
}
