import { describe, expect, it } from 'vitest';
import {
  isAccountValidForBik, isValidInn, isValidLuhn, isValidOgrn, isValidOgrnip, isValidSnils,
} from '../../../core/dlp/checksums.js';

describe('checksums', () => {
  it.each([
    // 10 and 12 digits; one changed digit or a wrong length fails.
    ['INN', isValidInn, ['7707083893', '1109654420', '597217513227'], ['7707083894', '597217513228', '77070838930']],
    // Check number, and no check up to 001-001-998.
    ['SNILS', isValidSnils, ['11223344595', '53520571664', '00100199812'], ['53520571665', '00100199912']],
    ['OGRN (mod 11)', isValidOgrn, ['1027700132195', '1928111257094'], ['1027700132196']],
    ['OGRNIP (mod 13)', isValidOgrnip, ['356696980134009'], ['356696980134008']],
    ['Luhn, Mir included', isValidLuhn, ['2200123456789019', '4111111111111111'], ['2200123456789018']],
  ] as const)('%s', (_name, check, valid, invalid) => {
    for (const s of valid) expect(check(s), s).toBe(true);
    for (const s of invalid) expect(check(s), s).toBe(false);
  });

  it('account key against the BIK (settlement and correspondent)', () => {
    expect(isAccountValidForBik('40702810916306958691', '044525225')).toBe(true);
    expect(isAccountValidForBik('30101810400000000225', '044525225')).toBe(true);
    expect(isAccountValidForBik('40702810916306958692', '044525225')).toBe(false);
    expect(isAccountValidForBik('40702810916306958691', '044525226')).toBe(false);
  });
});
