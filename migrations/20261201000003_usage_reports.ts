/**
 * Admin usage reports (GET /api/admin/reports/usage): tokens per provider per user and day,
 * and an index behind every report query (each is a range scan on a day or a time).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ai_usage_provider_daily', (t) => {
    t.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.date('day').notNullable();
    t.text('provider').notNullable();
    t.bigInteger('input_tokens').notNullable().defaultTo(0);
    t.bigInteger('output_tokens').notNullable().defaultTo(0);
    t.primary(['user_id', 'day', 'provider']);
    t.index(['day']);
  });
  await knex.schema.alterTable('ai_usage_daily', (t) => t.index(['day']));
  await knex.schema.alterTable('documents', (t) => t.index(['created_at']));
  await knex.schema.alterTable('lawyer_reviews', (t) => t.index(['created_at']));
  await knex.raw(`CREATE INDEX payments_succeeded_idx ON payments (created_at) WHERE status = 'succeeded'`);
}
