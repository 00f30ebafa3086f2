/**
 * Billing. Plans get the contract's limits. The seed's subscriptions, payments and
 * payment_events never held a row; they are rebuilt for the providers' state machines:
 * payments `pending → waiting_for_capture → succeeded → refunded` or `→ canceled`,
 * subscriptions `incomplete → active ⇄ past_due → canceled`, each only moving forward.
 * `usage_counters` takes per-period usage with one conditional upsert per request.
 */
import type { Knex } from 'knex';

const LIMITS = {
  free: { messages_per_day: 20, documents_per_month: 5, reviews_per_month: 1, storage_mb: 100 },
  pro: { messages_per_day: 300, documents_per_month: 100, reviews_per_month: 5, storage_mb: 5 * 1024 },
  business: { messages_per_day: 3000, documents_per_month: 1000, reviews_per_month: 30, storage_mb: 50 * 1024 },
};

export async function up(knex: Knex): Promise<void> {
  for (const [code, limits] of Object.entries(LIMITS)) await knex('plans').where({ code }).update({ limits: JSON.stringify(limits) });
  await knex.schema.dropTable('payment_events');
  await knex.schema.dropTable('payments');
  await knex.schema.dropTable('subscriptions');

  await knex.schema.createTable('subscriptions', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.uuid('plan_id').notNullable().references('id').inTable('plans').onDelete('RESTRICT');
    t.text('status').notNullable().defaultTo('incomplete')
      .checkIn(['incomplete', 'active', 'past_due', 'canceled'], 'subscriptions_status_check');
    t.text('provider').notNullable().checkIn(['stripe', 'yookassa', 'manual'], 'subscriptions_provider_check');
    // Stripe's subscription id; YooKassa's saved payment method, charged at each renewal.
    t.text('provider_subscription_id');
    t.text('payment_method_id');
    t.timestamp('current_period_start', { useTz: true });
    t.timestamp('current_period_end', { useTz: true });
    t.boolean('cancel_at_period_end').notNullable().defaultTo(false);
    // Dunning: failed renewal charges so far, and when the next one is due.
    t.integer('renewal_failures').notNullable().defaultTo(0);
    t.timestamp('next_charge_at', { useTz: true });
    t.timestamp('canceled_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['plan_id']);
    t.index(['user_id', 'created_at']);
  });
  // One paid subscription per user at a time.
  await knex.raw(`CREATE UNIQUE INDEX subscriptions_one_live_idx ON subscriptions (user_id) WHERE status IN ('active', 'past_due')`);
  await knex.raw(`CREATE UNIQUE INDEX subscriptions_provider_idx ON subscriptions (provider, provider_subscription_id) WHERE provider_subscription_id IS NOT NULL`);
  await knex.raw(`CREATE INDEX subscriptions_due_idx ON subscriptions (next_charge_at) WHERE status IN ('active', 'past_due')`);

  await knex.schema.createTable('payments', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    // Payments outlive an erased account (tax law): the row keeps amounts and ids, not the person.
    t.uuid('user_id').references('id').inTable('users').onDelete('SET NULL');
    t.uuid('subscription_id').references('id').inTable('subscriptions').onDelete('SET NULL');
    t.text('provider').notNullable();
    // Stripe's Checkout Session or invoice id; YooKassa's payment id. Unique per provider.
    t.text('provider_payment_id');
    t.text('kind').notNullable().defaultTo('initial').checkIn(['initial', 'renewal'], 'payments_kind_check');
    t.integer('amount_minor').notNullable();
    t.text('currency').notNullable().defaultTo('RUB');
    t.text('status').notNullable().defaultTo('pending')
      .checkIn(['pending', 'waiting_for_capture', 'succeeded', 'canceled', 'refunded'], 'payments_status_check');
    t.text('confirmation_url');
    // Re-polls of a pending payment so far (5 min, 1 h, 1 day) and when the next is due.
    t.integer('polls').notNullable().defaultTo(0);
    t.timestamp('next_poll_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['provider', 'provider_payment_id']);
    t.index(['user_id', 'created_at']);
    t.index(['subscription_id']);
  });
  await knex.raw(`CREATE INDEX payments_succeeded_idx ON payments (created_at) WHERE status = 'succeeded'`);
  await knex.raw(`CREATE INDEX payments_poll_idx ON payments (next_poll_at) WHERE status IN ('pending', 'waiting_for_capture')`);

  // Webhook deliveries: stored once (provider, event id), applied by a job, marked applied.
  await knex.schema.createTable('payment_events', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('provider').notNullable();
    t.text('event_id').notNullable();
    t.text('type').notNullable();
    // What applying needs, extracted from the verified (or fetched) object; no card or personal data.
    t.jsonb('data').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('applied_at', { useTz: true });
    t.text('outcome');
    t.unique(['provider', 'event_id']);
  });

  // The daily revenue and usage summary for admins, one row per UTC day (rewritten if rerun).
  await knex.schema.createTable('daily_reports', (t) => {
    t.date('day').primary();
    t.jsonb('summary').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('usage_counters', (t) => {
    t.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('metric').notNullable().checkIn(['documents', 'reviews', 'storage_bytes'], 'usage_counters_metric_check');
    // The start of the period counted (a subscription period, or the UTC month on free); storage: epoch.
    t.timestamp('period_start', { useTz: true }).notNullable();
    t.bigInteger('used').notNullable().defaultTo(0);
    t.primary(['user_id', 'metric', 'period_start']);
  });
}
