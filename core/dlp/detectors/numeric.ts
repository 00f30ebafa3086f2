/**
 * Digit-run scanner for every numeric identifier (INN, SNILS, OGRN, OGRNIP, cards, accounts, BIK,
 * passports, OMS policies, phones). One linear pass finds maximal runs of digit groups joined by
 * short separators; then group ranges of an identifier's length are validated (checksum first,
 * context words second). No backtracking regex ever sees a long digit run.
 */
import {
  hasCardPrefix,
  isAccountValidForBik,
  isPlausibleBik,
  isValidInn,
  isValidLuhn,
  isValidOgrn,
  isValidOgrnip,
  isValidSnils,
} from '../checksums.js';
import { contextBefore, hasContextKind, isLetterCode, kindsOf, type ContextKind } from '../context.js';
import type { DetectedEntity, PiiType } from '../types.js';

/** Separators allowed between digit groups of one identifier (up to MAX_SEP of them in a row). */
function isSeparator(code: number): boolean {
  return code === 32 || code === 45 || code === 40 || code === 41 || code === 0xa0 || code === 0x202f || code === 0x2009 || (code >= 0x2010 && code <= 0x2014);
}
const MAX_SEP = 4;
/** Longest identifier (bank account) in digits. */
const MAX_DIGITS = 20;

/**
 * Digit runs, stored flat to keep a megabyte of digits from allocating an object per run:
 * `runs` holds [spanStart, hasPlus (0/1), firstGroup, groupCount] per run, `groups` holds
 * [start, end) per digit group. Runs with fewer than MIN_DIGITS digits are dropped.
 */
interface DigitRuns {
  runs: number[];
  groups: number[];
}

const MIN_DIGITS = 6;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

const NEXT_DIGIT = /[0-9]/g;

/** All maximal digit runs, in order. Linear: each character is looked at a bounded number of times. */
function findDigitRuns(text: string): DigitRuns {
  const runs: number[] = [];
  const groups: number[] = [];
  // Used length of `groups`: a dropped run's groups are overwritten (cutting an array's length is slow).
  let used = 0;
  const n = text.length;
  let i = 0;
  for (;;) {
    // The regex engine skips text without digits much faster than a character loop.
    NEXT_DIGIT.lastIndex = i;
    if (!NEXT_DIGIT.test(text)) break;
    i = NEXT_DIGIT.lastIndex - 1;
    let start = i;
    let hasPlus = 0;
    if (text.charCodeAt(i - 1) === 40) start = i - 1;
    if (text.charCodeAt(start - 1) === 43) {
      start--;
      hasPlus = 1;
    }
    const firstGroup = used / 2;
    let digits = 0;
    for (;;) {
      const gs = i;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      groups[used++] = gs;
      groups[used++] = i;
      digits += i - gs;
      let j = i;
      while (j < n && j - i < MAX_SEP && isSeparator(text.charCodeAt(j))) j++;
      if (j > i && j < n && isDigit(text.charCodeAt(j))) i = j;
      else break;
    }
    // "(495) 123-45-67" starts at the bracket; "ИНН (7707083893)" starts at the digit.
    const groupCount = used / 2 - firstGroup;
    const firstDigit = groups[2 * firstGroup] as number;
    if (start < firstDigit && text.charCodeAt(firstDigit - 1) === 40 && (groupCount === 1 || text.charCodeAt(groups[2 * firstGroup + 1] as number) !== 41)) {
      start = firstDigit;
      hasPlus = 0;
    }
    if (digits >= MIN_DIGITS) runs.push(start, hasPlus, firstGroup, groupCount);
    else used = firstGroup * 2;
  }
  groups.length = used;
  return { runs, groups };
}

interface Found {
  type: PiiType;
  score: number;
}

interface Shape {
  digits: string;
  /** Group lengths, e.g. [3, 3, 3, 2]. */
  lens: number[];
  hasPlus: boolean;
  /** A group enclosed in brackets: "(916)". */
  hasBracket: boolean;
}

function sameLens(a: number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function isRuPhone(s: Shape): boolean {
  const { digits } = s;
  const n = digits.length;
  if (n === 11 && (digits[0] === '7' || digits[0] === '8')) return digits[1] !== undefined && digits[1] >= '3';
  return false;
}

/** Digit counts a context word announces: a number of that length right after it is that identifier or nothing. */
const CLAIMED: Partial<Record<ContextKind, (n: number) => boolean>> = {
  // (A non-personal keyword claims any number near it; see contextHits.)
  inn: (n) => n === 10 || n === 12,
  snils: (n) => n === 11,
  ogrn: (n) => n === 13 || n === 15,
  card: (n) => n >= 13 && n <= 19,
  account: (n) => n === 20,
  bik: (n) => n === 9,
  passport: (n) => n === 9 || n === 10,
  oms: (n) => n === 16,
};

function byContext(s: Shape, kind: ContextKind, biks: string[]): Found | null {
  const { digits, lens } = s;
  const n = digits.length;
  switch (kind) {
    case 'inn':
      return (n === 10 || n === 12) && isValidInn(digits) ? { type: 'INN', score: 0.99 } : null;
    case 'snils':
      return n === 11 && isValidSnils(digits) ? { type: 'SNILS', score: 0.99 } : null;
    case 'ogrn':
      if (n === 13 && isValidOgrn(digits)) return { type: 'OGRN', score: 0.99 };
      return n === 15 && isValidOgrnip(digits) ? { type: 'OGRNIP', score: 0.99 } : null;
    case 'card':
      return n >= 13 && n <= 19 && isValidLuhn(digits) ? { type: 'CARD', score: 0.97 } : null;
    case 'account':
      if (n !== 20) return null;
      if (biks.length > 0) return biks.some((b) => isAccountValidForBik(digits, b)) ? { type: 'BANK_ACCOUNT', score: 0.99 } : null;
      return { type: 'BANK_ACCOUNT', score: 0.85 };
    case 'bik':
      return isPlausibleBik(digits) ? { type: 'BIK', score: 0.95 } : null;
    case 'passport':
      if (n === 10 && (lens.length === 1 || sameLens(lens, [4, 6]) || sameLens(lens, [2, 2, 6]))) return { type: 'PASSPORT', score: 0.9 };
      if (n === 9 && (lens.length === 1 || sameLens(lens, [2, 7]))) return { type: 'PASSPORT', score: 0.85 };
      return null;
    case 'division':
      return sameLens(lens, [3, 3]) ? { type: 'PASSPORT', score: 0.9 } : null;
    case 'phone':
      if (isRuPhone(s)) return { type: 'PHONE', score: 0.97 };
      if (n === 10 && '3489'.includes(digits[0] as string)) return { type: 'PHONE', score: 0.9 };
      if (n === 7 && sameLens(lens, [3, 2, 2])) return { type: 'PHONE', score: 0.7 };
      return null;
    case 'oms':
      return n === 16 ? { type: 'OMS_POLICY', score: 0.9 } : null;
    default:
      return null;
  }
}

/** Formats distinctive enough to report without a context word. */
function byShape(s: Shape, biks: string[]): Found | null {
  const { digits, lens } = s;
  const n = digits.length;
  if (s.hasPlus) return n >= 8 && n <= 15 ? { type: 'PHONE', score: n === 11 && digits[0] === '7' ? 0.98 : 0.9 } : null;
  if (isThousands(lens)) return null;
  if (n === 11 && sameLens(lens, [3, 3, 3, 2]) && isValidSnils(digits)) return { type: 'SNILS', score: 0.95 };
  if (isRuPhone(s)) return { type: 'PHONE', score: 0.9 };
  if (s.hasBracket && n === 10) return { type: 'PHONE', score: 0.9 };
  if (n === 16 && sameLens(lens, [4, 4, 4, 4]) && hasCardPrefix(digits) && isValidLuhn(digits)) return { type: 'CARD', score: 0.9 };
  if (n === 20 && biks.length > 0 && biks.some((b) => isAccountValidForBik(digits, b))) return { type: 'BANK_ACCOUNT', score: 0.97 };
  return null;
}

/**
 * OKATO region codes, the first two digits of a Russian internal passport series (45 Moscow, 40
 * St Petersburg, ...).
 */
const PASSPORT_REGIONS = new Set(
  ('01 03 04 05 07 08 10 11 12 14 15 17 18 19 20 22 24 25 26 27 28 29 30 32 33 34 35 36 37 38 39 40 41 42 44 45 46 47 ' +
    '49 50 52 53 54 56 57 58 60 61 63 64 65 66 67 68 69 70 71 73 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 ' +
    '93 94 95 96 97 98 99').split(' '),
);
const THIS_YEAR = new Date().getUTCFullYear() % 100;

/**
 * "4510 123456", "45 10 123456" with no keyword: a Russian internal passport. The series is a
 * region code and the last two digits of the year of issue (the form exists since 1997); the
 * grouping must be the passport's own, so a bare run of ten digits stays unreported.
 */
function passportShape(s: Shape): Found | null {
  const { digits, lens } = s;
  if (digits.length !== 10 || !(sameLens(lens, [4, 6]) || sameLens(lens, [2, 2, 6]))) return null;
  if (!PASSPORT_REGIONS.has(digits.slice(0, 2))) return null;
  const year = Number(digits.slice(2, 4));
  return year >= 97 || year <= THIS_YEAR ? { type: 'PASSPORT', score: 0.8 } : null;
}

/** Digit counts of some identifier (index = count). */
const WANTED: readonly boolean[] = Array.from({ length: MAX_DIGITS + 1 }, (_, n) => [6, 7, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19, 20].includes(n));

/**
 * Candidates from group ranges of each run. A range starts at the run start or right after a
 * previous match (so "ИНН 7707083893 770701001" and lists of numbers work); at most MAX_DIGITS
 * digits are looked at from each start, which keeps the scan linear. The engine keeps the longest.
 */
export function detectNumeric(text: string, lower: string): DetectedEntity[] {
  const { runs, groups } = findDigitRuns(text);
  const biks: string[] = [];
  for (let r = 0; r < runs.length; r += 4) {
    if (runs[r + 3] !== 1) continue;
    const g = runs[r + 2] as number;
    const bik = text.slice(groups[2 * g] as number, groups[2 * g + 1] as number);
    if (isPlausibleBik(bik) && hasContextKind(lower, runs[r] as number, 'bik')) biks.push(bik);
  }
  const out: DetectedEntity[] = [];
  for (let r = 0; r < runs.length; r += 4) {
    const first = runs[r + 2] as number;
    const end = first + (runs[r + 3] as number);
    let a = first;
    while (a < end) {
      const lastMatch = matchFrom(text, lower, groups, a, end, a === first ? (runs[r] as number) : -1, runs[r + 1] === 1, biks, out);
      a = lastMatch >= 0 ? lastMatch + 1 : a + 1;
    }
  }
  return out;
}

/**
 * Tries the ranges that start at group `a` (before group `end`); pushes matches and returns the
 * last matched group or -1. `runStart` is the span start for the run's first group, else -1.
 */
function matchFrom(
  text: string, lower: string, groups: number[], a: number, end: number, runStart: number, runHasPlus: boolean,
  biks: string[], out: DetectedEntity[],
): number {
  const first = groups[2 * a] as number;
  let start = first;
  let hasPlus = false;
  if (runStart >= 0) {
    start = runStart;
    hasPlus = runHasPlus;
  } else if (text.charCodeAt(first - 1) === 43) {
    start = first - 1;
    hasPlus = true;
  }
  let kinds: ContextKind[] | null = null;
  let claimedBy: ContextKind | undefined;
  const shape: Shape = { digits: '', lens: [], hasPlus, hasBracket: false };
  let last = -1;
  for (let g = a; g < end; g++) {
    const gs = groups[2 * g] as number;
    const ge = groups[2 * g + 1] as number;
    if (shape.digits.length + ge - gs > MAX_DIGITS) break;
    shape.digits += text.slice(gs, ge);
    shape.lens.push(ge - gs);
    if (text.charCodeAt(gs - 1) === 40 && text.charCodeAt(ge) === 41) shape.hasBracket = true;
    const total = shape.digits.length;
    if (!WANTED[total] && !(hasPlus && total >= 8 && total <= 15)) continue;
    if (kinds === null) {
      const hits = contextHits(lower, start);
      kinds = hits.kinds;
      claimedBy = hits.claimedBy;
    }
    let found: Found | null = null;
    // A number right after "СНИЛС" is a SNILS or nothing: failing its checksum, it is not a phone either.
    if (claimedBy !== undefined && CLAIMED[claimedBy]?.(total) === true) found = byContext(shape, claimedBy, biks);
    // After "сумма", "ст." only shapes that speak for themselves count.
    else if (claimedBy === 'other') found = byShape(shape, biks);
    else {
      for (const kind of kinds) {
        found = byContext(shape, kind, biks);
        if (found) break;
      }
      found ??= byShape(shape, biks);
      // The passport shape only as a whole run: "4510 123456", not part of a longer number.
      if (found === null && runStart >= 0 && g === end - 1) found = passportShape(shape);
    }
    if (found) {
      out.push({ type: found.type, start, end: ge, score: found.score });
      last = g;
    }
  }
  return last;
}

/** Kinds without a checksum: their keyword must not be separated from the number by another number. */
const ADJACENT_ONLY = new Set<ContextKind>(['passport', 'division', 'oms', 'phone', 'account']);

/** Context kinds before `start`, and the kind of the keyword right before it (only separators in between). */
function contextHits(lower: string, start: number): { kinds: ContextKind[]; claimedBy?: ContextKind } {
  const hits = contextBefore(lower, start).filter((h) => !(ADJACENT_ONLY.has(h.kind) && hasDigit(lower, h.end, start)));
  const nearest = hits[0];
  if (nearest === undefined) return { kinds: [] };
  // "в размере 89 161 234 567 руб.": a non-personal keyword just before claims the number too.
  if (nearest.kind === 'other' && start - nearest.end <= 15) return { kinds: [], claimedBy: 'other' };
  return { kinds: kindsOf(hits), claimedBy: onlySeparators(lower, nearest.end, start) ? nearest.kind : undefined };
}

/** "1 500 000", "89 161 234 567": an amount, not an identifier. */
function isThousands(lens: number[]): boolean {
  return lens.length > 1 && (lens[0] as number) <= 3 && lens.every((n, i) => i === 0 || n === 3);
}

function hasDigit(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (isDigit(s.charCodeAt(i))) return true;
  return false;
}

function onlySeparators(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c) || isLetterCode(c)) return false;
  }
  return true;
}
