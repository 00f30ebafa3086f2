/**
 * Consents (152-FZ art. 9, GDPR art. 7): every grant and withdrawal is a row of its own, with
 * the version of the document the person saw, the time, the IP and the user agent; the
 * current state of a purpose is its latest row. Rows are never updated.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('consents', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('purpose').notNullable();
    t.boolean('granted').notNullable();
    t.text('version').notNullable();
    t.text('ip');
    t.text('user_agent');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['user_id', 'purpose', 'created_at']);
  });
}
