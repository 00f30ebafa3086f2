/**
 * Names typed in lower case, found only where morphology or context leaves no doubt:
 * - a listed first name right before a patronymic, with an adjacent surname-shaped word taken
 *   along: "иванов пётр сергеевич", "пётр сергеевич иванов", "вера ивановна";
 * - a listed first name right after "зовут"/"звать": "меня зовут азамат".
 * Ordinary lower-case words never qualify alone, so text without such pairs is not over-masked.
 */
import { lowerOf, type Context } from './classify.js';
import { W_AMBIGUOUS, W_FIRST, WORD_FLAGS, hasSurnameShape, isMalePatronymic, isPatronymic } from './lexicon.js';
import { Kind } from './tokenize.js';
import type { DetectedEntity } from '../types.js';

const { Lower: KLower } = Kind;
const CHE = 0x447, EN = 0x43d, ZE = 0x437;

/** Lower-case naming words: "меня зовут Азамат", "его звали Ильдус". */
export const NAMING_WORDS = new Set(['зовут', 'звали', 'звать', 'зовусь', 'зовется', 'зовётся']);

/** Whether token j is a lower-case word joined to token i by one space (j = i ± 1). */
function joined(ctx: Context, a: number, b: number): boolean {
  const { tokens } = ctx;
  return a >= 0 && b < tokens.count && tokens.kind[a] === KLower && tokens.kind[b] === KLower &&
    (tokens.start[b] as number) - (tokens.end[a] as number) === 1;
}

/** A cheap test before the regex: every patronymic form has "ч" or "н" among its last five letters. */
function mayBePatronymic(lower: string, start: number, end: number): boolean {
  if (end - start < 6) return false;
  for (let p = end - 1; p >= end - 5; p--) {
    const c = lower.charCodeAt(p);
    if (c === CHE || c === EN) return true;
  }
  return false;
}

const PATRONYMIC_SUFFIX = /(?:ович|евич|овн|евн|ичн|инична)[а-я]{0,2}$/;

/** Whether a patronymic is made of a listed first name: Ивановна ← Иван, Сергеевна ← Сергей. */
function ofListedName(patronymic: string): boolean {
  const root = patronymic.replace(PATRONYMIC_SUFFIX, '');
  return root !== patronymic && [root, `${root}й`, `${root}ь`].some((w) => ((WORD_FLAGS.get(w) ?? 0) & W_FIRST) !== 0);
}

function firstNameFlags(ctx: Context, i: number): number {
  return WORD_FLAGS.get(lowerOf(ctx, i)) ?? 0;
}

export function lowerCaseNames(ctx: Context, out: DetectedEntity[]): void {
  const { tokens, lower } = ctx;
  const span = (from: number, to: number, score: number): void => {
    out.push({ type: 'PERSON', start: tokens.start[from] as number, end: tokens.end[to] as number, score });
  };
  for (let i = 0; i < tokens.count; i++) {
    if (tokens.kind[i] !== KLower) continue;
    const s = tokens.start[i] as number, e = tokens.end[i] as number;
    // "меня зовут азамат": any listed first name, then a patronymic and a surname if they follow.
    if (lower.charCodeAt(s) === ZE && NAMING_WORDS.has(lowerOf(ctx, i)) && joined(ctx, i, i + 1) && firstNameFlags(ctx, i + 1) & W_FIRST) {
      let last = i + 1;
      while (last - i < 3 && joined(ctx, last, last + 1) && (isPatronymic(lowerOf(ctx, last + 1)) || hasSurnameShape(lowerOf(ctx, last + 1)))) last++;
      span(i + 1, last, 0.9);
      i = last;
      continue;
    }
    if (!mayBePatronymic(lower, s, e) || !joined(ctx, i - 1, i)) continue;
    const patronymic = lowerOf(ctx, i);
    if (!isPatronymic(patronymic)) continue;
    const flags = firstNameFlags(ctx, i - 1);
    // A name that is also a word ("вера") only before a patronymic that is surely one: a male one, or
    // one made of a listed name ("ивановна"); "виновна" and other adjectives in -овна are not.
    if (!(flags & W_FIRST) || (flags & W_AMBIGUOUS && !isMalePatronymic(patronymic) && !ofListedName(patronymic))) continue;
    let from = i - 1, to = i;
    if (joined(ctx, from - 1, from) && hasSurnameShape(lowerOf(ctx, from - 1))) from--;
    else if (joined(ctx, to, to + 1) && hasSurnameShape(lowerOf(ctx, to + 1))) to++;
    span(from, to, 0.9);
    i = to;
  }
}
