/**
 * Documents, part 2: ingestion. `document_texts` holds each version's extracted text, masked
 * (the raw text is never stored), with each page's character range in it; chunks gain the
 * version they were cut from and a locator ({page?, paragraph, clause?}).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('document_texts', (t) => {
    t.uuid('document_id').notNullable().references('id').inTable('documents').onDelete('CASCADE');
    t.integer('version').notNullable();
    t.text('text').notNullable();
    t.jsonb('pages').notNullable().defaultTo('[]');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['document_id', 'version']);
  });
  await knex.schema.alterTable('document_chunks', (t) => {
    t.integer('version').notNullable().defaultTo(1);
    t.jsonb('locator').notNullable().defaultTo('{}');
    t.dropUnique(['document_id', 'ord']);
    t.unique(['document_id', 'version', 'ord']);
  });
}
