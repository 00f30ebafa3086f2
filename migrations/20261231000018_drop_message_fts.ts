/**
 * Drops the full-text index of chat messages. No query reads it (search covers documents and
 * the law library), and every write of a message paid for it: a message row is updated two or
 * three times on its way (status and updated_at are indexed, so none of these updates is HOT),
 * and each update ran the Russian stemmer over the whole text and inserted its words into GIN.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS messages_content_fts_idx');
}
