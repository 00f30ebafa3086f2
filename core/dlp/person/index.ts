/**
 * Person names in Russian text, dictionary and morphology based.
 *
 * Capitalized words and initials that stand next to each other form a chain ("Иванов И.И.",
 * "Барак Обама", "Ивану Петровичу Сидорову"). A chain is a person when it holds a known first
 * name, a patronymic or initials next to another word, or when a role word stands before it
 * ("истец Петрова", "президент Франции Саркози") or a reported-speech verb next to it ("— сказал
 * Хоровитц"). Once a person is found, later and earlier mentions of the same surname in the same
 * text, in any case form, are persons too ("Медведев ... Медведеву"). Linear in the text length.
 */
import type { DetectedEntity } from '../types.js';
import { classify, Cls, isNamePart, lowerOf, newContext, type Context } from './classify.js';
import { Kind, tokenize } from './tokenize.js';
import { hasSurnameShape, isMalePatronymic, surnameKey } from './lexicon.js';

// Local copies: imported enum members are read through accessors in hot loops.
const { Cap: KCap, Caps: KCaps, Initial: KInitial, Lower: KLower, Other: KOther } = Kind;
const { Ambiguous: CAmbiguous, First: CFirst, Initial: CInitial, NonPerson: CNonPerson, None: CNone, Patronymic: CPatronymic, Speech: CSpeech, Surname: CSurname, Title: CTitle, Unknown: CUnknown } = Cls;

interface Chain {
  /** Token indices of the name words, in order. */
  words: number[];
  cls: Cls[];
  /** Set by judge: every word may be a surname, so a surname seen elsewhere in the text makes it a person. */
  surnameLike?: boolean;
}

export function detectPersons(text: string): DetectedEntity[] {
  const tokens = tokenize(text);
  const ctx = newContext(text, tokens);
  const chains = buildChains(ctx);

  // Pass 1: chains that are persons on their own; remember their surnames.
  const known = new Set<string>();
  const scores = chains.map((chain) => judge(ctx, chain));
  chains.forEach((chain, c) => {
    if (scores[c] === 0) return;
    chain.words.forEach((w, k) => {
      if (chain.cls[k] === CSurname || chain.cls[k] === CUnknown) known.add(surnameKey(lowerOf(ctx, w)));
    });
  });
  // Pass 2: the other chains that could be surnames, matched against the surnames seen in the text.
  const found: DetectedEntity[] = [];
  chains.forEach((chain, c) => {
    let score = scores[c] as number;
    if (score === 0 && chain.surnameLike && known.size > 0 && chain.words.some((w) => known.has(surnameKey(lowerOf(ctx, w))))) {
      score = 0.8;
    }
    if (score === 0) return;
    const first = chain.words[0] as number, last = chain.words[chain.words.length - 1] as number;
    found.push({ type: 'PERSON', start: tokens.start[first] as number, end: tokens.end[last] as number, score });
    const latin = latinGloss(ctx, last);
    if (latin) found.push({ type: 'PERSON', ...latin, score: score * 0.9 });
  });
  return found;
}

/** Name words joined by single spaces, or by the dot of an initial ("И.И.Иванов"). */
function buildChains(ctx: Context): Chain[] {
  const { tokens, text } = ctx;
  const chains: Chain[] = [];
  let cur: Chain | undefined;
  let prevEnd = -1; // end of the previous chain word, including an initial's dot
  for (let i = 0; i < tokens.count; i++) {
    const c = tokens.kind[i] === KLower || tokens.kind[i] === KOther ? CNone : classify(ctx, i);
    if (!isNamePart(c)) {
      cur = undefined;
      continue;
    }
    const s = tokens.start[i] as number;
    // Joined by at most two spaces, or one line break: a blank line ends the chain.
    const joined = cur !== undefined && s - prevEnd <= 2 && !(s - prevEnd === 2 && text[prevEnd] === '\n' && text[prevEnd + 1] === '\n');
    if (!joined) {
      cur = { words: [], cls: [] };
      chains.push(cur);
    }
    cur = cur as Chain;
    cur.words.push(i);
    cur.cls.push(c);
    prevEnd = tokens.end[i] as number;
    if (c === CInitial && i + 1 < tokens.count && text.charCodeAt(prevEnd) === 0x2e) {
      i++; // the dot belongs to the initial
      prevEnd++;
    }
  }
  return chains.flatMap((chain) => splitSentenceStart(ctx, trimLeadingUnknown(chain)));
}

/** "штата Аризона Гэбриэль Гиффордс": unknown words before a first name are not part of it. */
function trimLeadingUnknown(chain: Chain): Chain {
  let k = 0;
  while (k < chain.cls.length && chain.cls[k] === CUnknown) k++;
  const c = chain.cls[k];
  if (k === 0 || (c !== CFirst && c !== CAmbiguous && c !== CInitial && c !== CPatronymic)) return chain;
  return { words: chain.words.slice(k), cls: chain.cls.slice(k) };
}

/** A capitalized unknown word opening a sentence is usually not a name: "Вчера Иван пришёл". */
function splitSentenceStart(ctx: Context, chain: Chain): Chain[] {
  if (chain.words.length > 1 && chain.cls[0] === CUnknown && sentenceStart(ctx, chain.words[0] as number)) {
    return [
      { words: chain.words.slice(0, 1), cls: chain.cls.slice(0, 1) },
      { words: chain.words.slice(1), cls: chain.cls.slice(1) },
    ];
  }
  return [chain];
}

/** Score of a chain as a person, 0 when it is not one. */
function judge(ctx: Context, chain: Chain): number {
  const n = chain.cls.length;
  let first = 0, ambiguous = 0, patronymic = 0, initials = 0, surnames = 0;
  for (let k = 0; k < n; k++) {
    const c = chain.cls[k];
    if (c === CFirst) first++;
    else if (c === CAmbiguous) ambiguous++;
    else if (c === CPatronymic && (n > 1 || isMalePatronymic(lowerOf(ctx, chain.words[k] as number)))) patronymic++;
    else if (c === CInitial) initials++;
    else if (c === CSurname) surnames++;
  }
  if (initials === n) return 0;
  if (first > 0 || patronymic > 0) return 0.95;
  if (initials > 0) return 0.9;
  if (ambiguous > 0 && n > 1) return 0.85;
  // The rest rests on context alone: every word must be able to be a surname.
  if (!chain.words.every((w) => canBeSurname(ctx, w))) return 0;
  const head = chain.words[0] as number;
  if (quoted(ctx, head, chain.words[n - 1] as number)) return 0;
  chain.surnameLike = ambiguous === 0;
  if (titleBefore(ctx, head)) return 0.85;
  if (n === 2 && surnames > 0 && ambiguous === 0) return 0.6;
  const last = chain.words[n - 1] as number;
  if (ambiguous === 0 && (glossAfter(ctx, last) || (n >= 2 && countryAfter(ctx, last)))) return 0.7;
  // A lone word shaped like a Russian surname inside a sentence: "полёт Гагарина", "с Ратманским".
  if (n === 1 && surnames === 1 && !afterLocative(ctx, head)) {
    if (!sentenceStart(ctx, head)) return 0.6;
    // "Путин также подпишет": sentence-initial, but shaped like a noun surname, before a verb.
    const w = lowerOf(ctx, head);
    if (w.length >= 5 && NOMINATIVE_SURNAME.test(w) && ctx.tokens.kind[head + 1] === KLower) return 0.5;
  }
  const lone = sentenceStart(ctx, head) && n === 1 && surnames === 0;
  if (n <= 2 && ambiguous === 0 && !lone && speechNear(ctx, head, chain.words[n - 1] as number)) return 0.7;
  return 0;
}

const NOT_SURNAME =
  /(?:ств[оауе]|ством|[еа]ни[еяюи]|[еа]нием|ци[яиюе]|цией|ость|ости|остью|изм|изма|изму|измом|изме|[ая]м|[ая]х|[ая]ми|ое|ье|ья|ью|ьем)$/;
/** Agencies: Роскосмос, Минсвязи, Госдепартамент, Мосгордума. */
const AGENCY = /^(?:рос|мин|гос|мос)[а-яё]{4,}/;
const ADJECTIVE = /(?:ый|ий|ой|ая|ое|ого|его|ому|ему|ым|им|ую|юю|ые|ие|ых|их|ыми|ими|[нк]ом)$/;
const RUSSIAN_SURNAME = /[а-яё]{2}(?:ов|ев|ёв|ин|ын)(?:а|у|ым|ой|ою|ы)?$/;
/** Nominative surnames that are rarely common nouns (unlike -ина: Причина, Женщина). */
const NOMINATIVE_SURNAME = /(?:ов|ев|ёв|ин|ын|ова|ева|ёва|енко|швили|дзе|ский|цкий|ская|цкая)$/;
const CYRILLIC = /^[\u0400-\u04ff]/;

/**
 * Whether a capitalized word may be a surname when only context says so: Cyrillic, not an
 * abstract or plural noun (Министерства, Викиновостям), not an adjective before its noun
 * (Конституционного суда, Свердловской области).
 */
function canBeSurname(ctx: Context, i: number): boolean {
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

/** «Спартак», «Протоколов ...»: a quoted capitalized word names a club, a firm, a book. */
function quoted(ctx: Context, head: number, last: number): boolean {
  const { tokens, text } = ctx;
  const before = text[tokens.start[head - 1] ?? -1], after = text[tokens.start[last + 1] ?? -1];
  return before === '«' || (before === '"' && after === '"');
}

/** "в Дацине", "из Ростова": a lone word after these prepositions is usually a place. */
function afterLocative(ctx: Context, head: number): boolean {
  return head > 0 && ctx.tokens.kind[head - 1] === KLower && LOCATIVE.has(lowerOf(ctx, head - 1));
}
const LOCATIVE = new Set(['в', 'во', 'на', 'из', 'под', 'над']);

const OPENERS = new Set(['«', '"', '“', '„', '(', '—', '–', '-', '•', '*', '\'']);
const ENDERS = new Set(['.', '!', '?', '…', ':', ';']);
const ABBREVIATIONS = new Set(['г', 'ул', 'им', 'пр', 'пер', 'д', 'т', 'ст', 'см', 'пл', 'обл', 'р', 'гр', 'тов', 'наб']);

/** Whether token i opens a sentence (after .!?…: or a line break, skipping quotes and dashes). */
export function sentenceStart(ctx: Context, i: number): boolean {
  const { tokens, text } = ctx;
  let j = i - 1;
  while (j >= 0 && tokens.kind[j] === KOther && OPENERS.has(text[tokens.start[j] as number] as string)) {
    if (text.slice(tokens.end[j], tokens.start[j + 1]).includes('\n')) return true;
    j--;
  }
  if (j < 0) return true;
  if (text.slice(tokens.end[j], tokens.start[j + 1]).includes('\n')) return true;
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
function titleBefore(ctx: Context, head: number): boolean {
  const { tokens, text } = ctx;
  let lowers = 0;
  let inQuotes = false;
  for (let j = head - 1; j >= 0 && head - j <= 8; j--) {
    const k = tokens.kind[j];
    if (k === KOther) {
      const mark = text[tokens.start[j] as number] as string;
      if (QUOTES.has(mark)) { inQuotes = !inQuotes; continue; }
      return false;
    }
    if (inQuotes) continue;
    const c = classify(ctx, j);
    if (c === CTitle) return true;
    if (k === KLower) {
      // "посол Японии в России Масахару Коно": a place may be linked by в/при.
      const linksPlace = IN_PLACE.has(lowerOf(ctx, j)) && classify(ctx, j + 1) === CNonPerson;
      if (++lowers > 3 || !(linksPlace || isModifier(lowerOf(ctx, j)))) return false;
      continue;
    }
    if (k === KCaps || c === CNonPerson) continue;
    return false;
  }
  return false;
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
function speechNear(ctx: Context, head: number, last: number): boolean {
  const { tokens } = ctx;
  const isVerb = (j: number): boolean => j >= 0 && j < tokens.count && classify(ctx, j) === CSpeech;
  return isVerb(head - 1) || isVerb(last + 1);
}

/** "Ши Тао (Shi Tao)": an unknown word glossed in Latin letters is a name. */
function glossAfter(ctx: Context, last: number): boolean {
  const gloss = latinGloss(ctx, last);
  return gloss !== undefined && gloss.end - gloss.start <= 40;
}

/** "Коффи Коджа (Бенин)": two capitalized words followed by a country in brackets. */
function countryAfter(ctx: Context, last: number): boolean {
  const { tokens, text } = ctx;
  return text[tokens.start[last + 1] ?? -1] === '(' && last + 2 < tokens.count && classify(ctx, last + 2) === CNonPerson;
}

/** "Скотт Хоровитц (Scott Horowitz)": the Latin spelling in brackets right after a found name. */
function latinGloss(ctx: Context, last: number): { start: number; end: number } | undefined {
  const { tokens, text } = ctx;
  if (text[tokens.start[last + 1] ?? -1] !== '(') return undefined;
  let j = last + 2;
  const first = j;
  while (j < tokens.count && tokens.kind[j] === KCap && /^[A-Za-z]/.test(text[tokens.start[j] as number] as string)) j++;
  if (j === first || j - first > 4 || text[tokens.start[j] ?? -1] !== ')') return undefined;
  return { start: tokens.start[first] as number, end: tokens.end[j - 1] as number };
}
