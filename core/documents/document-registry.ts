/**
 * A document's placeholder registry, held for a piece of work on the document (masking, the
 * masked export, the analysis). The registry is locked first, then the document checked: the
 * order destruction takes them in (documents.ts). A registry locked for a document destroyed
 * meanwhile would be made again, holding a gone document's values, so then the whole
 * transaction rolls back.
 */
import type { Knex } from 'knex';
import type { PlaceholderRegistry, Vault } from '../dlp/index.js';
import { lockRegistry, saveRegistry, type RegistryScope } from '../pii-vault.js';

/**
 * The version was superseded or its document deleted (or, in OCR, failed) meanwhile: thrown to
 * roll a transaction back or stop a long run; the caller skips.
 */
export class Superseded extends Error {}

/**
 * Runs `work` in one transaction with the document's registry locked, once `current` has found
 * the document (its row is handed to `work`), and saves the registry after. Undefined, with
 * nothing written, when `current` finds nothing.
 */
export async function withDocumentRegistry<F, T>(
  db: Knex, vault: Vault, scope: RegistryScope,
  current: (trx: Knex.Transaction) => PromiseLike<F | undefined>,
  work: (trx: Knex.Transaction, registry: PlaceholderRegistry, found: F) => Promise<T> | T,
): Promise<T | undefined> {
  try {
    return await db.transaction(async (trx) => {
      const registry = await lockRegistry(trx, vault, scope);
      const found = await current(trx);
      if (!found) throw new Superseded();
      const out = await work(trx, registry, found);
      await saveRegistry(trx, scope, registry);
      return out;
    });
  } catch (err) {
    if (err instanceof Superseded) return undefined;
    throw err;
  }
}
