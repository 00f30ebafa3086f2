/**
 * Check-digit algorithms of Russian identifiers. Every function takes a string of ASCII digits
 * only (separators already removed) and returns false for a wrong length.
 */

function d(s: string, i: number): number {
  return s.charCodeAt(i) - 48;
}

function weighted(s: string, weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += d(s, i) * (weights[i] ?? 0);
  return sum;
}

const INN10 = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN12A = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN12B = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

/** INN of an organisation (10 digits) or of a person / sole trader (12 digits). */
export function isValidInn(s: string): boolean {
  if (s.length === 10) return (weighted(s, INN10) % 11) % 10 === d(s, 9);
  if (s.length === 12) {
    return (weighted(s, INN12A) % 11) % 10 === d(s, 10) && (weighted(s, INN12B) % 11) % 10 === d(s, 11);
  }
  return false;
}

/** SNILS (11 digits). Numbers up to 001-001-998 were issued before check digits existed. */
export function isValidSnils(s: string): boolean {
  if (s.length !== 11) return false;
  const body = Number(s.slice(0, 9));
  if (body <= 1001998) return body > 0;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += d(s, i) * (9 - i);
  let check = sum % 101;
  if (check === 100) check = 0;
  return check === Number(s.slice(9));
}

/** OGRN (13 digits): check = (first 12 digits mod 11) mod 10. BigInt-free: mod computed digit by digit. */
export function isValidOgrn(s: string): boolean {
  return s.length === 13 && (modPrefix(s, 12, 11) % 10) === d(s, 12);
}

/** OGRNIP (15 digits): check = (first 14 digits mod 13) mod 10. */
export function isValidOgrnip(s: string): boolean {
  return s.length === 15 && (modPrefix(s, 14, 13) % 10) === d(s, 14);
}

function modPrefix(s: string, len: number, m: number): number {
  let r = 0;
  for (let i = 0; i < len; i++) r = (r * 10 + d(s, i)) % m;
  return r;
}

/** Luhn check for payment cards (13-19 digits). */
export function isValidLuhn(s: string): boolean {
  if (s.length < 13 || s.length > 19) return false;
  let sum = 0;
  for (let i = s.length - 1, alt = false; i >= 0; i--, alt = !alt) {
    let v = d(s, i);
    if (alt) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
  }
  return sum % 10 === 0;
}

/** Card issuer prefixes: Mir 2200-2204, Mastercard 2221-2720, Visa 4, Mastercard/Maestro/UnionPay 50-69, Amex/JCB/Diners 30, 34-38. */
export function hasCardPrefix(s: string): boolean {
  const p2 = Number(s.slice(0, 2));
  const p4 = Number(s.slice(0, 4));
  if (p4 >= 2200 && p4 <= 2204) return true;
  if (p4 >= 2221 && p4 <= 2720) return true;
  if (s[0] === '4') return true;
  return (p2 >= 50 && p2 <= 69) || (p2 >= 34 && p2 <= 37) || p2 === 30 || p2 === 38;
}

/** BIK: 9 digits starting with 04 (Russian Federation). Has no check digit of its own. */
export function isPlausibleBik(s: string): boolean {
  return s.length === 9 && s[0] === '0' && s[1] === '4';
}

const ACCOUNT_WEIGHTS = [7, 1, 3];

/**
 * Control key of a 20-digit account against a BIK (Bank of Russia rule): the 23 digits
 * (3 from the BIK + account) weighted 7,1,3,... sum to a multiple of 10. Settlement accounts use
 * the last three BIK digits; correspondent accounts (30101...) use "0" + BIK digits 5-6.
 */
export function isAccountValidForBik(account: string, bik: string): boolean {
  if (account.length !== 20 || bik.length !== 9) return false;
  return account.startsWith('30101') ? accountKeyOk('0' + bik.slice(4, 6) + account) : accountKeyOk(bik.slice(6, 9) + account);
}

function accountKeyOk(s23: string): boolean {
  let sum = 0;
  for (let i = 0; i < 23; i++) sum += ((d(s23, i) * (ACCOUNT_WEIGHTS[i % 3] ?? 0)) % 10);
  return sum % 10 === 0;
}
