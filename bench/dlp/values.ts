/**
 * Checksum-valid identifiers in every common spelling, from a seeded PRNG, for the synthetic
 * evaluation corpus. Also the invalid twins (one check digit changed) used as hard negatives.
 */

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rng = () => number;
export const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
export const digits = (rng: Rng, n: number): string => Array.from({ length: n }, () => String(int(rng, 0, 9))).join('');

function weighted(s: string, w: number[]): number {
  return w.reduce((sum, k, i) => sum + k * Number(s[i]), 0);
}

export function inn10(rng: Rng): string {
  const body = String(int(rng, 10, 99)) + digits(rng, 7);
  return body + ((weighted(body, [2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11) % 10);
}

export function inn12(rng: Rng): string {
  let s = String(int(rng, 10, 99)) + digits(rng, 8);
  s += (weighted(s, [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11) % 10;
  return s + ((weighted(s, [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11) % 10);
}

export function snils(rng: Rng): string {
  const body = String(int(rng, 1001999, 999999999)).padStart(9, '0');
  const sum = weighted(body, [9, 8, 7, 6, 5, 4, 3, 2, 1]);
  const check = sum % 101 === 100 ? 0 : sum % 101;
  return body + String(check).padStart(2, '0');
}

/** The old numbers (<= 001-001-998) carry any two last digits. */
export function oldSnils(rng: Rng): string {
  return String(int(rng, 1000000, 1001998)).padStart(9, '0') + digits(rng, 2);
}

const mod = (s: string, m: number): number => [...s].reduce((r, c) => (r * 10 + Number(c)) % m, 0);

export function ogrn(rng: Rng): string {
  const body = pick(rng, ['1', '5']) + digits(rng, 11);
  return body + (mod(body, 11) % 10);
}

export function ogrnip(rng: Rng): string {
  const body = '3' + digits(rng, 13);
  return body + (mod(body, 13) % 10);
}

export function luhnComplete(body: string): string {
  let sum = 0;
  for (let i = body.length - 1, alt = true; i >= 0; i--, alt = !alt) {
    let v = Number(body[i]);
    if (alt) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
  }
  return body + ((10 - (sum % 10)) % 10);
}

export function card(rng: Rng): string {
  const prefix = pick(rng, [`220${int(rng, 0, 4)}`, `4${digits(rng, 3)}`, `5${int(rng, 1, 5)}${digits(rng, 2)}`, String(int(rng, 2221, 2720))]);
  return luhnComplete(prefix + digits(rng, 11));
}

export function bik(rng: Rng): string {
  return `04${digits(rng, 4)}${int(rng, 100, 999)}`;
}

function accountKey(prefix3: string, account: string): string {
  const s = prefix3 + account.slice(0, 8) + '0' + account.slice(9);
  const w = [7, 1, 3];
  let sum = 0;
  for (let i = 0; i < 23; i++) sum += (Number(s[i]) * (w[i % 3] as number)) % 10;
  return account.slice(0, 8) + String(((sum % 10) * 3) % 10) + account.slice(9);
}

/** A settlement account valid for `bikValue` (key digit at position 9). */
export function account(rng: Rng, bikValue: string): string {
  const raw = pick(rng, ['40817810', '40702810', '40802810', '42301810']) + '0' + digits(rng, 11);
  return accountKey(bikValue.slice(6), raw);
}

export function corrAccount(rng: Rng, bikValue: string): string {
  return accountKey('0' + bikValue.slice(4, 6), `30101810${digits(rng, 1)}${digits(rng, 8)}${bikValue.slice(6)}`);
}

/** The same value with its last digit changed: fails its checksum. */
export function corrupt(value: string): string {
  const last = Number(value[value.length - 1]);
  return value.slice(0, -1) + String((last + 1 + (last % 3)) % 10);
}

/** Splits digits into groups joined by `sep`, e.g. group('12345678901', [3,3,3,2], '-'). */
export function group(value: string, sizes: number[], seps: string | string[]): string {
  let out = '';
  let pos = 0;
  sizes.forEach((n, i) => {
    if (i > 0) out += Array.isArray(seps) ? seps[i - 1] : seps;
    out += value.slice(pos, pos + n);
    pos += n;
  });
  return out + value.slice(pos);
}
