/**
 * Documents, masked export. The init schema's `masked_key` names the export's encrypted
 * object; `masked_sealed_key` is its data key (sealed with ENCRYPTION_KEY, bound to that
 * key); `masked` is its state as the owner sees it: `{status, version, error?}`.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE documents ADD COLUMN masked jsonb, ADD COLUMN masked_sealed_key text');
}
