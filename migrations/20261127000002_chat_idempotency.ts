/**
 * Chat pipeline fixes: idempotent responses keep their headers (a 202's Location), and
 * token usage of a one-off completion is counted once per request, however often it is retried.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('idempotency_keys', (t) => {
    t.jsonb('response_headers');
  });
  // One row per request whose usage was added to ai_usage_daily: the insert is the guard.
  await knex.schema.createTable('ai_usage_records', (t) => {
    t.uuid('request_id').primary();
    t.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE').index();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now()).index();
  });
}
