/**
 * The context cues of the person detector: what stands around a chain of capitalized words
 * (a role word, a speech verb, a sentence start, quotes, a Latin gloss) and whether a word can be
 * a surname at all.
 */
import { classify, Cls, lowerOf, type Context } from './classify.js';
import { Kind } from './tokenize.js';
import { TITLES, hasSurnameShape, nounForms } from './lexicon.js';

// Local copies: imported enum members are read through accessors in hot loops.
const { Cap: KCap, Caps: KCaps, Initial: KInitial, Lower: KLower, Other: KOther } = Kind;
const { NonPerson: CNonPerson, Speech: CSpeech, Title: CTitle } = Cls;

const NOT_SURNAME =
  /(?:ств[оауе]|ством|[еа]ни[еяюи]|[еа]нием|ци[яиюе]|цией|ость|ости|остью|изм|изма|изму|измом|изме|[ая]м|[ая]х|[ая]ми|ое|ье|ья|ью|ьем)$/;
/** Agencies: Роскосмос, Минсвязи, Госдепартамент, Мосгордума. */
const AGENCY = /^(?:рос|мин|гос|мос)[а-яё]{4,}/;
const ADJECTIVE = /(?:ый|ий|ой|ая|ое|ого|его|ому|ему|ым|им|ую|юю|ые|ие|ых|их|ыми|ими|[нк]ом)$/;
const RUSSIAN_SURNAME = /[а-яё]{2}(?:ов|ев|ёв|ин|ын)(?:а|у|ым|ой|ою|ы)?$/;
/** Nominative surnames that are rarely common nouns (unlike -ина: Причина, Женщина). */
export const NOMINATIVE_SURNAME = /(?:ов|ев|ёв|ин|ын|ова|ева|ёва|енко|швили|дзе|ский|цкий|ская|цкая)$/;
const CYRILLIC = /^[\u0400-\u04ff]/;

/**
 * Whether a capitalized word may be a surname when only context says so: Cyrillic, not an
 * abstract or plural noun (Министерства, Викиновостям), not an adjective before its noun
 * (Конституционного суда, Свердловской области).
 */
export function canBeSurname(ctx: Context, i: number): boolean {
  if (ctx.tokens.kind[i] === KCaps) return false; // ОТВЕТЧИКОВ in a heading
  const w = lowerOf(ctx, i);
  if (w.length < 3 || !CYRILLIC.test(w) || NOT_SURNAME.test(w)) return false;
  if (RUSSIAN_SURNAME.test(w)) return true;
  if (AGENCY.test(w) && !hasSurnameShape(w)) return false;
  const next = i + 1;
  if (ADJECTIVE.test(w) && next < ctx.tokens.count) {
    const k = ctx.tokens.kind[next];
    if (k === KCap) return false;
    if (k === KLower && classify(ctx, next) !== CSpeech && !FUNCTION_WORDS.has(lowerOf(ctx, next))) return false;
  }
  return true;
}

/** Code of the first character of token j, NaN when there is no such token. */
function firstChar(ctx: Context, j: number): number {
  return j >= 0 && j < ctx.tokens.count ? ctx.text.charCodeAt(ctx.tokens.start[j] as number) : NaN;
}

/** «Спартак», «Протоколов ...»: a quoted capitalized word names a club, a firm, a book. */
export function quoted(ctx: Context, head: number, last: number): boolean {
  const before = firstChar(ctx, head - 1);
  return before === 0xab || (before === 0x22 && firstChar(ctx, last + 1) === 0x22);
}

/**
 * Legal forms and words naming organisations, in any case form. ИП is not among them: a sole
 * trader's name ("ИП Иванов И.И.") is a person's.
 */
const ORGANISATION_WORDS = new Set([
  'ооо', 'оао', 'пао', 'зао', 'ао', 'нао', 'ано', 'нко', 'гуп', 'фгуп', 'муп', 'гбу', 'мбу', 'фгбу', 'фгбоу', 'тсж', 'снт',
  'жск', 'кб', 'ук', 'чоп', 'llc', 'ltd', 'inc', 'ag', 'gmbh',
  ...['компания', 'фирма', 'организация', 'корпорация', 'ассоциация', 'группа', 'газета', 'марка'].flatMap((w) => nounForms(w)),
  ...['банк', 'холдинг', 'концерн', 'завод', 'фонд', 'кооператив', 'союз', 'центр', 'клуб', 'журнал', 'бренд'].flatMap((w) => nounForms(w)),
  ...['общество', 'предприятие', 'учреждение', 'товарищество', 'партнерство', 'партнёрство', 'агентство', 'издательство']
    .flatMap((w) => [w, ...['а', 'у', 'ом', 'е'].map((ending) => w.slice(0, -1) + ending)]),
]);
const OPENING_QUOTES = new Set([0xab, 0x22, 0x201c, 0x201e]);

/** «Бета» in "ПАО «Бета»", "компания «Вера»": a quoted name right after an organisation word is the organisation's. */
export function organisationName(ctx: Context, head: number): boolean {
  const { tokens } = ctx;
  const org = head - 2;
  if (org < 0 || !OPENING_QUOTES.has(firstChar(ctx, head - 1)) || tokens.kind[org] === KOther) return false;
  // At most one space between the word and the quote.
  if ((tokens.start[head - 1] as number) - (tokens.end[org] as number) > 1) return false;
  return ORGANISATION_WORDS.has(lowerOf(ctx, org));
}

/** "в Дацине", "из Ростова": a lone word after these prepositions is usually a place. */
export function afterLocative(ctx: Context, head: number): boolean {
  return head > 0 && ctx.tokens.kind[head - 1] === KLower && LOCATIVE.has(lowerOf(ctx, head - 1));
}
const LOCATIVE = new Set(['в', 'во', 'на', 'из', 'под', 'над']);

const OPENERS = new Set(['«', '"', '“', '„', '(', '—', '–', '-', '•', '*', '\'']);
const ENDERS = new Set(['.', '!', '?', '…', ':', ';']);
const ABBREVIATIONS = new Set(['г', 'ул', 'им', 'пр', 'пер', 'д', 'т', 'ст', 'см', 'пл', 'обл', 'р', 'гр', 'тов', 'наб']);

/** Whether the gap after token j holds a line break. */
function lineBreakAfter(ctx: Context, j: number): boolean {
  const to = j + 1 < ctx.tokens.count ? (ctx.tokens.start[j + 1] as number) : ctx.text.length;
  for (let p = ctx.tokens.end[j] as number; p < to; p++) if (ctx.text.charCodeAt(p) === 0x0a) return true;
  return false;
}

/** Whether token i opens a sentence (after .!?…: or a line break, skipping quotes and dashes). */
export function sentenceStart(ctx: Context, i: number): boolean {
  const { tokens, text } = ctx;
  let j = i - 1;
  while (j >= 0 && tokens.kind[j] === KOther && OPENERS.has(text[tokens.start[j] as number] as string)) {
    if (lineBreakAfter(ctx, j)) return true;
    j--;
  }
  if (j < 0 || lineBreakAfter(ctx, j)) return true;
  if (tokens.kind[j] !== KOther) return false;
  const mark = text[tokens.start[j] as number] as string;
  if (!ENDERS.has(mark)) return false;
  if (mark === '.' && j > 0) {
    // "И.И. Иванов", "г. Москва", "3. Иванов": the dot ends an initial, an abbreviation, a number.
    if (tokens.kind[j - 1] === KInitial || /\d/.test(text[tokens.start[j - 1] as number] as string)) return false;
    if (tokens.kind[j - 1] === KLower && ABBREVIATIONS.has(lowerOf(ctx, j - 1))) return false;
  }
  return true;
}

const QUOTES = new Set(['«', '»', '"', '“', '”', '„']);

/**
 * A role word shortly before the chain: "истец Петров", "президент Франции Саркози",
 * "глава ОАО «Газпром» Миллер". Between them only lower-case words (at most three), acronyms,
 * places and quoted names may stand.
 */
export function titleBefore(ctx: Context, head: number): 'strong' | 'weak' | undefined {
  const { tokens, text } = ctx;
  let lowers = 0;
  let inQuotes = false;
  for (let j = head - 1; j >= 0 && head - j <= 8; j--) {
    const k = tokens.kind[j];
    if (k === KOther) {
      const mark = text[tokens.start[j] as number] as string;
      if (QUOTES.has(mark)) { inQuotes = !inQuotes; continue; }
      return undefined;
    }
    if (inQuotes) continue;
    const c = classify(ctx, j);
    if (c === CTitle) return TITLES.get(lowerOf(ctx, j)) ? 'strong' : 'weak';
    if (k === KLower) {
      if (++lowers > 3) return undefined;
      const w = lowerOf(ctx, j);
      // "посол Японии в России Масахару Коно": a place may be linked by в/при.
      const linksPlace = IN_PLACE.has(w) && classify(ctx, j + 1) === CNonPerson;
      if (!linksPlace && !isModifier(w)) return undefined;
      continue;
    }
    if (k === KCaps || c === CNonPerson) continue;
    return undefined;
  }
  return undefined;
}

const FUNCTION_WORDS = new Set([
  'в', 'во', 'на', 'с', 'со', 'к', 'ко', 'по', 'о', 'об', 'обо', 'от', 'до', 'из', 'у', 'за', 'под', 'над', 'при',
  'про', 'для', 'без', 'через', 'перед', 'между', 'и', 'а', 'но', 'или', 'что', 'как', 'чтобы', 'он', 'она', 'они',
  'его', 'её', 'ее', 'их', 'это', 'этот', 'эта', 'тот', 'та', 'не', 'ни', 'же', 'ли', 'бы', 'уже', 'ещё', 'еще',
]);
const IN_PLACE = new Set(['в', 'во', 'при']);
const VERB_END = /(?:[аяиеыу]л|ла|ли|ло|ет|ит|ют|ут|ат|ят|ть|ся|сь)$/;

/** Lower-case words that may stand between a role and a name: "министр иностранных дел Грузии". */
function isModifier(word: string): boolean {
  return !FUNCTION_WORDS.has(word) && !(word.length > 3 && VERB_END.test(word));
}

/** "— сказал Хоровитц." or "Хоровитц сказал". */
export function speechNear(ctx: Context, head: number, last: number): boolean {
  const { tokens } = ctx;
  const isVerb = (j: number): boolean => j >= 0 && j < tokens.count && classify(ctx, j) === CSpeech;
  return isVerb(head - 1) || isVerb(last + 1);
}

/** "Ши Тао (Shi Tao)": an unknown word glossed in Latin letters is a name. */
export function glossAfter(ctx: Context, last: number): boolean {
  const gloss = latinGloss(ctx, last);
  return gloss !== undefined && gloss.end - gloss.start <= 40;
}

/** "Коффи Коджа (Бенин)": two capitalized words followed by a country in brackets. */
export function countryAfter(ctx: Context, last: number): boolean {
  return firstChar(ctx, last + 1) === 0x28 && last + 2 < ctx.tokens.count && classify(ctx, last + 2) === CNonPerson;
}

/** "Скотт Хоровитц (Scott Horowitz)": the Latin spelling in brackets right after a found name. */
export function latinGloss(ctx: Context, last: number): { start: number; end: number } | undefined {
  const { tokens, text } = ctx;
  if (firstChar(ctx, last + 1) !== 0x28) return undefined;
  let j = last + 2;
  const first = j;
  while (j < tokens.count && j - first <= 4 && tokens.kind[j] === KCap && /^[A-Za-z]/.test(text[tokens.start[j] as number] as string)) j++;
  if (j === first || j - first > 4 || firstChar(ctx, j) !== 0x29) return undefined;
  return { start: tokens.start[first] as number, end: tokens.end[j - 1] as number };
}
