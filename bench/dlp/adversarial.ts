/**
 * Adversarial 1 MB inputs: long digit runs, separators, repeated markers and keywords. eval-dlp
 * times scan() on each; the unit tests check that each scans in linear time.
 */
const MB = 1_000_000;

export const ADVERSARIAL: ReadonlyArray<readonly [string, () => string]> = [
  ['digits', () => '7'.repeat(MB)],
  ['one long word', () => 'а'.repeat(MB)],
  ['separators', () => ' -()'.repeat(MB / 4)],
  ['digit groups "1 "', () => '1 '.repeat(MB / 2)],
  ['"+7 " repeated', () => '+7 '.repeat(MB / 3)],
  ['"a@" repeated', () => 'a@'.repeat(MB / 2)],
  ['"ул." repeated', () => 'ул.'.repeat(MB / 3)],
  ['"1.1." repeated', () => '1.1.'.repeat(MB / 4)],
  ['"ИНН " repeated', () => 'ИНН '.repeat(MB / 4)],
  ['"А111АА" repeated', () => 'А111АА'.repeat(MB / 6)],
  ['Latin names "John Smith. Smith "', () => 'John Smith. Smith '.repeat(MB / 18)],
  ['Latin initials "J. "', () => 'J. '.repeat(MB / 3)],
];
