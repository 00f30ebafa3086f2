/**
 * Privacy requests (export, erasure) and the destruction acts that prove an erasure. Both
 * outlive the account they concern: `user_id` is a bare id, no foreign key. A request
 * records its steps in `progress`, so a job that died resumes where it stopped.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('privacy_requests', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable();
    t.text('type').notNullable().checkIn(['export', 'erasure'], 'privacy_requests_type_check');
    t.text('status').notNullable().defaultTo('queued')
      .checkIn(['queued', 'running', 'ready', 'completed', 'failed'], 'privacy_requests_status_check');
    t.jsonb('progress').notNullable().defaultTo('{}');
    // An export's encrypted ZIP, its sealed data key, and when the download link ends.
    t.text('storage_key');
    t.text('sealed_key');
    t.timestamp('expires_at', { useTz: true });
    t.jsonb('error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('completed_at', { useTz: true });
    t.index(['user_id', 'created_at']);
  });
  await knex.raw(`CREATE INDEX privacy_requests_expiring_idx ON privacy_requests (expires_at) WHERE storage_key IS NOT NULL`);

  await knex.schema.createTable('destruction_acts', (t) => {
    t.uuid('request_id').primary().references('id').inTable('privacy_requests').onDelete('RESTRICT');
    t.uuid('user_id').notNullable();
    // A keyed hash of the e-mail: the act names the person without holding their data.
    t.text('email_hash').notNullable();
    t.jsonb('act').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}
