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
import { lowerSameLength } from '../context.js';
import type { DetectedEntity } from '../types.js';
import { classify, Cls, isNamePart, lowerOf, newContext, afterPlaceWord, type Context } from './classify.js';
import { Kind, tokenize } from './tokenize.js';
import { isMalePatronymic, surnameKey } from './lexicon.js';
import {
  NOMINATIVE_SURNAME, afterLocative, canBeSurname, countryAfter, glossAfter, latinGloss, organisationName, quoted, sentenceStart, speechNear,
  titleBefore,
} from './context.js';

// Local copies: imported enum members are read through accessors in hot loops.
const { Lower: KLower, Other: KOther } = Kind;
const { Ambiguous: CAmbiguous, First: CFirst, Initial: CInitial, None: CNone, Patronymic: CPatronymic, Surname: CSurname, Unknown: CUnknown } = Cls;

interface Chain {
  /** Token indices of the name words, in order (their classes are in ctx.cls). */
  words: number[];
  /** Set by judge: every word may be a surname, so a surname seen elsewhere in the text makes it a person. */
  surnameLike?: boolean;
}

/** `lower` is the text lowercased by lowerSameLength; the engine passes the copy all detectors share. */
export function detectPersons(text: string, lower = lowerSameLength(text)): DetectedEntity[] {
  const tokens = tokenize(text);
  const ctx = newContext(text, lower, tokens);
  const chains = buildChains(ctx);

  // Pass 1: chains that are persons on their own.
  const scores: number[] = [];
  let waiting = false;
  for (let c = 0; c < chains.length; c++) {
    const chain = chains[c] as Chain;
    const score = judge(ctx, chain);
    scores.push(score);
    if (score === 0 && chain.surnameLike) waiting = true;
  }
  // Pass 2: the chains that could be surnames, matched against the surnames of the found persons.
  const known = waiting ? knownSurnames(ctx, chains, scores) : undefined;
  const found: DetectedEntity[] = [];
  for (let c = 0; c < chains.length; c++) {
    const chain = chains[c] as Chain;
    let score = scores[c] as number;
    if (score === 0 && chain.surnameLike && known !== undefined && known.size > 0 && chain.words.some((w) => known.has(surnameKey(lowerOf(ctx, w))))) {
      score = 0.8;
    }
    if (score === 0) continue;
    const first = chain.words[0] as number, last = chain.words[chain.words.length - 1] as number;
    found.push({ type: 'PERSON', start: tokens.start[first] as number, end: tokens.end[last] as number, score });
    const latin = latinGloss(ctx, last);
    if (latin) found.push({ type: 'PERSON', ...latin, score: score * 0.9 });
  }
  return found;
}

/** Surname keys (any case form) of the words of the chains found to be persons. */
function knownSurnames(ctx: Context, chains: Chain[], scores: number[]): Set<string> {
  const known = new Set<string>();
  for (let c = 0; c < chains.length; c++) {
    if (scores[c] === 0) continue;
    for (const w of (chains[c] as Chain).words) {
      if (ctx.cls[w] === CSurname || ctx.cls[w] === CUnknown) known.add(surnameKey(lowerOf(ctx, w)));
    }
  }
  return known;
}

const isLatin = (c: number): boolean => c < 0x400;

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
    if (!isNamePart(c)) {
      close();
      continue;
    }
    const s = tokens.start[i] as number;
    // Joined by at most two spaces, or one line break: a blank line ends the chain, and so does a
    // change of alphabet ("ИА Regnum Минченко").
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
 * "штата Аризона Гэбриэль Гиффордс": unknown words before a first name are not part of it; before
 * a patronymic, the one just before it is the first name ("академик Роальд Зиннурович Сагдеев").
 */
function trimLeadingUnknown(ctx: Context, chain: Chain): Chain {
  const { words } = chain;
  let k = 0;
  while (k < words.length && ctx.cls[words[k] as number] === CUnknown) k++;
  const c = k < words.length ? ctx.cls[words[k] as number] : CNone;
  if (c === CPatronymic) k--;
  else if (c !== CFirst && c !== CAmbiguous && c !== CInitial) return chain;
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
  if (ambiguous > 0 && n > 1) return 0.85;
  // The rest rests on context alone: every word must be able to be a surname.
  if (!chain.words.every((w) => canBeSurname(ctx, w))) return 0;
  const head = chain.words[0] as number;
  if (quoted(ctx, head, chain.words[n - 1] as number)) return 0;
  chain.surnameLike = ambiguous === 0;
  const title = titleBefore(ctx, head);
  if (title === 'strong' || (title === 'weak' && (surnames + ambiguous > 0 || n > 1))) return 0.85;
  if (n === 2 && surnames > 0 && ambiguous === 0 && !sentenceStart(ctx, head)) return 0.6;
  const last = chain.words[n - 1] as number;
  if (ambiguous === 0 && (glossAfter(ctx, last) || (n >= 2 && countryAfter(ctx, last)))) return 0.7;
  // A lone word shaped like a Russian surname inside a sentence: "полёт Гагарина", "с Ратманским".
  if (n === 1 && surnames === 1 && !afterLocative(ctx, head)) {
    if (!sentenceStart(ctx, head)) return 0.6;
    // "Путин также подпишет": sentence-initial, but shaped like a noun surname, before a verb.
    const w = lowerOf(ctx, head);
    if (w.length >= 5 && NOMINATIVE_SURNAME.test(w) && head + 1 < ctx.tokens.count && ctx.tokens.kind[head + 1] === KLower) return 0.5;
  }
  const lone = sentenceStart(ctx, head) && n === 1 && surnames === 0;
  if (n <= 2 && ambiguous === 0 && !lone && speechNear(ctx, head, chain.words[n - 1] as number)) return 0.7;
  return 0;
}
