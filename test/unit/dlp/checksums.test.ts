import { describe, expect, it } from 'vitest';
import {
  isAccountValidForBik, isValidInn, isValidLuhn, isValidOgrn, isValidOgrnip, isValidSnils,
} from '../../../core/dlp/checksums.js';

describe('checksums', () => {
  it('INN: 10 and 12 digits, one changed digit fails', () => {
    expect(isValidInn('7707083893')).toBe(true);
    expect(isValidInn('1109654420')).toBe(true);
    expect(isValidInn('597217513227')).toBe(true);
    expect(isValidInn('7707083894')).toBe(false);
    expect(isValidInn('597217513228')).toBe(false);
    expect(isValidInn('77070838930')).toBe(false);
  });

  it('SNILS: check number, and no check up to 001-001-998', () => {
    expect(isValidSnils('11223344595')).toBe(true);
    expect(isValidSnils('53520571664')).toBe(true);
    expect(isValidSnils('53520571665')).toBe(false);
    expect(isValidSnils('00100199812')).toBe(true);
    expect(isValidSnils('00100199912')).toBe(false);
  });

  it('OGRN (mod 11) and OGRNIP (mod 13)', () => {
    expect(isValidOgrn('1027700132195')).toBe(true);
    expect(isValidOgrn('1928111257094')).toBe(true);
    expect(isValidOgrn('1027700132196')).toBe(false);
    expect(isValidOgrnip('356696980134009')).toBe(true);
    expect(isValidOgrnip('356696980134008')).toBe(false);
  });

  it('Luhn, Mir included', () => {
    expect(isValidLuhn('2200123456789019')).toBe(true);
    expect(isValidLuhn('4111111111111111')).toBe(true);
    expect(isValidLuhn('2200123456789018')).toBe(false);
  });

  it('account key against the BIK (settlement and correspondent)', () => {
    expect(isAccountValidForBik('40702810916306958691', '044525225')).toBe(true);
    expect(isAccountValidForBik('30101810400000000225', '044525225')).toBe(true);
    expect(isAccountValidForBik('40702810916306958692', '044525225')).toBe(false);
    expect(isAccountValidForBik('40702810916306958691', '044525226')).toBe(false);
  });
});
