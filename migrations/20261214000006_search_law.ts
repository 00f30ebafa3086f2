/**
 * Search and the law library. Chunks gain their heading path and a weighted Russian
 * full-text vector (heading above body), kept by Postgres itself as a generated column. The
 * law library holds the built-in codes: one row per code (with its edition date), one per
 * article, and the article's passages as searchable chunks (article title weighted highest).
 * `chat_documents` links documents to a chat's context (given at POST /api/chats or with a
 * message); documents uploaded with the chat's `chat_id` belong to it as well.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE document_chunks ADD COLUMN heading text NOT NULL DEFAULT ''`);
  await knex.raw(`ALTER TABLE document_chunks ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('russian', heading), 'A') || setweight(to_tsvector('russian', text), 'B')) STORED`);
  await knex.raw('DROP INDEX IF EXISTS document_chunks_fts_idx');
  await knex.raw('CREATE INDEX document_chunks_tsv_idx ON document_chunks USING GIN (tsv)');

  await knex.schema.createTable('chat_documents', (t) => {
    t.uuid('chat_id').notNullable().references('id').inTable('chats').onDelete('CASCADE');
    t.uuid('document_id').notNullable().references('id').inTable('documents').onDelete('CASCADE').index();
    t.primary(['chat_id', 'document_id']);
  });

  await knex.schema.createTable('law_codes', (t) => {
    t.text('code').primary();
    t.text('title').notNullable();
    t.text('short_title').notNullable();
    t.date('edition_date').notNullable();
    t.integer('articles').notNullable();
    t.integer('ord').notNullable();
    /** SHA-256 of the shipped data the code was imported from: a re-import skips what did not change. */
    t.text('source_sha256').notNullable();
    t.timestamp('imported_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('law_articles', (t) => {
    t.text('code').notNullable().references('code').inTable('law_codes').onDelete('CASCADE');
    t.text('article').notNullable();
    t.integer('ord').notNullable();
    t.text('title').notNullable();
    t.text('section').notNullable().defaultTo('');
    t.text('chapter').notNullable().defaultTo('');
    t.text('text').notNullable();
    t.primary(['code', 'article']);
  });
  await knex.schema.createTable('law_chunks', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('code').notNullable();
    t.text('article').notNullable();
    t.integer('ord').notNullable();
    t.text('heading').notNullable();
    t.text('context').notNullable().defaultTo('');
    t.text('text').notNullable();
    t.jsonb('locator').notNullable().defaultTo('{}');
    t.foreign(['code', 'article']).references(['code', 'article']).inTable('law_articles').onDelete('CASCADE');
    t.unique(['code', 'article', 'ord']);
  });
  // heading: the article's title (A); context: its chapter and section (C); text: the passage (B).
  await knex.raw(`ALTER TABLE law_chunks ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('russian', heading), 'A') || setweight(to_tsvector('russian', context), 'C')
    || setweight(to_tsvector('russian', text), 'B')) STORED`);
  await knex.raw('CREATE INDEX law_chunks_tsv_idx ON law_chunks USING GIN (tsv)');
  // Document frequencies of the library's lexemes (ts_stat), for search term weights; the
  // pattern index serves prefix lookups of roots.
  await knex.schema.createTable('law_terms', (t) => {
    t.text('lexeme').primary();
    t.integer('ndoc').notNullable();
  });
  await knex.raw('CREATE INDEX law_terms_prefix_idx ON law_terms (lexeme text_pattern_ops)');
}
