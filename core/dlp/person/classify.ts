/** What each token is to the person detector, looked up once and cached per text. */
import { W_AMBIGUOUS, W_FIRST, W_NON_PERSON, W_SPEECH, W_SURNAME, W_TITLE, WORD_FLAGS, hasSurnameShape, isPatronymic, mayBeListed, mayBeRoleOrSpeech } from './lexicon.js';
import { Kind, MAX_WORD, isLower, isUpper, type Tokens } from './tokenize.js';

// Local copies: imported enum members are read through accessors in hot loops.
const { Cap: KCap, Caps: KCaps, Initial: KInitial, Lower: KLower, Other: KOther } = Kind;

export enum Cls {
  None,
  /** A first name that is never a common word: Иван, Азамат. */
  First,
  /** A first name that is also a common word or a place: Вера, Лев, Владимир. */
  Ambiguous,
  Patronymic,
  /** Capitalized word shaped like a Russian surname: Петрова, Жуковский. */
  Surname,
  /** Any other capitalized word: Смит, Гарсия, Вчера. */
  Unknown,
  Initial,
  /** Role word: истец, судья, президент. */
  Title,
  /** Place, month, institution: never part of a name. */
  NonPerson,
  /** Reported-speech verb: сказал, заявила. */
  Speech,
}

export interface Context {
  text: string;
  /** The text lowercased with the same length (lowerSameLength), so token offsets hold in it. */
  lower: string;
  tokens: Tokens;
  cls: Int8Array;
}

let scratch = new Int8Array(4096);

/** Per-text state; its class cache is reused from call to call (the detector is synchronous). */
export function newContext(text: string, lower: string, tokens: Tokens): Context {
  if (scratch.length < tokens.count) scratch = new Int8Array(tokens.count * 2);
  scratch.fill(-1, 0, tokens.count);
  return { text, lower, tokens, cls: scratch };
}

/** Not cached: classes are cached, and few words are looked at twice. */
export function lowerOf(ctx: Context, i: number): string {
  return ctx.lower.slice(ctx.tokens.start[i], ctx.tokens.end[i]);
}

export function isNamePart(c: Cls): boolean {
  return c === Cls.First || c === Cls.Ambiguous || c === Cls.Patronymic || c === Cls.Surname || c === Cls.Unknown || c === Cls.Initial;
}

const latin = (c: number): boolean => c < 0x400;

export function classify(ctx: Context, i: number): Cls {
  const cached = ctx.cls[i] as number;
  if (cached >= 0) return cached;
  const c = compute(ctx, i);
  ctx.cls[i] = c;
  return c;
}

function compute(ctx: Context, i: number): Cls {
  const { tokens, text } = ctx;
  const kind = tokens.kind[i];
  const length = (tokens.end[i] as number) - (tokens.start[i] as number);
  if (kind === KOther || length > MAX_WORD) return Cls.None;
  if (kind === KInitial) {
    // "10 G. Из-за": a Latin letter before a Cyrillic word is no initial.
    let p = (tokens.end[i] as number) + 1;
    while (p < text.length && p < (tokens.end[i] as number) + 4 && (text[p] === ' ' || text[p] === '.')) p++;
    const next = text.charCodeAt(p); // NaN past the end
    const nextIsLetter = isUpper(next) || isLower(next);
    return !nextIsLetter || latin(text.charCodeAt(tokens.start[i] as number)) === latin(next) ? Cls.Initial : Cls.None;
  }
  if (kind === KCap && length === 1) {
    // The last letter of "В.Л" (initials written without the final dot).
    const s = tokens.start[i] as number;
    return i >= 2 && tokens.kind[i - 2] === KInitial && text.charCodeAt(s - 1) === 0x2e && tokens.end[i - 1] === s
      ? Cls.Initial
      : Cls.None;
  }
  const start = tokens.start[i] as number, end = tokens.end[i] as number;
  if (kind === KLower && !mayBeRoleOrSpeech(ctx.lower, start, end)) return Cls.None;
  const w = lowerOf(ctx, i);
  const flags = mayBeListed(ctx.lower, start, end) ? (WORD_FLAGS.get(w) ?? 0) : 0;
  if (flags & W_TITLE) return Cls.Title;
  if (kind === KLower) return flags & W_SPEECH ? Cls.Speech : Cls.None;
  if (flags & W_FIRST) return flags & W_AMBIGUOUS ? Cls.Ambiguous : Cls.First;
  if (flags & W_NON_PERSON) return Cls.NonPerson;
  if (isPatronymic(w)) return Cls.Patronymic;
  if (flags & W_SURNAME || hasSurnameShape(w) || (kind === KCap && particleName(w, text.charCodeAt(start)))) return Cls.Surname;
  // All-capital words are acronyms (ОАО, ФИДЕ) unless shaped like a name (ИВАНОВ above).
  return kind === KCaps ? Cls.None : Cls.Unknown;
}

/** Lower-case particles of hyphenated names: аль-Зухайри, ибн-Сина, ад-Дин, ван-Гог, де-Голль. */
export const NAME_PARTICLES = new Set(['аль', 'эль', 'ал', 'ас', 'ад', 'ан', 'ар', 'аш', 'ат', 'аз', 'эд', 'эр', 'эс', 'эш', 'ибн', 'бин', 'бен', 'абу', 'ван', 'фон', 'де', 'ди', 'да', 'дю', 'ла', 'ле']);

/**
 * "аль-Зухайри": a lower-case particle joined to a capital is a surname. Place and organisation names
 * capitalize the particle (Эль-Кувейт, Аль-Мадина), so those stay unknown words.
 */
function particleName(lower: string, first: number): boolean {
  const hyphen = lower.indexOf('-');
  return isLower(first) && hyphen > 0 && NAME_PARTICLES.has(lower.slice(0, hyphen));
}

/** Words that make the capitalized words after them a place, not a person. */
const PLACE_WORDS = new Set([
  'город', 'городе', 'городу', 'городом', 'село', 'села', 'селе', 'деревня', 'деревни', 'деревне',
  'посёлок', 'поселок', 'посёлка', 'поселка', 'посёлке', 'поселке', 'пгт', 'станица', 'станицы', 'станице',
  'улица', 'улицы', 'улице', 'улицу', 'проспект', 'проспекта', 'проспекте', 'пр-т', 'пр-кт', 'переулок',
  'переулка', 'переулке', 'площадь', 'площади', 'бульвар', 'бульвара', 'бульваре', 'б-р', 'шоссе', 'набережная',
  'набережной', 'проезд', 'проезда', 'проезде', 'аллея', 'аллеи', 'тупик', 'микрорайон', 'микрорайона', 'метро',
  'станция', 'станции', 'аэропорт', 'аэропорта', 'аэропорту', 'мкр',
  // Particles of foreign place names: Сан Луис, Эль Сальвадор, Коста Рика.
  'сан', 'санта', 'эль', 'лос', 'лас', 'сент', 'нью', 'рио', 'коста', 'аль', 'порт',
]);
/** The same, abbreviated with a dot: "г. Москва", "ул. Ленина". */
const PLACE_ABBREVIATIONS = new Set(['г', 'гор', 'с', 'д', 'пос', 'п', 'ул', 'пр', 'просп', 'пер', 'пл', 'наб', 'ш', 'мкр', 'ст']);

/** A place word before token i, directly or across up to two capitalized words ("ул. Маршала Жукова"). */
export function afterPlaceWord(ctx: Context, i: number): boolean {
  const { tokens } = ctx;
  for (let k = i, steps = 0; k > 0 && steps < 3; k--, steps++) {
    if (placeWordBefore(ctx, k)) return true;
    if (tokens.kind[k - 1] !== KCap || (tokens.end[k - 1] as number) + 1 !== tokens.start[k]) return false;
  }
  return false;
}

function placeWordBefore(ctx: Context, i: number): boolean {
  const { tokens, text } = ctx;
  let j = i - 1;
  const dotted = j >= 0 && tokens.kind[j] === KOther && text[tokens.start[j] as number] === '.';
  if (dotted) j--;
  if (j < 0 || (tokens.end[j] as number) + 3 < (tokens.start[i] as number)) return false;
  // A dotted abbreviation is lower-case: "А.С. Пушкин" has an initial С, not the "с." of a village.
  if (dotted) return tokens.kind[j] === KLower && PLACE_ABBREVIATIONS.has(lowerOf(ctx, j));
  return (tokens.kind[j] === KLower || tokens.kind[j] === KCap) && PLACE_WORDS.has(lowerOf(ctx, j));
}
