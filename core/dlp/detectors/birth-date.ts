/**
 * Dates of birth: a date is reported only when a birth keyword ("дата рождения", "родился") is
 * close before it with no other number in between, or "г.р." / "года рождения" follows it.
 * Hearing and contract dates stay visible.
 */
import { contextBefore, mayHaveKindBefore } from '../context.js';
import type { DetectedEntity } from '../types.js';

const MONTHS = 'января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря';
const DATE = new RegExp(
  [
    '(?<![\\d.])(?:0?[1-9]|[12]\\d|3[01])([./-])(?:0?[1-9]|1[0-2])\\1(?:19|20)\\d{2}(?!\\d)',
    '(?<!\\d)(?:19|20)\\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])(?!\\d)',
    `(?<!\\d)(?:0?[1-9]|[12]\\d|3[01]) (?:${MONTHS}) (?:19|20)\\d{2}(?!\\d)`,
  ].join('|'),
  'g',
);
/** Every birth keyword ("рожд", "родил", "д.р.", "born", "birth", "dob") and the "р." of AFTER hold one of these. */
const HINT = /р\.|рожд|родил|born|birth|dob/;
const AFTER = /^\s{0,2}(?:(?:г\.?|года)\s{0,2})?(?:р\.|рожд)/u;

export function detectBirthDates(text: string, lower: string): DetectedEntity[] {
  const out: DetectedEntity[] = [];
  // Most texts have no hint at all: one quick test spares the scan for dates.
  if (!HINT.test(lower)) return out;
  // On the lowercased text: month names are lowercase there and the regex needs no i/u flags.
  DATE.lastIndex = 0;
  for (let m = DATE.exec(lower); m !== null; m = DATE.exec(lower)) {
    const start = m.index;
    const end = start + m[0].length;
    const before = mayHaveKindBefore(lower, start, 40, 'birth') ? contextBefore(lower, start, 40).find((h) => h.kind === 'birth') : undefined;
    const keywordBefore = before !== undefined && !/\d/.test(text.slice(before.end, start));
    if (keywordBefore || AFTER.test(lower.slice(end, end + 20))) {
      out.push({ type: 'BIRTH_DATE', start, end, score: 0.95 });
    }
  }
  return out;
}
