/**
 * Passport series and number written with "№" / "номер" between them ("серия 45 06 № 123456",
 * foreign "75 № 1234567"). Bare digit forms and division codes are handled by the numeric scanner.
 */
import { hasContextKind, mayHaveKind } from '../context.js';
import type { DetectedEntity } from '../types.js';

/** Matched on the lowercased text. */
const SERIES_NUMBER = /(?<!\d)(?:\d{2} ?\d{2}|\d{2})[ \u00a0]{0,2},?[ \u00a0]{0,2}(?:№|n|номер)[ \u00a0]{0,2}\d{6,7}(?!\d)/g;

export function detectPassports(text: string, lower: string): DetectedEntity[] {
  const out: DetectedEntity[] = [];
  // Reported only after a passport keyword, which most texts lack.
  if (!mayHaveKind(lower, 'passport')) return out;
  SERIES_NUMBER.lastIndex = 0;
  for (let m = SERIES_NUMBER.exec(lower); m !== null; m = SERIES_NUMBER.exec(lower)) {
    if (!hasContextKind(lower, m.index, 'passport')) continue;
    out.push({ type: 'PASSPORT', start: m.index, end: m.index + m[0].length, score: 0.95 });
  }
  return out;
}
