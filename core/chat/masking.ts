/**
 * Masking of chat text: the DLP engine first, then a strict safety net for the identifiers
 * that must never reach storage or a provider (e-mails, phones, cards, INN, SNILS). The net
 * masks anything shaped like them, even values the engine rejected (for example a card
 * number that fails the Luhn check): over-masking a number is cheap, leaking one is not.
 */
import type { Knex } from 'knex';
import { mask, type PiiType, type PlaceholderRegistry, type Vault } from '../dlp/index.js';
import { lockRegistry, saveRegistry, type RegistryScope } from '../pii-vault.js';
import { dlpEntities, dlpScanDuration } from '../telemetry/metrics.js';

export interface MaskedText {
  masked: string;
  /** Values replaced, per type. */
  byType: Record<string, number>;
  count: number;
}

const SAFETY_NET: Array<{ type: PiiType; pattern: RegExp }> = [
  { type: 'EMAIL', pattern: /[\p{L}\d._%+-]+@[\p{L}\d-]+(?:\.[\p{L}\d-]+)*\.\p{L}{2,}/gu },
  { type: 'SNILS', pattern: /(?<!\d)\d{3}[- ]\d{3}[- ]\d{3}[- ]\d{2}(?!\d)/g },
  { type: 'PHONE', pattern: /(?<![\d\w])(?:\+7|8)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}(?!\d)/g },
  { type: 'CARD', pattern: /(?<![\d_])(?:\d[ -]?){12,18}\d(?![\d\]])/g },
  { type: 'INN', pattern: /(?<![\d_])(?:\d{10}|\d{12})(?![\d\]])/g },
  { type: 'SNILS', pattern: /(?<![\d_])\d{11}(?![\d\]])/g },
];

/** Masks `text` with the chat's registry, so the same value keeps the same `[TYPE_N]`. */
export function maskChatText(text: string, registry: PlaceholderRegistry): MaskedText {
  const endScan = dlpScanDuration.startTimer();
  const result = mask(text, { registry });
  const byType: Record<string, number> = { ...result.by_type };
  let masked = result.masked;
  for (const { type, pattern } of SAFETY_NET) {
    masked = masked.replace(pattern, (value) => {
      byType[type] = (byType[type] ?? 0) + 1;
      return registry.placeholder(type, value);
    });
  }
  endScan();
  for (const [type, n] of Object.entries(byType)) dlpEntities.inc({ type }, n);
  return { masked, byType, count: Object.values(byType).reduce((a, b) => a + b, 0) };
}

/**
 * Masks what a person typed (a title, a file name, a comment) with the registry of its scope,
 * saved in the same transaction, so a name keeps the placeholder it has elsewhere in the scope.
 */
export async function maskInScope(trx: Knex.Transaction, vault: Vault, scope: RegistryScope, texts: string[]): Promise<string[]> {
  const registry = await lockRegistry(trx, vault, scope);
  const masked = texts.map((t) => maskChatText(t, registry).masked);
  await saveRegistry(trx, vault, scope, registry);
  return masked;
}
