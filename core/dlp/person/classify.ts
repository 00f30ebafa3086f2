/** What each token is to the person detector, looked up once and cached per text. */
import { FIRST_NAMES, NON_PERSON, SPEECH_VERBS, TITLES, hasSurnameShape, isPatronymic } from './lexicon.js';
import { Kind, MAX_WORD, type Tokens } from './tokenize.js';

export enum Cls {
  None,
  /** A first name that is never a common word: Иван, Барак. */
  First,
  /** A first name that is also a common word or a place: Вера, Лев, Владимир. */
  Ambiguous,
  Patronymic,
  /** Capitalized word shaped like a Russian surname: Петрова, Жуковский. */
  Surname,
  /** Any other capitalized word: Обама, Цукерберг, Вчера. */
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
  tokens: Tokens;
  lower: Array<string | undefined>;
  cls: Int8Array;
}

export function newContext(text: string, tokens: Tokens): Context {
  return { text, tokens, lower: new Array<string | undefined>(tokens.count), cls: new Int8Array(tokens.count).fill(-1) };
}

export function lowerOf(ctx: Context, i: number): string {
  let w = ctx.lower[i];
  if (w === undefined) {
    w = ctx.text.slice(ctx.tokens.start[i], ctx.tokens.end[i]).toLowerCase();
    ctx.lower[i] = w;
  }
  return w;
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
  if (kind === Kind.Other || length > MAX_WORD) return Cls.None;
  if (kind === Kind.Initial) {
    // "10 G. Из-за": a Latin letter before a Cyrillic word is no initial.
    let p = (tokens.end[i] as number) + 1;
    while (p < text.length && p < (tokens.end[i] as number) + 4 && (text[p] === ' ' || text[p] === '.')) p++;
    return p >= text.length || latin(text.charCodeAt(tokens.start[i] as number)) === latin(text.charCodeAt(p))
      ? Cls.Initial
      : Cls.None;
  }
  if (kind === Kind.Cap && length === 1) {
    // The last letter of "В.Л" (initials written without the final dot).
    const s = tokens.start[i] as number;
    return i >= 2 && tokens.kind[i - 2] === Kind.Initial && text.charCodeAt(s - 1) === 0x2e && tokens.end[i - 1] === s
      ? Cls.Initial
      : Cls.None;
  }
  const w = lowerOf(ctx, i);
  if (kind === Kind.Lower) {
    if (TITLES.has(w)) return Cls.Title;
    return SPEECH_VERBS.has(w) ? Cls.Speech : Cls.None;
  }
  if (TITLES.has(w)) return Cls.Title;
  const first = FIRST_NAMES.get(w);
  if (first !== undefined) return first ? Cls.Ambiguous : Cls.First;
  if (NON_PERSON.has(w)) return Cls.NonPerson;
  if (isPatronymic(w)) return Cls.Patronymic;
  if (hasSurnameShape(w)) return Cls.Surname;
  // All-capital words are acronyms (ОАО, ФИДЕ) unless shaped like a name (ИВАНОВ above).
  return kind === Kind.Caps ? Cls.None : Cls.Unknown;
}
