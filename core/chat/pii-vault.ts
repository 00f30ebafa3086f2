/**
 * A chat's placeholder registry, sealed in pii_vaults, so the same value keeps its `[TYPE_N]`
 * across the chat's messages. Locked for the length of the caller's transaction: two
 * messages of one chat masked at once cannot hand out the same number twice.
 */
import type { Knex } from 'knex';
import type { Vault } from '../dlp/index.js';
import { PlaceholderRegistry, type RegistryState } from '../dlp/index.js';

const SCOPE = 'chat';

export async function lockChatRegistry(trx: Knex.Transaction, vault: Vault, chatId: string): Promise<PlaceholderRegistry> {
  // One statement creates the row or, on conflict, locks the existing one (a no-op
  // DO UPDATE takes the row lock as FOR UPDATE would) and returns what it holds.
  const [row] = await trx('pii_vaults')
    .insert({ scope_type: SCOPE, scope_id: chatId, sealed: '' })
    .onConflict(['scope_type', 'scope_id'])
    .merge(['scope_type'])
    .returning('sealed');
  if (!row?.sealed) return new PlaceholderRegistry();
  return PlaceholderRegistry.fromJSON(vault.open<RegistryState>(row.sealed, `${SCOPE}:${chatId}`));
}

export async function saveChatRegistry(trx: Knex.Transaction, vault: Vault, chatId: string, registry: PlaceholderRegistry): Promise<void> {
  await trx('pii_vaults')
    .where({ scope_type: SCOPE, scope_id: chatId })
    .update({ sealed: vault.seal(registry.toJSON(), `${SCOPE}:${chatId}`), updated_at: trx.fn.now() });
}
