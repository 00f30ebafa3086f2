/**
 * The scan: runs every detector, resolves overlaps and computes pii_score. Fails closed: if a
 * detector throws, or the whole scan runs past its time budget, DlpError is thrown and no partial
 * result is returned (the caller must refuse the text, never pass it on unmasked).
 *
 * pii_score = min(1, Σ weight(type) · score / max(1, length / 1000)):
 * found values weighted by how sensitive their type is (passport, SNILS, card = 1; an organisation's
 * OGRN = 0.1), divided by the text length in thousands of characters (texts under 1000 characters
 * count as 1000), capped at 1. One passport number in a chat message gives 1; a name in a long
 * contract gives almost 0.
 */
import { forgetKeywords, lowerSameLength } from './context.js';
import { detectAddresses } from './detectors/address.js';
import { detectBirthDates } from './detectors/birth-date.js';
import { detectEmails } from './detectors/email.js';
import { detectIps } from './detectors/ip.js';
import { detectNumeric } from './detectors/numeric.js';
import { detectPassports } from './detectors/passport.js';
import { detectPlates } from './detectors/plate.js';
import { detectPersons } from './person/index.js';
import { DlpError, type DetectedEntity, type PiiType } from './types.js';

/** A named detector; it gets the text and its same-length lowercase copy. */
export interface NamedDetector {
  name: string;
  detect: (text: string, lower: string) => DetectedEntity[];
}

export const DETECTORS: readonly NamedDetector[] = [
  { name: 'numeric', detect: detectNumeric },
  { name: 'passport', detect: detectPassports },
  { name: 'email', detect: detectEmails },
  { name: 'ip', detect: detectIps },
  { name: 'plate', detect: detectPlates },
  { name: 'birth_date', detect: detectBirthDates },
  { name: 'address', detect: detectAddresses },
  { name: 'person', detect: detectPersons },
];

export const TYPE_WEIGHTS: Record<PiiType, number> = {
  PASSPORT: 1, SNILS: 1, CARD: 1, BANK_ACCOUNT: 1, OMS_POLICY: 1, INN: 0.8,
  BIRTH_DATE: 0.7, ADDRESS: 0.7, PHONE: 0.5, EMAIL: 0.5, OGRNIP: 0.5, VEHICLE_PLATE: 0.5,
  PERSON: 0.4, IP_ADDRESS: 0.3, OGRN: 0.1, BIK: 0.1,
};

const CHECK_EACH_FROM = 20_000;

export interface ScanOptions {
  /** Wall-clock budget for the whole scan; default 500 ms + 1 s per MB (10x the expected time). */
  timeBudgetMs?: number;
  /** Longest accepted text in UTF-16 units; default 10 000 000. */
  maxLength?: number;
  /** Replaces the built-in detectors (tests, extensions). */
  detectors?: readonly NamedDetector[];
}

export interface ScanResult {
  entities: DetectedEntity[];
  pii_score: number;
}

export function piiScore(entities: readonly DetectedEntity[], textLength: number): number {
  let sum = 0;
  for (const e of entities) sum += TYPE_WEIGHTS[e.type] * e.score;
  return Math.min(1, sum / Math.max(1, textLength / 1000));
}

const byPosition = (a: DetectedEntity, b: DetectedEntity): number => a.start - b.start || b.end - a.end || b.score - a.score;

/** Sorted by start; of overlapping entities the longer wins, then the higher score. */
export function resolveOverlaps(candidates: DetectedEntity[]): DetectedEntity[] {
  return resolveSorted([...candidates].sort(byPosition));
}

/**
 * In place. Each detector reports in order, so a short list is nearly sorted: insertion sort is
 * cheaper there than sort() with a comparator; long lists (bounded cost) go to sort().
 */
function sortByPosition(list: DetectedEntity[]): DetectedEntity[] {
  if (list.length > 64) return list.sort(byPosition);
  for (let i = 1; i < list.length; i++) {
    const e = list[i] as DetectedEntity;
    let j = i - 1;
    for (; j >= 0 && byPosition(list[j] as DetectedEntity, e) > 0; j--) list[j + 1] = list[j] as DetectedEntity;
    list[j + 1] = e;
  }
  return list;
}

function resolveSorted(sorted: DetectedEntity[]): DetectedEntity[] {
  const kept: DetectedEntity[] = [];
  let current: DetectedEntity | undefined;
  for (const e of sorted) {
    if (current === undefined) current = e;
    else if (e.start < current.end) {
      const longer = e.end - e.start - (current.end - current.start);
      if (longer > 0 || (longer === 0 && e.score > current.score)) current = e;
    } else {
      kept.push(current);
      current = e;
    }
  }
  if (current !== undefined) kept.push(current);
  return kept;
}

export function scan(text: string, opts: ScanOptions = {}): ScanResult {
  if (typeof text !== 'string') throw new DlpError('dlp_bad_input', 'text must be a string');
  const maxLength = opts.maxLength ?? 10_000_000;
  if (text.length > maxLength) throw new DlpError('dlp_too_large', `text longer than ${maxLength}`);
  const budget = opts.timeBudgetMs ?? 500 + text.length / 1000;
  // A short text is checked against the budget once, after all detectors (reading the clock after
  // each would cost more than the detectors take); a long one after each detector, to stop early.
  const checkEach = text.length >= CHECK_EACH_FROM;
  const t0 = performance.now();
  const lower = lowerSameLength(text);
  const candidates: DetectedEntity[] = [];
  try {
    for (const detector of opts.detectors ?? DETECTORS) {
      let found: DetectedEntity[];
      try {
        found = detector.detect(text, lower);
      } catch (cause) {
        throw new DlpError('dlp_failed', `detector ${detector.name} failed`, { cause });
      }
      if (checkEach && performance.now() - t0 > budget) throw new DlpError('dlp_timeout', `detector ${detector.name} ran past the budget`);
      for (const e of found) {
        if (!(e.start >= 0 && e.end <= text.length && e.start < e.end)) {
          throw new DlpError('dlp_failed', `detector ${detector.name} returned an invalid span`);
        }
        candidates.push(e);
      }
    }
  } finally {
    forgetKeywords();
  }
  if (performance.now() - t0 > budget) throw new DlpError('dlp_timeout', 'the scan ran past the budget');
  const entities = resolveSorted(sortByPosition(candidates));
  return { entities, pii_score: piiScore(entities, text.length) };
}
