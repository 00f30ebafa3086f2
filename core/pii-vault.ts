/**
 * Placeholder registries, sealed in pii_vaults per scope (a chat, a document), so the same
 * value keeps its `[TYPE_N]` across a chat's messages or a document's title, file names and
 * versions. Locked for the length of the caller's transaction: two texts of one scope masked
 * at once cannot hand out the same number twice. Each is sealed with its owner's vault (the
 * account's secret, `user_keys`): erasing the account leaves copies in backups sealed.
 */
import type { Knex } from 'knex';
import { PlaceholderRegistry, type RegistryState, type Vault } from './dlp/index.js';
import { domainErrors } from './errors.js';

export interface RegistryScope {
  type: 'chat' | 'document';
  id: string;
  /** The account whose values it holds: its secret seals the registry. */
  owner: string;
}

const aad = (scope: RegistryScope) => `${scope.type}:${scope.id}`;

/** The vault each locked registry is saved with, so saving needs no second lookup. */
const sealedWith = new WeakMap<PlaceholderRegistry, Vault>();

function opened(vault: Vault, scope: RegistryScope, row: { sealed: string | null; secret: Buffer | null } | undefined): PlaceholderRegistry {
  if (!row?.secret) throw domainErrors.notFound('the account that owns this text is gone');
  const own = vault.forSubject(row.secret);
  const registry = row.sealed ? PlaceholderRegistry.fromJSON(own.open<RegistryState>(row.sealed, aad(scope))) : new PlaceholderRegistry();
  sealedWith.set(registry, own);
  return registry;
}

/** `vault` is the service's; the registry is opened and later saved with its owner's. */
export async function lockRegistry(trx: Knex.Transaction, vault: Vault, scope: RegistryScope): Promise<PlaceholderRegistry> {
  // One statement creates the row or, on conflict, locks the existing one (a no-op
  // DO UPDATE takes the row lock as FOR UPDATE would) and returns what it holds, with the
  // owner's secret.
  const { rows: [row] } = await trx.raw(
    `WITH v AS (INSERT INTO pii_vaults (scope_type, scope_id, sealed) VALUES (?, ?, '')
       ON CONFLICT (scope_type, scope_id) DO UPDATE SET scope_type = EXCLUDED.scope_type RETURNING sealed)
     SELECT v.sealed, k.secret FROM v LEFT JOIN user_keys k ON k.user_id = ?`,
    [scope.type, scope.id, scope.owner],
  );
  return opened(vault, scope, row);
}

/** The registry of a scope as it stands, without locking it (reading back values for their owner). */
export async function readRegistry(db: Knex, vault: Vault, scope: RegistryScope): Promise<PlaceholderRegistry> {
  const { rows: [row] } = await db.raw(
    'SELECT v.sealed, k.secret FROM user_keys k LEFT JOIN pii_vaults v ON v.scope_type = ? AND v.scope_id = ? WHERE k.user_id = ?',
    [scope.type, scope.id, scope.owner],
  );
  return opened(vault, scope, row);
}

/**
 * The registry of a scope read without a lock, for a save that goes through only if nobody
 * saved it meanwhile (`guardedSaveRegistryCtes`): no transaction is held while the text is
 * masked. `version` is the sealed text as read, which every save changes (a fresh IV each
 * time). A missing row is created empty in the same statement, as `lockRegistry` does; when
 * another process is creating it at that moment the version is null, and the save will ask
 * for a new read.
 */
export async function readRegistryVersion(db: Knex, vault: Vault, scope: RegistryScope): Promise<{ registry: PlaceholderRegistry; version: string | null }> {
  const { rows: [row] } = await db.raw(
    `WITH created AS (INSERT INTO pii_vaults (scope_type, scope_id, sealed) VALUES (?, ?, '')
       ON CONFLICT (scope_type, scope_id) DO NOTHING RETURNING sealed)
     SELECT coalesce((SELECT sealed FROM created), v.sealed) AS sealed, k.secret
     FROM user_keys k LEFT JOIN pii_vaults v ON v.scope_type = ? AND v.scope_id = ? WHERE k.user_id = ?`,
    [scope.type, scope.id, scope.type, scope.id, scope.owner],
  );
  return { registry: opened(vault, scope, row), version: (row?.sealed as string | null | undefined) ?? null };
}

/**
 * Saving a registry read by `readRegistryVersion`, as two CTEs of the caller's statement:
 * `registry_guard` holds a row only while the stored registry is still `version` (and locks
 * it to the end of the transaction; after a concurrent save it is empty, and the caller reads
 * again and redoes its work), and `saved_registry` saves it when `onlyIf` (SQL) holds. The
 * caller makes its own write depend on `registry_guard`, and `onlyIf` on that write.
 */
export function guardedSaveRegistryCtes(scope: RegistryScope, registry: PlaceholderRegistry, version: string | null, onlyIf: string) {
  return {
    guard: {
      sql: 'registry_guard AS (SELECT 1 FROM pii_vaults WHERE scope_type = ? AND scope_id = ? AND sealed = ? FOR UPDATE)',
      bindings: [scope.type, scope.id, version],
    },
    save: saveRegistryCte(scope, registry, onlyIf),
  };
}

/**
 * Saving the registry as a CTE named `saved_registry`, so it rides in the statement that uses
 * it; `onlyIf` (SQL) saves it only when that statement's own write happened.
 */
export function saveRegistryCte(scope: RegistryScope, registry: PlaceholderRegistry, onlyIf = 'true'): { sql: string; bindings: string[] } {
  const vault = sealedWith.get(registry);
  if (!vault) throw new Error('only a registry from lockRegistry can be saved');
  return {
    sql: `saved_registry AS (UPDATE pii_vaults SET sealed = ?, updated_at = now() WHERE scope_type = ? AND scope_id = ? AND ${onlyIf})`,
    bindings: [vault.seal(registry.toJSON(), aad(scope)), scope.type, scope.id],
  };
}

export async function saveRegistry(trx: Knex.Transaction, scope: RegistryScope, registry: PlaceholderRegistry): Promise<void> {
  const save = saveRegistryCte(scope, registry);
  await trx.raw(`WITH ${save.sql} SELECT 1`, save.bindings);
}

export async function destroyRegistry(db: Knex, scope: Pick<RegistryScope, 'type' | 'id'>): Promise<void> {
  await db('pii_vaults').where({ scope_type: scope.type, scope_id: scope.id }).delete();
}
