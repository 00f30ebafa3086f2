/**
 * Consistent placeholders within one scope (a chat or a document): the same value, however it
 * is written, gets the same `[TYPE_N]`. The registry holds personal data (values and, for
 * pseudonymization, their original spellings): persist it only sealed with a Vault.
 */
import type { PiiType } from './types.js';

const DIGIT_TYPES = new Set<PiiType>([
  'PHONE', 'INN', 'SNILS', 'OGRN', 'OGRNIP', 'PASSPORT', 'CARD', 'BANK_ACCOUNT', 'BIK', 'OMS_POLICY',
]);
const LATIN_TO_CYRILLIC: Record<string, string> = {
  A: 'А', B: 'В', E: 'Е', K: 'К', M: 'М', H: 'Н', O: 'О', P: 'Р', C: 'С', T: 'Т', Y: 'У', X: 'Х',
};
/** Case endings stripped from each word of a name, so "Иванову Ивану" links to "Иванов Иван". */
const NAME_ENDING = /(?:ами|ями|ого|его|ому|ему|ой|ей|ым|им|ом|ем|ую|юю|а|я|у|ю|е|ы|и|о)$/u;

/** The value a placeholder is keyed on. */
export function normalizeValue(type: PiiType, value: string): string {
  if (DIGIT_TYPES.has(type)) {
    const digits = value.replace(/\D/g, '');
    // 8 916 ... and +7 916 ... are the same Russian number.
    return type === 'PHONE' && digits.length === 11 && digits[0] === '8' ? `7${digits.slice(1)}` : digits;
  }
  if (type === 'VEHICLE_PLATE') {
    return value.toUpperCase().replace(/[^\p{L}\d]/gu, '').replace(/[ABEKMHOPCTYX]/g, (c) => LATIN_TO_CYRILLIC[c] ?? c).replace(/RUS$/, '');
  }
  if (type === 'PERSON') {
    return value
      .toLowerCase()
      .replace(/ё/g, 'е')
      .split(/[^\p{L}]+/u)
      .filter((w) => w.length > 0)
      .map((w) => (w.length > 3 ? w.replace(NAME_ENDING, '') : w))
      .join(' ');
  }
  return value.toLowerCase().replace(/\s+/g, ' ').trim();
}

export interface RegistryState {
  version: 1;
  /** [type, normalized value, N, original spellings in order of appearance] */
  entries: Array<[PiiType, string, number, string[]]>;
}

interface Entry {
  type: PiiType;
  key: string;
  n: number;
  spellings: string[];
}

export class PlaceholderRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly counters = new Map<PiiType, number>();
  /** Pseudonym token -> original spelling. */
  private readonly originals = new Map<string, string>();

  private entry(type: PiiType, key: string): Entry {
    const id = `${type}\u0000${key}`;
    let entry = this.entries.get(id);
    if (entry === undefined) {
      const n = (this.counters.get(type) ?? 0) + 1;
      this.counters.set(type, n);
      entry = { type, key, n, spellings: [] };
      this.entries.set(id, entry);
    }
    return entry;
  }

  /**
   * `[TYPE_N]` for the value. The first spelling is kept (the registry is stored only sealed),
   * so its owner can be shown their own text again (export, reveal); the model never is.
   * `key` is normalizeValue(type, value) when the caller has it already (worked out off-thread).
   */
  placeholder(type: PiiType, value: string, key: string = normalizeValue(type, value)): string {
    const entry = this.entry(type, key);
    if (entry.spellings.length === 0) {
      entry.spellings.push(value);
      this.originals.set(tokenOf(entry, 0), value);
    }
    return `[${type}_${entry.n}]`;
  }

  /**
   * A reversible token: `[TYPE_N]` for the first spelling of a value, `[TYPE_N.k]` for its k-th
   * other spelling ("Иванову" after "Иванов"), so restore gives back the exact text while the
   * model still sees that both are the same value.
   */
  pseudonym(type: PiiType, value: string): string {
    const entry = this.entry(type, normalizeValue(type, value));
    let k = entry.spellings.indexOf(value);
    if (k < 0) {
      entry.spellings.push(value);
      k = entry.spellings.length - 1;
      this.originals.set(tokenOf(entry, k), value);
    }
    return tokenOf(entry, k);
  }

  /** The original spelling behind a pseudonym token, if this registry issued it. */
  original(token: string): string | undefined {
    return this.originals.get(token);
  }

  /** Every token this registry issued with its original spelling, for the owner's own eyes. */
  originalsByToken(): Record<string, string> {
    return Object.fromEntries(this.originals);
  }

  toJSON(): RegistryState {
    return { version: 1, entries: [...this.entries.values()].map((e) => [e.type, e.key, e.n, [...e.spellings]]) };
  }

  static fromJSON(state: RegistryState): PlaceholderRegistry {
    if (state?.version !== 1 || !Array.isArray(state.entries)) throw new TypeError('unsupported registry state');
    const registry = new PlaceholderRegistry();
    for (const [type, key, n, spellings] of state.entries) {
      const entry: Entry = { type, key, n, spellings: [...spellings] };
      registry.entries.set(`${type}\u0000${key}`, entry);
      registry.counters.set(type, Math.max(n, registry.counters.get(type) ?? 0));
      spellings.forEach((s, k) => registry.originals.set(tokenOf(entry, k), s));
    }
    return registry;
  }
}

function tokenOf(entry: Entry, k: number): string {
  return k === 0 ? `[${entry.type}_${entry.n}]` : `[${entry.type}_${entry.n}.${k + 1}]`;
}
