/**
 * One linear pass that splits text into words and single punctuation marks. Whitespace is not a
 * token; the gap between two tokens is read back from their offsets.
 */

export enum Kind {
  /** Capitalized word: Иванов, Жан-Мари, аль-Зухайри (particle-hyphen-capital). */
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

/** Offsets and kinds of tokens 0..count-1; entries from `count` on are stale. */
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

// Character classes as bits of one table lookup: the tokenizer looks at every character of the text.
const UPPER = 1, LOWER = 2, SPACE = 4, JOINER = 8, DIGIT = 16;
const LETTER = UPPER | LOWER;
/** Classes of all UTF-16 code units (64 KB, one lookup per character without a range check). */
const CLASS = new Uint8Array(0x10000);
for (let c = 0; c < 0x10000; c++) {
  CLASS[c] = (isUpper(c) ? UPPER : 0) | (isLower(c) ? LOWER : 0) |
    (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xa0 || c === 0x2009 || c === 0x202f ? SPACE : 0) |
    // Joiners inside one word: hyphens and apostrophes (Жан-Мари, О'Нил).
    (c === 0x2d || c === 0x2010 || c === 0x27 || c === 0x2019 ? JOINER : 0) |
    (c >= 0x30 && c <= 0x39 ? DIGIT : 0);
}

let scratch = { start: new Int32Array(4096), end: new Int32Array(4096), kind: new Uint8Array(4096) };

/** Tokens of the text; valid until the next call. */
export function tokenize(text: string): Tokens {
  const n = text.length;
  // The arrays are reused from call to call (the detector is synchronous): big texts would
  // otherwise allocate megabytes of short-lived buffers each time.
  let { start, end, kind } = scratch;
  let count = 0;
  let i = 0;
  while (i < n) {
    // Each round adds at most one token.
    if (count === start.length) {
      const cap = 2 * count;
      const s2 = new Int32Array(cap), e2 = new Int32Array(cap), k2 = new Uint8Array(cap);
      s2.set(start); e2.set(end); k2.set(kind);
      scratch = { start: (start = s2), end: (end = e2), kind: (kind = k2) };
    }
    const c = text.charCodeAt(i);
    const cc = CLASS[c] as number;
    if (cc & SPACE) { i++; continue; }
    if (cc & LETTER) {
      const s = i;
      // Letters = characters minus joiners; most characters are lower-case letters (the first test).
      let uppers = 0, joiners = 0, lastPartUpper = (cc & UPPER) !== 0, firstPartLen = 0;
      while (i < n) {
        const dc = CLASS[text.charCodeAt(i)] as number;
        if (dc === LOWER) i++;
        else if (dc & UPPER) {
          uppers++;
          i++;
        } else if (dc & JOINER && i + 1 < n && (CLASS[text.charCodeAt(i + 1)] as number) & LETTER) {
          if (firstPartLen === 0) firstPartLen = i - s;
          lastPartUpper = ((CLASS[text.charCodeAt(i + 1)] as number) & UPPER) !== 0;
          joiners++;
          i++;
        } else break;
      }
      const letters = i - s - joiners;
      let k: Kind;
      if (letters === 1 && uppers === 1) k = i < n && text.charCodeAt(i) === 0x2e ? Kind.Initial : Kind.Cap;
      else if (uppers === letters) k = Kind.Caps;
      else if (cc & UPPER) k = Kind.Cap;
      // "аль-Зухайри", "ван-Гог": a short lower-case particle joined to a capitalized name.
      else if (lastPartUpper && firstPartLen > 0 && firstPartLen <= 3) k = Kind.Cap;
      else k = Kind.Lower;
      start[count] = s; end[count] = i; kind[count++] = k;
      continue;
    }
    if (cc & DIGIT) {
      const s = i;
      while (i < n && (CLASS[text.charCodeAt(i)] as number) & DIGIT) i++;
      start[count] = s; end[count] = i; kind[count++] = Kind.Other;
      continue;
    }
    // One UTF-16 unit per punctuation token; a surrogate pair becomes two, which is harmless.
    start[count] = i; end[count] = i + 1; kind[count++] = Kind.Other;
    i++;
  }
  // The arrays themselves, not views of their used part (a view costs more than a short text's
  // tokens): entries from `count` on are stale, callers check indices against `count`.
  return { count, start, end, kind };
}
