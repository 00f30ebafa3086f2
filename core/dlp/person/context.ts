/**
 * The context cues of the person detector: what stands around a chain of capitalized words
 * (a role word, a speech verb, a sentence start, quotes) and whether a word can be
 * a surname at all.
 */
import { NAME_PARTICLES, classify, Cls, lowerOf, type Context } from './classify.js';
import { Kind } from './tokenize.js';
import { TITLES, hasSurnameShape, nounForms } from './lexicon.js';
import { Word, wordKind } from './vocabulary.js';

// Local copies: imported enum members are read through accessors in hot loops.
const { Cap: KCap, Caps: KCaps, Initial: KInitial, Lower: KLower, Other: KOther } = Kind;
const { NonPerson: CNonPerson, Speech: CSpeech, Title: CTitle } = Cls;

const NOT_SURNAME =
  /(?:ств[оауе]|ством|[еа]ни[еяюи]|[еа]нием|ци[яиюе]|цией|ость|ости|остью|изм|изма|изму|измом|изме|[ая]м|[ая]х|[ая]ми|ое|ье|ья|ью|ьем)$/;
/** Agencies: Роскосмос, Минсвязи, Госдепартамент, Мосгордума. */
const AGENCY = /^(?:рос|мин|гос|мос)[а-яё]{4,}/;
const ADJECTIVE = /(?:ый|ий|ой|ая|ое|ого|его|ому|ему|ым|им|ую|юю|ые|ие|ых|их|ыми|ими|[нк]ом)$/;
const DERIVED_ADJECTIVE = /(?:[сц]к|[^аеёиоуыэюя]н)(?:ий|ый|ой|ая|ое|ого|его|ому|ему|ым|им|ом|ем|ую|юю|ые|ие|ых|их|ыми|ими)$/;
const RUSSIAN_SURNAME = /[а-яё]{2}(?:ов|ев|ёв|ин|ын)(?:а|у|ым|ой|ою|ы)?$/;
/** Nominative surnames that are rarely common nouns (unlike -ина: Причина, Женщина). */
export const NOMINATIVE_SURNAME = /(?:ов|ев|ёв|ин|ын|ова|ева|ёва|енко|швили|дзе|ский|цкий|ская|цкая)$/;
const CYRILLIC = /^[\u0400-\u04ff]/;

/**
 * A capitalized Cyrillic word of three letters or more that is no form of any ordinary word, place or
 * organisation of the dictionary: a rare or foreign name (Квиндлан, Хитли) when context says so. Not
 * an acronym with capitals inside (БелТА) nor a place with a capitalized particle (Абу-Даби).
 */
function novel(ctx: Context, i: number): boolean {
  if (ctx.tokens.kind[i] !== KCap) return false;
  const w = lowerOf(ctx, i);
  const word = ctx.text.slice(ctx.tokens.start[i] as number, ctx.tokens.end[i]);
  if (w.length < 3 || !CYRILLIC.test(w) || INNER_CAPITAL.test(word) || LOWER_AFTER_HYPHEN.test(word)) return false;
  const hyphen = w.indexOf('-');
  return (hyphen < 0 || !NAME_PARTICLES.has(w.slice(0, hyphen))) && !abbreviation(ctx, i) && wordKind(w) === Word.Unknown;
}
const INNER_CAPITAL = /[^-'’][А-ЯЁA-Z]/;
/** Трек-номер, Интернет-магазин: a compound common word; double surnames capitalize both parts. */
const LOWER_AFTER_HYPHEN = /-[а-яё]/;

/** "Исх. № 12": a short word cut by a dot that ends no sentence. */
function abbreviation(ctx: Context, i: number): boolean {
  const { tokens, text } = ctx;
  const dot = i + 1;
  if ((tokens.end[i] as number) - (tokens.start[i] as number) > 5 || dot >= tokens.count || tokens.start[dot] !== tokens.end[i] || text.charCodeAt(tokens.start[dot] as number) !== 0x2e) return false;
  return dot + 1 < tokens.count && !lineBreakAfter(ctx, dot) && tokens.kind[dot + 1] !== KCap && tokens.kind[dot + 1] !== KCaps;
}

/** Oblique forms of nouns in -ия: mostly countries and regions (Гагаузии), rarely a name alone. */
const REGION_FORM = /и[июя]$|ией$/;

/**
 * A lone word no dictionary holds, inside a sentence and not after "в"/"на"/"из": mostly a rare
 * or foreign surname ("встретился с Квиндланом"); places and firms are mostly in the dictionary.
 */
export function loneNovel(ctx: Context, head: number): boolean {
  return !sentenceStart(ctx, head) && !afterLocative(ctx, head) && !REGION_FORM.test(lowerOf(ctx, head)) && novel(ctx, head);
}

/**
 * Whether a capitalized word may be a surname when only context says so: Cyrillic, not an
 * abstract or plural noun (Министерства, Викиновостям), not an adjective before its noun
 * (Конституционного суда, Свердловской области).
 */
export function canBeSurname(ctx: Context, i: number, inLongerChain = false): boolean {
  if (ctx.tokens.kind[i] === KCaps) return false; // ОТВЕТЧИКОВ in a heading
  const w = lowerOf(ctx, i);
  // Two letters only next to another name word: Chinese and Korean names (Ли Мин, Бо Цзяньлин).
  if (w.length < (inLongerChain ? 2 : 3) || !CYRILLIC.test(w) || NOT_SURNAME.test(w)) return false;
  if (RUSSIAN_SURNAME.test(w)) return true;
  if (AGENCY.test(w) && !hasSurnameShape(w)) return false;
  const next = i + 1;
  if (ADJECTIVE.test(w) && next < ctx.tokens.count) {
    const k = ctx.tokens.kind[next];
    const beforeNoun = k === KCap || (k === KLower && classify(ctx, next) !== CSpeech && !FUNCTION_WORDS.has(lowerOf(ctx, next)));
    // "с Квиндланом вчера": a surname no dictionary holds, in a case form that only looks like an
    // adjective's; adjectives the dictionary lacks (Брукхейвенской) are made with -ск-/-н-.
    if (beforeNoun) return !DERIVED_ADJECTIVE.test(w) && novel(ctx, i);
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
/** « " “ „ as char codes. */
export const OPENING_QUOTES = new Set([0xab, 0x22, 0x201c, 0x201e]);

/** Whether a lowercase word names a legal form or a kind of organisation (ооо, банк, компании, llc). */
export const isOrganisationWord = (lower: string): boolean => ORGANISATION_WORDS.has(lower);

/** «Бета» in "ПАО «Бета»", "компания «Вера»": a quoted name right after an organisation word is the organisation's. */
export function organisationName(ctx: Context, head: number): boolean {
  const { tokens } = ctx;
  const org = head - 2;
  if (org < 0 || !OPENING_QUOTES.has(firstChar(ctx, head - 1)) || tokens.kind[org] === KOther) return false;
  // At most one space between the word and the quote.
  if ((tokens.start[head - 1] as number) - (tokens.end[org] as number) > 1) return false;
  return isOrganisationWord(lowerOf(ctx, org));
}

/** "в Ростове", "из Твери": a lone word after these prepositions is usually a place. */
export function afterLocative(ctx: Context, head: number): boolean {
  const k = ctx.tokens.kind[head - 1];
  return head > 0 && (k === KLower || k === KCap) && LOCATIVE.has(lowerOf(ctx, head - 1));
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
 * A role word shortly before the chain: "истец Петров", "директор фирмы Орлов",
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
      // "посол Японии в России Иванов": a place may be linked by в/при.
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

/** "— сказал Петров.", "Петров сказал", "по словам Петрова". */
export function speechNear(ctx: Context, head: number, last: number): boolean {
  const { tokens } = ctx;
  const isVerb = (j: number): boolean => j >= 0 && j < tokens.count && classify(ctx, j) === CSpeech;
  return isVerb(head - 1) || isVerb(last + 1) || wordsOf(ctx, head);
}

/**
 * Words ending like the pronouns, adverbs and common nouns that open a sentence before a verb of
 * speech: Она, Вчера, Затем, Итак, Наконец; Источник, Собеседник, Наблюдатель, Аналитик, Телеканал.
 */
const SUBJECT_NOT_NAME = /(?:[аеиоуыэюя]|[ое]м|ак|ец|ник|чик|щик|тель|ист|ик|ал)$/;
const PAST = /(?:л|ла|лся|лась)$/;

/**
 * "Квельбранд объявил, что": a word ending in a consonant (most sentence-opening adverbs and
 * pronouns end in a vowel) right before a verb of speech in the past; or any word that is no
 * dictionary word, whatever its ending and the tense ("Окацури считает").
 */
export function speechAfterAtStart(ctx: Context, head: number): boolean {
  const next = head + 1;
  if (next >= ctx.tokens.count || classify(ctx, next) !== CSpeech) return false;
  const w = lowerOf(ctx, head), verb = lowerOf(ctx, next);
  if (w.length < 4 || FUNCTION_WORDS.has(w)) return false;
  return (!SUBJECT_NOT_NAME.test(w) && PAST.test(verb)) || novel(ctx, head);
}

/** "по словам", "по мнению", "со слов": what follows is whose words they are. */
const WORDS_OF: Record<string, string> = { словам: 'по', мнению: 'по', слов: 'со' };
function wordsOf(ctx: Context, head: number): boolean {
  const { tokens } = ctx;
  const noun = head - 1, prep = head - 2;
  if (prep < 0 || tokens.kind[noun] !== KLower || tokens.kind[prep] === KOther) return false;
  const want = WORDS_OF[lowerOf(ctx, noun)];
  return want !== undefined && lowerOf(ctx, prep) === want;
}

/**
 * "Милош Кравчик (Чехия)": a name followed by the country or city of the person in brackets, as in
 * lists of players, referees and delegates.
 */
export function placeInBracketsAfter(ctx: Context, last: number): boolean {
  const { tokens, text } = ctx;
  const open = last + 1, place = last + 2, close = last + 3;
  return close < tokens.count && text[tokens.start[open] as number] === '(' && (tokens.start[open] as number) - (tokens.end[last] as number) <= 1 &&
    tokens.kind[place] === KCap && classify(ctx, place) === CNonPerson && text[tokens.start[close] as number] === ')';
}
