/**
 * mask(): scan, then rewrite every found value with one operator.
 * - replace (default): typed placeholders `[TYPE_N]`, consistent through the registry;
 * - partial: numeric identifiers keep their last 4 digits, every other digit becomes '*';
 *   names, e-mails, addresses and other non-numeric values get a placeholder;
 * - hash: `[TYPE_<16 hex>]` from HMAC-SHA256(key, type + normalized value), so equal values
 *   link across chats and documents for whoever holds the key;
 * - pseudonymize: reversible tokens kept in the registry (seal it with a Vault; see restore()).
 */
import { createHmac } from 'node:crypto';
import { scan, type ScanOptions } from './engine.js';
import { normalizeValue, PlaceholderRegistry } from './placeholders.js';
import { DlpError, type DetectedEntity, type PiiType } from './types.js';

export type MaskOperator = 'replace' | 'partial' | 'hash' | 'pseudonymize';

export interface MaskOptions extends ScanOptions {
  registry?: PlaceholderRegistry;
  operator?: MaskOperator;
  /** HMAC key for the hash operator (required there). */
  hashKey?: string | Buffer;
}

export interface MaskResult {
  masked: string;
  entities: DetectedEntity[];
  pii_score: number;
  by_type: Record<string, number>;
  /** The registry used (the one passed in, or a new one): keep it to restore or stay consistent. */
  registry: PlaceholderRegistry;
}

const PARTIAL_TYPES = new Set<PiiType>([
  'PHONE', 'INN', 'SNILS', 'OGRN', 'OGRNIP', 'PASSPORT', 'CARD', 'BANK_ACCOUNT', 'BIK', 'OMS_POLICY',
]);
const KEEP_DIGITS = 4;

/** Keeps the last 4 digits; every other digit becomes '*', separators stay. */
export function partialMask(value: string): string {
  let keep = KEEP_DIGITS;
  const chars = [...value];
  for (let i = chars.length - 1; i >= 0; i--) {
    const c = chars[i] as string;
    if (c >= '0' && c <= '9') {
      if (keep > 0) keep--;
      else chars[i] = '*';
    }
  }
  return chars.join('');
}

export function mask(text: string, opts: MaskOptions = {}): MaskResult {
  const operator = opts.operator ?? 'replace';
  if (operator === 'hash' && (opts.hashKey === undefined || opts.hashKey.length === 0)) {
    throw new DlpError('dlp_bad_input', 'the hash operator needs a hashKey');
  }
  const registry = opts.registry ?? new PlaceholderRegistry();
  const { entities, pii_score } = scan(text, opts);
  const by_type: Record<string, number> = {};
  const parts: string[] = [];
  let pos = 0;
  for (const e of entities) {
    const value = text.slice(e.start, e.end);
    parts.push(text.slice(pos, e.start), rewrite(e.type, value, operator, registry, opts.hashKey));
    pos = e.end;
    by_type[e.type] = (by_type[e.type] ?? 0) + 1;
  }
  parts.push(text.slice(pos));
  return { masked: parts.join(''), entities, pii_score, by_type, registry };
}

function rewrite(type: PiiType, value: string, operator: MaskOperator, registry: PlaceholderRegistry, hashKey?: string | Buffer): string {
  switch (operator) {
    case 'pseudonymize':
      return registry.pseudonym(type, value);
    case 'hash': {
      const digest = createHmac('sha256', hashKey as string | Buffer).update(`${type}:${normalizeValue(type, value)}`).digest('hex');
      return `[${type}_${digest.slice(0, 16)}]`;
    }
    case 'partial':
      if (PARTIAL_TYPES.has(type)) return partialMask(value);
      return registry.placeholder(type, value);
    default:
      return registry.placeholder(type, value);
  }
}
