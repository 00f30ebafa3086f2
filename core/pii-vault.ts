/**
 * Placeholder registries, sealed in pii_vaults per scope (a chat, a document), so the same
 * value keeps its `[TYPE_N]` across a chat's messages or a document's title, file names and
 * versions. Locked for the length of the caller's transaction: two texts of one scope masked
 * at once cannot hand out the same number twice.
 */
import type { Knex } from 'knex';
import { PlaceholderRegistry, type RegistryState, type Vault } from './dlp/index.js';

export interface RegistryScope {
  type: 'chat' | 'document';
  id: string;
}

const aad = (scope: RegistryScope) => `${scope.type}:${scope.id}`;

export async function lockRegistry(trx: Knex.Transaction, vault: Vault, scope: RegistryScope): Promise<PlaceholderRegistry> {
  // One statement creates the row or, on conflict, locks the existing one (a no-op
  // DO UPDATE takes the row lock as FOR UPDATE would) and returns what it holds.
  const [row] = await trx('pii_vaults')
    .insert({ scope_type: scope.type, scope_id: scope.id, sealed: '' })
    .onConflict(['scope_type', 'scope_id'])
    .merge(['scope_type'])
    .returning('sealed');
  if (!row?.sealed) return new PlaceholderRegistry();
  return PlaceholderRegistry.fromJSON(vault.open<RegistryState>(row.sealed, aad(scope)));
}

/** The registry of a scope as it stands, without locking it (reading back values for their owner). */
export async function readRegistry(db: Knex, vault: Vault, scope: RegistryScope): Promise<PlaceholderRegistry> {
  const row = await db('pii_vaults').where({ scope_type: scope.type, scope_id: scope.id }).first('sealed');
  return row?.sealed ? PlaceholderRegistry.fromJSON(vault.open<RegistryState>(row.sealed, aad(scope))) : new PlaceholderRegistry();
}

/**
 * Saving the registry as a CTE named `saved_registry`, so it rides in the statement that uses
 * it; `onlyIf` (SQL) saves it only when that statement's own write happened.
 */
export function saveRegistryCte(vault: Vault, scope: RegistryScope, registry: PlaceholderRegistry, onlyIf = 'true'): { sql: string; bindings: string[] } {
  return {
    sql: `saved_registry AS (UPDATE pii_vaults SET sealed = ?, updated_at = now() WHERE scope_type = ? AND scope_id = ? AND ${onlyIf})`,
    bindings: [vault.seal(registry.toJSON(), aad(scope)), scope.type, scope.id],
  };
}

export async function saveRegistry(trx: Knex.Transaction, vault: Vault, scope: RegistryScope, registry: PlaceholderRegistry): Promise<void> {
  const save = saveRegistryCte(vault, scope, registry);
  await trx.raw(`WITH ${save.sql} SELECT 1`, save.bindings);
}

export async function destroyRegistry(db: Knex, scope: RegistryScope): Promise<void> {
  await db('pii_vaults').where({ scope_type: scope.type, scope_id: scope.id }).delete();
}
