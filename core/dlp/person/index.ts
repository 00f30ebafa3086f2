/**
 * Person names in Russian text, dictionary and morphology based.
 *
 * Capitalized words and initials that stand next to each other form a chain ("Иванов И.И.",
 * "Анна Смирнова", "Ивану Петровичу Сидорову"). A chain is a person when it holds a known first
 * name, a patronymic or initials next to another word, or when a role word stands before it
 * ("истец Петрова", "директор фирмы Орлов") or a reported-speech verb next to it ("— сказал
 * Орлов"). Once a person is found, later and earlier mentions of the same surname in the same
 * text, in any case form, are persons too ("Соколов ... Соколову"); so are the Latin spelling in
 * brackets after a found name and, in a list where a found name has a place in brackets, the other
 * names in that shape. Names written in Latin letters on their own are latin.ts's. Linear in the
 * text length.
 */
import { lowerSameLength } from '../context.js';
import type { DetectedEntity } from '../types.js';
import { classify, Cls, isNamePart, lowerOf, newContext, afterPlaceWord, type Context } from './classify.js';
import { Kind, tokenize } from './tokenize.js';
import { NAMING_WORDS, lowerCaseNames } from './lowercase.js';
import { isListedSurname, isMalePatronymic, surnameKey } from './lexicon.js';
import { detectLatinPersons } from './latin.js';
import { latinSpellingAfter } from './transliteration.js';
import {
  NOMINATIVE_SURNAME, afterLocative, canBeSurname, loneNovel, organisationName, placeInBracketsAfter, speechAfterAtStart, quoted, sentenceStart, speechNear, titleBefore,
} from './context.js';

// Local copies: imported enum members are read through accessors in hot loops.
const { Cap: KCap, Lower: KLower, Other: KOther } = Kind;
const { Ambiguous: CAmbiguous, First: CFirst, Initial: CInitial, None: CNone, Patronymic: CPatronymic, Surname: CSurname, Unknown: CUnknown } = Cls;

interface Chain {
  /** Token indices of the name words, in order (their classes are in ctx.cls). */
  words: number[];
  /** Set by judge: no first name nor quotes, so a surname of a person found elsewhere in the text makes it a person. */
  surnameLike?: boolean;
  /** Set by judge: followed by a place in brackets ("Милош Кравчик (Чехия)"), a person when a found one is too. */
  placeAfter?: boolean;
}

/** `lower` is the text lowercased by lowerSameLength; the engine passes the copy all detectors share. */
export function detectPersons(text: string, lower = lowerSameLength(text)): DetectedEntity[] {
  const tokens = tokenize(text);
  const ctx = newContext(text, lower, tokens);
  const chains = buildChains(ctx);
  // A chain of Latin letters is a person where latin.ts, which knows English words, finds one
  // ("Appendix A. Terms" is none); found, its surname is known for the later mentions below.
  const latin = detectLatinPersons(text);
  const inLatinName = latinCover(latin);

  // Pass 1: chains that are persons on their own.
  const scores: number[] = [];
  let waiting = false;
  // Whether a found person is followed by a place in brackets: then the other names in that shape
  // are persons too (a list of players or delegates), while a list of clubs (Реал Мадрид (Испания)) is not.
  let placeListed = false;
  for (let c = 0; c < chains.length; c++) {
    const chain = chains[c] as Chain;
    let score = judge(ctx, chain);
    if (inLatin(ctx, chain)) score = inLatinName(tokens.start[chain.words[0] as number] as number, tokens.end[chain.words[chain.words.length - 1] as number] as number) ? 0.85 : 0;
    scores.push(score);
    if (score === 0 && chain.surnameLike) waiting = true;
    if (score > 0 && !placeListed) placeListed = placeInBracketsAfter(ctx, chain.words[chain.words.length - 1] as number);
  }
  // Pass 2: the chains that could be surnames, matched against the surnames of the found persons.
  const known = waiting ? knownSurnames(ctx, chains, scores) : undefined;
  const found: DetectedEntity[] = [];
  // Start of the last span pushed: a Latin spelling in brackets may also be found as a chain of its own.
  let lastStart = -1;
  const push = (from: number, to: number, score: number): void => {
    if (tokens.start[from] === lastStart) return;
    lastStart = tokens.start[from] as number;
    found.push({ type: 'PERSON', start: lastStart, end: tokens.end[to] as number, score });
  };
  for (let c = 0; c < chains.length; c++) {
    const chain = chains[c] as Chain;
    let score = scores[c] as number;
    if (score === 0 && chain.surnameLike && known !== undefined && known.size > 0 && chain.words.some((w) => known.has(surnameKey(lowerOf(ctx, w))))) {
      score = 0.8;
    }
    if (score === 0 && chain.placeAfter && placeListed) score = 0.7;
    if (score === 0) continue;
    push(chain.words[0] as number, chain.words[chain.words.length - 1] as number, score);
    // "Оливер Квиндлан (Oliver Quindlan)": the same person in Latin letters.
    const latin = latinSpellingAfter(ctx, chain.words);
    if (latin !== undefined) push(latin[0], latin[1], score);
  }
  lowerCaseNames(ctx, found);
  return withLatinNames(found, latin);
}

const inLatin = (ctx: Context, chain: Chain): boolean => chain.words.every((w) => isLatin(ctx.text.charCodeAt(ctx.tokens.start[w] as number)));

/** Whether [start, end) lies in one of the sorted, disjoint spans; asked with starts that only grow, so linear overall. */
function latinCover(spans: DetectedEntity[]): (start: number, end: number) => boolean {
  let i = 0;
  return (start, end) => {
    while (i < spans.length && (spans[i] as DetectedEntity).end <= start) i++;
    const span = spans[i];
    return span !== undefined && span.start <= start && end <= span.end;
  };
}

/**
 * Names in Latin letters (latin.ts: sorted, disjoint), in order: one replaces the spans above
 * that it holds ("Smith" in "Smith J.") and gives way to one it overlaps. Linear after the sort.
 */
function withLatinNames(found: DetectedEntity[], latin: DetectedEntity[]): DetectedEntity[] {
  if (latin.length === 0) return found;
  const byStart = (a: DetectedEntity, b: DetectedEntity) => a.start - b.start;
  // The only Latin span that can hold f is the last one starting at or before it.
  const kept: DetectedEntity[] = [];
  let l = 0;
  for (const f of found.slice().sort(byStart)) {
    while (l + 1 < latin.length && (latin[l + 1] as DetectedEntity).start <= f.start) l++;
    const span = latin[l] as DetectedEntity;
    if (!(span.start <= f.start && f.end <= span.end)) kept.push(f);
  }
  // A Latin span overlaps a kept one iff the furthest end among those starting before its end passes its start.
  const added: DetectedEntity[] = [];
  let k = 0;
  let furthest = -1;
  for (const span of latin) {
    for (; k < kept.length && (kept[k] as DetectedEntity).start < span.end; k++) furthest = Math.max(furthest, (kept[k] as DetectedEntity).end);
    if (furthest <= span.start) added.push(span);
  }
  return kept.concat(added).sort(byStart);
}

/** Surname keys (any case form) of the words of the chains found to be persons. */
function knownSurnames(ctx: Context, chains: Chain[], scores: number[]): Set<string> {
  const known = new Set<string>();
  for (let c = 0; c < chains.length; c++) {
    if (scores[c] === 0) continue;
    const { words } = chains[c] as Chain;
    // One surname-shaped word per person: in "Глеб Тарасюк Русской службы" the second is no name.
    let shaped = false;
    for (let k = 0; k < words.length; k++) {
      const cls = ctx.cls[words[k] as number];
      if (cls === CSurname && shaped) continue;
      shaped ||= cls === CSurname;
      // A word after the first that is also listed as a name can be the surname: "Дрейтон Лоуренс".
      if (cls === CSurname || cls === CUnknown || (cls === CAmbiguous && k > 0)) known.add(surnameKey(lowerOf(ctx, words[k] as number)));
    }
  }
  return known;
}

const isLatin = (c: number): boolean => c < 0x400;

const TURKIC_PATRONYMIC = new Set(['оглы', 'угли', 'кызы', 'гызы', 'кизи', 'улы', 'уулу']);
function isTurkicPatronymic(ctx: Context, i: number): boolean {
  const length = (ctx.tokens.end[i] as number) - (ctx.tokens.start[i] as number);
  return length >= 3 && length <= 4 && TURKIC_PATRONYMIC.has(lowerOf(ctx, i));
}

/** "son of" in Arabic and Hebrew names: ибн Сина, бин Ладен, бен Гурион. */
const SON_OF = new Set(['ибн', 'бин', 'бен']);
/** Whether token i is such a word right before a capitalized one. */
function isSonOf(ctx: Context, i: number): boolean {
  const { tokens } = ctx;
  return (tokens.end[i] as number) - (tokens.start[i] as number) === 3 && i + 1 < tokens.count && tokens.kind[i + 1] === KCap &&
    (tokens.start[i + 1] as number) - (tokens.end[i] as number) === 1 && SON_OF.has(lowerOf(ctx, i));
}

/** Name words joined by single spaces, or by the dot of an initial ("И.И.Иванов"). */
function buildChains(ctx: Context): Chain[] {
  const { tokens, text } = ctx;
  const chains: Chain[] = [];
  // Words of the chain being built.
  let cur: number[] = [];
  const close = (): void => {
    if (cur.length === 0) return;
    chains.push({ words: cur });
    cur = [];
  };
  let prevEnd = -1; // end of the previous chain word, including an initial's dot
  for (let i = 0; i < tokens.count; i++) {
    const c = tokens.kind[i] === KLower || tokens.kind[i] === KOther ? CNone : classify(ctx, i);
    // "Гейдар Алиев оглы", "Айгуль Кадыр кызы": a Turkic patronymic word closes the name.
    if (c === CNone && cur.length > 0 && tokens.kind[i] === KLower && (tokens.start[i] as number) - prevEnd === 1 && isTurkicPatronymic(ctx, i)) {
      ctx.cls[i] = CPatronymic;
      cur.push(i);
      close();
      continue;
    }
    // It works as a patronymic, and may open the name: "в трудах ибн Сины".
    if (c === CNone && tokens.kind[i] === KLower && isSonOf(ctx, i)) {
      if (cur.length > 0 && (tokens.start[i] as number) - prevEnd !== 1) close();
      ctx.cls[i] = CPatronymic;
      cur.push(i);
      prevEnd = tokens.end[i] as number;
      continue;
    }
    if (!isNamePart(c)) {
      close();
      continue;
    }
    const s = tokens.start[i] as number;
    // Joined by at most two spaces, or one line break: a blank line ends the chain, and so does a
    // change of alphabet ("компания Acme Орлов").
    const joined = cur.length > 0 && s - prevEnd <= 2 && !(s - prevEnd === 2 && text[prevEnd] === '\n' && text[prevEnd + 1] === '\n') &&
      isLatin(text.charCodeAt(s)) === isLatin(text.charCodeAt(tokens.start[cur[cur.length - 1] as number] as number));
    if (!joined) close();
    cur.push(i);
    prevEnd = tokens.end[i] as number;
    if (c === CInitial && i + 1 < tokens.count && text.charCodeAt(prevEnd) === 0x2e) {
      i++; // the dot belongs to the initial
      prevEnd++;
    }
  }
  close();
  const out: Chain[] = [];
  for (const chain of chains) {
    // Named after a person, but an address: "ул. Маршала Жукова", "проспект Мира", "город Королёв".
    if (afterPlaceWord(ctx, chain.words[0] as number)) continue;
    splitSentenceStart(ctx, trimLeadingUnknown(ctx, chain), out);
  }
  return out;
}

/**
 * "области Тамбов Ирина Орлова": unknown words before a first name are not part of it; before
 * a patronymic, the one just before it is the first name ("академик Ринат Ильдарович Сафин").
 */
function trimLeadingUnknown(ctx: Context, chain: Chain): Chain {
  const { words } = chain;
  let k = 0;
  while (k < words.length && ctx.cls[words[k] as number] === CUnknown) k++;
  const c = k < words.length ? ctx.cls[words[k] as number] : CNone;
  if (c === CPatronymic) k--;
  // Not before a name that is also a word or a surname: "Дрейтон Лоуренс", "Бо Цзяньлин".
  else if (c !== CFirst && c !== CInitial) return chain;
  return k <= 0 ? chain : { words: words.slice(k) };
}

/** A capitalized unknown word opening a sentence is usually not a name: "Вчера Иван пришёл". */
function splitSentenceStart(ctx: Context, chain: Chain, out: Chain[]): void {
  const head = chain.words[0] as number;
  if (chain.words.length > 1 && ctx.cls[head] === CUnknown && sentenceStart(ctx, head)) {
    out.push({ words: [head] });
    out.push({ words: chain.words.slice(1) });
  } else {
    out.push(chain);
  }
}

/** Score of a chain as a person, 0 when it is not one. */
function judge(ctx: Context, chain: Chain): number {
  if (organisationName(ctx, chain.words[0] as number)) return 0;
  // "меня зовут Максим": whatever follows a naming word is a name.
  const before = (chain.words[0] as number) - 1;
  if (before >= 0 && ctx.tokens.kind[before] === KLower && NAMING_WORDS.has(lowerOf(ctx, before))) return 0.9;
  const n = chain.words.length;
  let first = 0, ambiguous = 0, patronymic = 0, initials = 0, surnames = 0;
  for (let k = 0; k < n; k++) {
    const c = ctx.cls[chain.words[k] as number];
    if (c === CFirst) first++;
    else if (c === CAmbiguous) ambiguous++;
    else if (c === CPatronymic && (n > 1 || isMalePatronymic(lowerOf(ctx, chain.words[k] as number)))) patronymic++;
    else if (c === CInitial) initials++;
    else if (c === CSurname) surnames++;
  }
  if (initials === n) return 0;
  if (first > 0 || patronymic > 0) return 0.95;
  if (initials > 0) return 0.9;
  const head = chain.words[0] as number;
  // «Лада Гранта», «Спартак»: a quoted name without a sure name word names a thing.
  if (quoted(ctx, head, chain.words[n - 1] as number)) return 0;
  if (ambiguous > 0 && n > 1) return 0.85;
  // A later mention of a found surname counts whatever its shape: "Аркадий Зеленовский ... С
  // Зеленовским связаны" (an adjective-like form before a verb).
  chain.surnameLike = true;
  // The rest rests on context alone: every word must be able to be a surname.
  if (!chain.words.every((w) => canBeSurname(ctx, w, n > 1))) return 0;
  const title = titleBefore(ctx, head);
  if (title === 'strong' || (title === 'weak' && (surnames + ambiguous > 0 || n > 1))) return 0.85;
  if (n === 2 && surnames > 0 && ambiguous === 0 && !sentenceStart(ctx, head)) return 0.6;
  if (n >= 2 && n <= 3 && placeInBracketsAfter(ctx, chain.words[n - 1] as number)) chain.placeAfter = true;
  // A lone word shaped like a Russian surname inside a sentence: "полёт Гагарина", "с Ковальским".
  if (n === 1 && surnames === 1 && !afterLocative(ctx, head)) {
    if (!sentenceStart(ctx, head)) return 0.6;
    // "Зотов также подпишет", "Ашенбреннер заявил": sentence-initial, but shaped like a noun surname or a
    // listed one, before a lower-case word.
    const w = lowerOf(ctx, head);
    const surnameLike = (w.length >= 5 && NOMINATIVE_SURNAME.test(w)) || isListedSurname(w);
    if (surnameLike && head + 1 < ctx.tokens.count && ctx.tokens.kind[head + 1] === KLower) return 0.5;
  }
  // "встретился с Квиндланом": a word no dictionary holds, alone inside a sentence.
  if (n === 1 && surnames === 0 && loneNovel(ctx, head)) return 0.5;
  const lone = sentenceStart(ctx, head) && n === 1 && surnames === 0;
  if (n <= 2 && ambiguous === 0 && !lone && speechNear(ctx, head, chain.words[n - 1] as number)) return 0.7;
  // "Квельбранд объявил, что", "Окацури считает": an unknown word opening a sentence right before a verb of speech.
  if (lone && speechAfterAtStart(ctx, head)) return 0.6;
  return 0;
}
