/**
 * A foreign name in Cyrillic is often followed by its own spelling in brackets: "Оливер Квиндлан
 * (Oliver Quindlan)", "Карима аль-Зухайри (Karim al-Zuhairi)". The Latin words are the same person when
 * they read as a transliteration of the last Cyrillic ones: no more words, and each first letter
 * one a Cyrillic letter may be written with. "(Reuters)", "(CNN)" after a name are not.
 */
import type { Context } from './classify.js';
import { Kind } from './tokenize.js';

const { Cap: KCap, Caps: KCaps, Other: KOther } = Kind;

/** Latin letters a word starting with a Cyrillic letter may start with (Дж → J, Х → Kh/H/J, Э → E/A/I). */
const FIRST_LETTERS: Record<string, string> = {
  а: 'ae', б: 'b', в: 'vw', г: 'ghj', д: 'dj', е: 'eyj', ё: 'yje', ж: 'jzg', з: 'zsx', и: 'iey', й: 'yji', к: 'kcqx',
  л: 'l', м: 'm', н: 'n', о: 'oa', п: 'p', р: 'r', с: 'scz', т: 't', у: 'uwoy', ф: 'fp', х: 'hkjcx', ц: 'tcz', ч: 'ct',
  ш: 'sc', щ: 's', ы: 'y', э: 'eaiy', ю: 'yju', я: 'yj',
};

/** Whether two words may be one name in two alphabets, by their first letters after a particle (эль-, el-). */
function compatible(cyrillic: string, latin: string): boolean {
  const c = cyrillic.slice(cyrillic.lastIndexOf('-') + 1).charAt(0);
  const l = latin.slice(latin.lastIndexOf('-') + 1).charAt(0);
  return (FIRST_LETTERS[c] ?? '').includes(l);
}

const isLatin = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/**
 * Token range [from, to] of the Latin spelling in brackets right after the Cyrillic name words
 * (token indices, in order), or undefined when there is none or it does not match.
 */
export function latinSpellingAfter(ctx: Context, words: number[]): [number, number] | undefined {
  const { tokens, text, lower } = ctx;
  const last = words[words.length - 1] as number;
  const open = last + 1;
  if (open >= tokens.count || tokens.kind[open] !== KOther || text[tokens.start[open] as number] !== '(') return undefined;
  if ((tokens.start[open] as number) - (tokens.end[last] as number) > 1) return undefined;
  let close = open + 1;
  while (close < tokens.count && close - open <= words.length && (tokens.kind[close] === KCap || tokens.kind[close] === KCaps)) {
    if (!isLatin(text.charCodeAt(tokens.start[close] as number))) return undefined;
    close++;
  }
  const n = close - open - 1;
  if (n === 0 || close >= tokens.count || text[tokens.start[close] as number] !== ')') return undefined;
  // The Latin words spell the last Cyrillic ones: "оператор Аль-Мадины Карим аль-Зухайри (Karim al-Zuhairi)".
  const skip = words.length - n;
  for (let k = 0; k < n; k++) {
    const c = words[skip + k] as number, l = open + 1 + k;
    const cyr = lower.slice(tokens.start[c] as number, tokens.end[c] as number);
    if (!compatible(cyr, lower.slice(tokens.start[l] as number, tokens.end[l] as number))) return undefined;
  }
  return [open + 1, close - 1];
}
