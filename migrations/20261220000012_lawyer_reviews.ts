/**
 * Lawyer review. The seed's `lawyer_reviews` table never held a row; it is rebuilt with the
 * contract's states (pending → assigned → in_progress → completed, or cancelled), deadlines
 * and results. `lawyer_profiles.active_reviews` counts the reviews a lawyer holds (assigned or
 * in progress): routing takes a slot with one conditional UPDATE on that row, so two routings
 * can never both take the last one. `review_passes` records who declined or let the accept
 * deadline pass: routing never offers that review to them again. Every text in these tables
 * was typed by a person and is stored masked.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.dropTable('lawyer_reviews');

  await knex.schema.createTable('lawyer_profiles', (t) => {
    t.uuid('user_id').primary().references('id').inTable('users').onDelete('CASCADE');
    t.specificType('specializations', 'text[]').notNullable().defaultTo('{}');
    t.integer('capacity').notNullable().defaultTo(3);
    t.boolean('accepting').notNullable().defaultTo(true);
    t.integer('active_reviews').notNullable().defaultTo(0);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('?? BETWEEN 1 AND 100', ['capacity'], 'lawyer_profiles_capacity_check');
    t.check('?? >= 0', ['active_reviews'], 'lawyer_profiles_active_check');
  });

  await knex.schema.createTable('lawyer_reviews', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('requester_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('subject_type').notNullable().checkIn(['message', 'document'], 'lawyer_reviews_subject_check');
    t.uuid('message_id').references('id').inTable('messages').onDelete('CASCADE');
    t.uuid('document_id').references('id').inTable('documents').onDelete('CASCADE');
    t.text('status').notNullable().defaultTo('pending')
      .checkIn(['pending', 'assigned', 'in_progress', 'completed', 'cancelled'], 'lawyer_reviews_status_check');
    t.text('urgency').notNullable().defaultTo('standard').checkIn(['standard', 'urgent'], 'lawyer_reviews_urgency_check');
    // Null until the user names one or the classify job decides.
    t.text('specialization');
    t.text('comment');
    t.uuid('lawyer_id').references('id').inTable('users').onDelete('SET NULL');
    // Counts assignments: timers carry it, so a timer of an earlier assignment does nothing.
    t.integer('assignment').notNullable().defaultTo(0);
    t.timestamp('assigned_at', { useTz: true });
    t.timestamp('accept_due', { useTz: true });
    t.timestamp('accepted_at', { useTz: true });
    t.timestamp('resolution_due', { useTz: true }).notNullable();
    t.timestamp('breached_at', { useTz: true });
    t.text('verdict').checkIn(['approved', 'corrected', 'rejected'], 'lawyer_reviews_verdict_check');
    t.text('result_comment');
    t.text('corrected_content');
    t.uuid('lawyer_message_id').references('id').inTable('messages').onDelete('SET NULL');
    t.timestamp('completed_at', { useTz: true });
    t.smallint('rating_score');
    t.text('rating_comment');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('(?? = \'message\') = (?? IS NOT NULL) AND (?? = \'document\') = (?? IS NOT NULL)',
      ['subject_type', 'message_id', 'subject_type', 'document_id'], 'lawyer_reviews_one_subject_check');
    t.check('?? BETWEEN 1 AND 5', ['rating_score'], 'lawyer_reviews_rating_check');
    t.index(['requester_id', 'created_at']);
    t.index(['lawyer_id', 'status']);
    t.index(['message_id']);
    t.index(['document_id']);
    t.index(['lawyer_message_id']);
    t.index(['created_at']);
  });
  await knex.raw(`CREATE INDEX lawyer_reviews_pending_idx ON lawyer_reviews (created_at) WHERE status = 'pending'`);

  await knex.schema.createTable('review_passes', (t) => {
    t.uuid('review_id').notNullable().references('id').inTable('lawyer_reviews').onDelete('CASCADE');
    t.uuid('lawyer_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('kind').notNullable().checkIn(['declined', 'expired'], 'review_passes_kind_check');
    t.text('reason');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['review_id', 'lawyer_id']);
    t.index(['lawyer_id']);
  });
}
