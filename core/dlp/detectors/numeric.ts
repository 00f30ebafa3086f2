/**
 * Digit-run scanner for every numeric identifier (INN, SNILS, OGRN, OGRNIP, cards, accounts, BIK,
 * passports, OMS policies, phones). One linear pass finds maximal runs of digit groups joined by
 * short separators; then each run's leading group ranges of an identifier's length are validated
 * (checksum first, context words second). No backtracking regex ever sees a long digit run.
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
import { contextKinds, type ContextKind } from '../context.js';
import type { DetectedEntity, PiiType } from '../types.js';

/** Separators allowed between digit groups of one identifier (up to MAX_SEP of them in a row). */
const SEPARATORS = new Set([' ', '\u00a0', '\u202f', '\u2009', '-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '(', ')']);
const MAX_SEP = 3;
/** Longest identifier (bank account) in digits. */
const MAX_DIGITS = 20;

export interface DigitRun {
  /** Span start: the first digit, or a '+' / '(' right before it. */
  start: number;
  hasPlus: boolean;
  /** Group boundaries: groups[2i] = start, groups[2i + 1] = end (exclusive). */
  groups: number[];
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** All maximal digit runs, in order. Linear: each character is looked at a bounded number of times. */
export function findDigitRuns(text: string): DigitRun[] {
  const runs: DigitRun[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!isDigit(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let start = i;
    let hasPlus = false;
    if (text[i - 1] === '(') start = i - 1;
    if (text[start - 1] === '+') {
      start--;
      hasPlus = true;
    }
    const groups: number[] = [];
    for (;;) {
      const gs = i;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      groups.push(gs, i);
      let j = i;
      while (j < n && j - i < MAX_SEP && SEPARATORS.has(text[j] as string)) j++;
      if (j > i && j < n && isDigit(text.charCodeAt(j))) i = j;
      else break;
    }
    runs.push({ start, hasPlus, groups });
  }
  return runs;
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
  if (n === 11 && sameLens(lens, [3, 3, 3, 2]) && isValidSnils(digits)) return { type: 'SNILS', score: 0.95 };
  if (isRuPhone(s)) return { type: 'PHONE', score: 0.9 };
  if (s.hasBracket && n === 10) return { type: 'PHONE', score: 0.9 };
  if (n === 16 && sameLens(lens, [4, 4, 4, 4]) && hasCardPrefix(digits) && isValidLuhn(digits)) return { type: 'CARD', score: 0.9 };
  if (n === 20 && biks.length > 0 && biks.some((b) => isAccountValidForBik(digits, b))) return { type: 'BANK_ACCOUNT', score: 0.97 };
  return null;
}

const WANTED = new Set([6, 7, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19, 20]);

function shapeOf(text: string, groups: number[], a: number, b: number, hasPlus: boolean): Shape {
  let digits = '';
  const lens: number[] = [];
  let hasBracket = false;
  for (let g = a; g <= b; g++) {
    const gs = groups[2 * g] as number;
    const ge = groups[2 * g + 1] as number;
    digits += text.slice(gs, ge);
    lens.push(ge - gs);
    if (text[gs - 1] === '(' && text[ge] === ')') hasBracket = true;
  }
  return { digits, lens, hasPlus, hasBracket };
}

/**
 * Candidates from group ranges of each run. A range starts at the run start or right after a
 * previous match (so "ИНН 7707083893 770701001" and lists of numbers work); at most MAX_DIGITS
 * digits are looked at from each start, which keeps the scan linear. The engine keeps the longest.
 */
export function detectNumeric(text: string, lower: string): DetectedEntity[] {
  const runs = findDigitRuns(text);
  const biks: string[] = [];
  for (const run of runs) {
    if (run.groups.length !== 2) continue;
    const bik = text.slice(run.groups[0] as number, run.groups[1] as number);
    if (isPlausibleBik(bik) && contextKinds(lower, run.start).includes('bik')) biks.push(bik);
  }
  const out: DetectedEntity[] = [];
  for (const run of runs) {
    const groupCount = run.groups.length / 2;
    let a = 0;
    while (a < groupCount) {
      const lastMatch = matchFrom(text, lower, run, a, biks, out);
      a = lastMatch >= 0 ? lastMatch + 1 : a + 1;
    }
  }
  return out;
}

/** Tries the ranges that start at group `a`; pushes matches and returns the last matched group or -1. */
function matchFrom(text: string, lower: string, run: DigitRun, a: number, biks: string[], out: DetectedEntity[]): number {
  const groups = run.groups;
  const first = groups[2 * a] as number;
  let start = first;
  let hasPlus = false;
  if (a === 0) {
    start = run.start;
    hasPlus = run.hasPlus;
  } else if (text[first - 1] === '+') {
    start = first - 1;
    hasPlus = true;
  }
  let kinds: ContextKind[] | null = null;
  let total = 0;
  let last = -1;
  for (let g = a; g < groups.length / 2; g++) {
    total += (groups[2 * g + 1] as number) - (groups[2 * g] as number);
    if (total > MAX_DIGITS) break;
    if (!WANTED.has(total) && !(hasPlus && total >= 8 && total <= 15)) continue;
    const shape = shapeOf(text, groups, a, g, hasPlus);
    kinds ??= contextKinds(lower, start);
    let found: Found | null = null;
    for (const kind of kinds) {
      found = byContext(shape, kind, biks);
      if (found) break;
    }
    found ??= byShape(shape, biks);
    if (found) {
      out.push({ type: found.type, start, end: groups[2 * g + 1] as number, score: found.score });
      last = g;
    }
  }
  return last;
}
