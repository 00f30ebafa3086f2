/**
 * One linear pass that splits text into words and single punctuation marks. Whitespace is not a
 * token; the gap between two tokens is read back from their offsets.
 */

export enum Kind {
  /** Capitalized word: Иванов, Жан-Мари, эль-Масри (particle-hyphen-capital). */
  Cap,
  /** Lower-case word. */
  Lower,
  /** All capitals, two letters or more: ОАО, ФИДЕ, ИВАНОВ. */
  Caps,
  /** One capital letter followed by a dot: the "И" of "И.И. Иванов". */
  Initial,
  /** Anything else: digits, one punctuation mark. */
  Other,
}

export interface Tokens {
  count: number;
  start: Int32Array;
  end: Int32Array;
  kind: Uint8Array;
}

/** Words longer than this are never names; they are kept as tokens but not looked up. */
export const MAX_WORD = 40;

export function isUpper(c: number): boolean {
  return (c >= 0x410 && c <= 0x42f) || c === 0x401 || (c >= 0x41 && c <= 0x5a) || (c >= 0xc0 && c <= 0xde && c !== 0xd7);
}

export function isLower(c: number): boolean {
  return (c >= 0x430 && c <= 0x44f) || c === 0x451 || (c >= 0x61 && c <= 0x7a) || (c >= 0xdf && c <= 0xff && c !== 0xf7);
}

const isLetter = (c: number): boolean => isUpper(c) || isLower(c);
const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xa0 || c === 0x2009 || c === 0x202f;
/** Joiners inside one word: hyphens and apostrophes (Жан-Мари, О'Нил). */
const isJoiner = (c: number): boolean => c === 0x2d || c === 0x2010 || c === 0x27 || c === 0x2019;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

let scratch = { start: new Int32Array(4096), end: new Int32Array(4096), kind: new Uint8Array(4096) };

/** Tokens of the text; valid until the next call. */
export function tokenize(text: string): Tokens {
  const n = text.length;
  // The arrays are reused from call to call (the detector is synchronous): big texts would
  // otherwise allocate megabytes of short-lived buffers each time.
  let { start, end, kind } = scratch;
  let cap = start.length;
  let count = 0;
  const push = (s: number, e: number, k: Kind): void => {
    if (count === cap) {
      cap *= 2;
      const s2 = new Int32Array(cap), e2 = new Int32Array(cap), k2 = new Uint8Array(cap);
      s2.set(start); e2.set(end); k2.set(kind);
      start = s2; end = e2; kind = k2;
      scratch = { start, end, kind };
    }
    start[count] = s; end[count] = e; kind[count] = k;
    count++;
  };

  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) { i++; continue; }
    if (isLetter(c)) {
      const s = i;
      let uppers = 0, letters = 0, lastPartUpper = isUpper(c), firstPartLen = 0;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (isLetter(d)) {
          letters++;
          if (isUpper(d)) uppers++;
          i++;
        } else if (isJoiner(d) && i + 1 < n && isLetter(text.charCodeAt(i + 1))) {
          if (firstPartLen === 0) firstPartLen = i - s;
          lastPartUpper = isUpper(text.charCodeAt(i + 1));
          i++;
        } else break;
      }
      let k: Kind;
      if (letters === 1 && uppers === 1) k = i < n && text.charCodeAt(i) === 0x2e ? Kind.Initial : Kind.Cap;
      else if (uppers === letters) k = Kind.Caps;
      else if (isUpper(c)) k = Kind.Cap;
      // "эль-Масри", "ван-Гог": a short lower-case particle joined to a capitalized name.
      else if (lastPartUpper && firstPartLen > 0 && firstPartLen <= 3) k = Kind.Cap;
      else k = Kind.Lower;
      push(s, i, k);
      continue;
    }
    if (isDigit(c)) {
      const s = i;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      push(s, i, Kind.Other);
      continue;
    }
    // One UTF-16 unit per punctuation token; a surrogate pair becomes two, which is harmless.
    push(i, i + 1, Kind.Other);
    i++;
  }
  // Views of the used part, so that reading past the last token gives undefined.
  return { count, start: start.subarray(0, count), end: end.subarray(0, count), kind: kind.subarray(0, count) };
}
