/**
 * Documents, part 1: upload with versions. A document row holds what the API shows (masked
 * title and file name, the current version's type and size, progress); each accepted file
 * is a `document_versions` row naming its encrypted object and its sealed data key.
 * `deleted_at` hides a document at once; the `documents.destroy` job removes the rows.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE documents
      ADD COLUMN kind text NOT NULL DEFAULT 'other'
        CONSTRAINT documents_kind_check CHECK (kind IN ('contract', 'claim', 'court_act', 'power_of_attorney', 'other')),
      ADD COLUMN chat_id uuid REFERENCES chats (id) ON DELETE SET NULL,
      ADD COLUMN version integer NOT NULL DEFAULT 1,
      ADD COLUMN pages integer,
      ADD COLUMN progress jsonb NOT NULL DEFAULT '{}',
      ADD COLUMN pii jsonb NOT NULL DEFAULT '{"count": 0, "by_type": {}}',
      ADD COLUMN analysis jsonb,
      ADD COLUMN error jsonb,
      ADD COLUMN deleted_at timestamptz,
      DROP COLUMN storage_key,
      DROP COLUMN sha256`);
  await knex.raw('CREATE INDEX documents_chat_id_index ON documents (chat_id)');
  // The caller's list, newest first, without the deleted.
  await knex.raw('CREATE INDEX documents_owner_list_idx ON documents (user_id, created_at DESC, id DESC) WHERE deleted_at IS NULL');

  await knex.schema.createTable('document_versions', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('document_id').notNullable().references('id').inTable('documents').onDelete('CASCADE');
    t.integer('version').notNullable();
    t.text('storage_key').notNullable().unique();
    t.bigInteger('size_bytes').notNullable();
    t.text('mime_type').notNullable();
    t.text('sha256').notNullable();
    // The version's AES-256 data key (and the original file name), sealed with ENCRYPTION_KEY.
    t.text('sealed_key').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['document_id', 'version']);
  });
}
