/**
 * Vectors for hybrid search, when the server offers pgvector: a 256-dimensional `embedding`
 * on document and law chunks (Yandex text-search-* is 256-dim; OpenAI text-embedding-3-small
 * is asked for 256), each with an HNSW index for cosine distance. Without the extension (or
 * without the right to create it) nothing changes and search runs on full text alone; the
 * code checks at run time whether the columns exist (core/search/vectors.ts).
 *
 * The extension goes into `public`, not the migrating schema: it is one per database, and
 * a schema dropped with CASCADE (tests use one per file) would take it away from the others.
 * Types and operators are therefore schema-qualified.
 */
import type { Knex } from 'knex';

const INSUFFICIENT_PRIVILEGE = '42501';

export async function up(knex: Knex): Promise<void> {
  // Migrations of several schemas may race to create the extension: one at a time.
  await knex.raw(`SELECT pg_advisory_xact_lock(hashtext('legal-ai: create extension vector'))`);
  const schema = await vectorSchema(knex);
  if (!schema) return;
  for (const table of ['document_chunks', 'law_chunks']) {
    await knex.raw('ALTER TABLE ?? ADD COLUMN embedding ??.vector(256)', [table, schema]);
    await knex.raw('CREATE INDEX ?? ON ?? USING hnsw (embedding ??.vector_cosine_ops)', [`${table}_embedding_idx`, table, schema]);
  }
}

/** The schema holding the extension, creating it when it is available; undefined when it cannot be had. */
async function vectorSchema(knex: Knex): Promise<string | undefined> {
  const installed = await knex.raw(`SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'vector'`);
  if (installed.rows[0]) return (installed.rows[0] as { nspname: string }).nspname;
  const available = await knex.raw(`SELECT 1 FROM pg_available_extensions WHERE name = 'vector'`);
  if (!available.rows.length) return undefined;
  try {
    // In a savepoint: a refusal must not abort the migration's transaction.
    await knex.transaction((trx) => trx.raw('CREATE EXTENSION IF NOT EXISTS vector SCHEMA public'));
  } catch (err) {
    if ((err as { code?: string }).code === INSUFFICIENT_PRIVILEGE) return undefined;
    throw err;
  }
  return 'public';
}
