/**
 * The initial schema. Forward-only: a change is a new migration, never an edit here.
 * Runs on PostgreSQL 15+ and on PGlite.
 */
import type { Knex } from 'knex';

const id = (t: Knex.CreateTableBuilder, knex: Knex) =>
  t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
const timestamps = (t: Knex.CreateTableBuilder, knex: Knex) => {
  t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
};
const fk = (t: Knex.CreateTableBuilder, column: string, table: string, onDelete = 'CASCADE') =>
  t.uuid(column).references('id').inTable(table).onDelete(onDelete).index();

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    id(t, knex);
    t.text('email').notNullable().unique();
    t.text('name');
    t.text('password_hash').notNullable();
    t.text('role').notNullable().defaultTo('user').checkIn(['user', 'lawyer', 'admin'], 'users_role_check');
    t.text('status').notNullable().defaultTo('active').checkIn(['active', 'blocked'], 'users_status_check');
    timestamps(t, knex);
  });
  await knex.raw(`CREATE INDEX users_lawyers_idx ON users (id) WHERE role = 'lawyer' AND status = 'active'`);

  await knex.schema.createTable('refresh_tokens', (t) => {
    id(t, knex);
    fk(t, 'user_id', 'users').notNullable();
    t.uuid('family_id').notNullable().index();
    t.text('token_hash').notNullable().unique();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('chats', (t) => {
    id(t, knex);
    fk(t, 'user_id', 'users').notNullable();
    t.text('title').notNullable();
    t.text('type').notNullable().defaultTo('general');
    t.text('status').notNullable().defaultTo('active').checkIn(['active', 'archived'], 'chats_status_check');
    timestamps(t, knex);
  });
  await knex.raw(`CREATE INDEX chats_user_active_idx ON chats (user_id, updated_at DESC, id) WHERE status = 'active'`);

  await knex.schema.createTable('messages', (t) => {
    id(t, knex);
    fk(t, 'chat_id', 'chats').notNullable();
    fk(t, 'user_id', 'users').notNullable();
    t.text('sender').notNullable().checkIn(['user', 'assistant', 'lawyer', 'system'], 'messages_sender_check');
    t.text('content');
    t.text('status').notNullable().defaultTo('pending')
      .checkIn(['pending', 'queued', 'streaming', 'completed', 'failed'], 'messages_status_check');
    t.jsonb('meta').notNullable().defaultTo('{}');
    // An assistant reply points at the user message it answers: one reply per question.
    t.uuid('reply_to').references('id').inTable('messages').onDelete('CASCADE').unique();
    timestamps(t, knex);
    t.index(['chat_id', 'created_at', 'id']);
  });
  await knex.raw(`CREATE INDEX messages_content_fts_idx ON messages USING GIN (to_tsvector('russian', coalesce(content, '')))`);
  await knex.raw(`CREATE INDEX messages_open_idx ON messages (status, updated_at) WHERE status IN ('pending', 'queued', 'streaming')`);

  await knex.schema.createTable('pii_vaults', (t) => {
    t.text('scope_type').notNullable();
    t.uuid('scope_id').notNullable();
    t.text('sealed').notNullable();
    t.primary(['scope_type', 'scope_id']);
    timestamps(t, knex);
  });

  await knex.schema.createTable('documents', (t) => {
    id(t, knex);
    fk(t, 'user_id', 'users').notNullable();
    t.text('title').notNullable();
    t.text('filename').notNullable();
    t.text('mime_type').notNullable();
    t.bigInteger('size_bytes').notNullable();
    t.text('sha256');
    t.text('storage_key');
    t.text('masked_key');
    t.text('masked_text');
    t.text('status').notNullable().defaultTo('uploaded')
      .checkIn(['uploaded', 'processing', 'ready', 'failed'], 'documents_status_check');
    t.jsonb('meta').notNullable().defaultTo('{}');
    timestamps(t, knex);
  });
  await knex.raw(`CREATE INDEX documents_text_fts_idx ON documents USING GIN (to_tsvector('russian', coalesce(masked_text, '')))`);
  await knex.raw(`CREATE INDEX documents_open_idx ON documents (status, updated_at) WHERE status IN ('uploaded', 'processing')`);

  await knex.schema.createTable('document_chunks', (t) => {
    id(t, knex);
    fk(t, 'document_id', 'documents').notNullable();
    t.integer('ord').notNullable();
    t.text('text').notNullable();
    t.unique(['document_id', 'ord']);
  });
  await knex.raw(`CREATE INDEX document_chunks_fts_idx ON document_chunks USING GIN (to_tsvector('russian', text))`);

  await knex.schema.createTable('lawyer_reviews', (t) => {
    id(t, knex);
    fk(t, 'requester_id', 'users').notNullable();
    fk(t, 'lawyer_id', 'users', 'SET NULL');
    fk(t, 'message_id', 'messages');
    fk(t, 'document_id', 'documents');
    t.text('status').notNullable().defaultTo('requested')
      .checkIn(['requested', 'assigned', 'in_review', 'completed', 'cancelled'], 'lawyer_reviews_status_check');
    t.text('comment');
    t.text('verdict');
    t.timestamp('completed_at', { useTz: true });
    timestamps(t, knex);
  });
  await knex.raw(`CREATE INDEX lawyer_reviews_open_idx ON lawyer_reviews (status, created_at) WHERE status IN ('requested', 'assigned', 'in_review')`);

  await knex.schema.createTable('plans', (t) => {
    id(t, knex);
    t.text('code').notNullable().unique();
    t.text('name').notNullable();
    t.integer('price_minor').notNullable();
    t.text('currency').notNullable().defaultTo('RUB');
    t.text('period').notNullable().defaultTo('month');
    t.jsonb('limits').notNullable().defaultTo('{}');
    t.boolean('active').notNullable().defaultTo(true);
    timestamps(t, knex);
  });
  await knex('plans').insert([
    { code: 'free', name: 'Бесплатный', price_minor: 0, limits: { daily_messages: 20, documents: 5, reviews_per_month: 0 } },
    { code: 'pro', name: 'Профессиональный', price_minor: 199000, limits: { daily_messages: 300, documents: 200, reviews_per_month: 3 } },
    { code: 'business', name: 'Бизнес', price_minor: 990000, limits: { daily_messages: 3000, documents: 5000, reviews_per_month: 30 } },
  ]);

  await knex.schema.createTable('subscriptions', (t) => {
    id(t, knex);
    fk(t, 'user_id', 'users').notNullable();
    fk(t, 'plan_id', 'plans', 'RESTRICT').notNullable();
    t.text('status').notNullable().defaultTo('pending')
      .checkIn(['pending', 'active', 'past_due', 'cancelled', 'expired'], 'subscriptions_status_check');
    t.text('provider').notNullable();
    t.text('provider_subscription_id');
    t.timestamp('current_period_start', { useTz: true });
    t.timestamp('current_period_end', { useTz: true });
    timestamps(t, knex);
  });
  await knex.raw(`CREATE UNIQUE INDEX subscriptions_one_active_idx ON subscriptions (user_id) WHERE status IN ('active', 'past_due')`);

  await knex.schema.createTable('payments', (t) => {
    id(t, knex);
    fk(t, 'user_id', 'users').notNullable();
    fk(t, 'subscription_id', 'subscriptions', 'SET NULL');
    t.text('provider').notNullable();
    t.text('provider_payment_id');
    t.integer('amount_minor').notNullable();
    t.text('currency').notNullable().defaultTo('RUB');
    t.text('status').notNullable().defaultTo('pending')
      .checkIn(['pending', 'succeeded', 'failed', 'refunded', 'cancelled'], 'payments_status_check');
    t.jsonb('meta').notNullable().defaultTo('{}');
    timestamps(t, knex);
    t.unique(['provider', 'provider_payment_id']);
  });
  await knex.raw(`CREATE INDEX payments_pending_idx ON payments (created_at) WHERE status = 'pending'`);

  // Webhook deliveries seen: a duplicate delivery is recognised and changes nothing.
  await knex.schema.createTable('payment_events', (t) => {
    t.text('provider').notNullable();
    t.text('event_id').notNullable();
    t.text('type').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('processed_at', { useTz: true });
    t.primary(['provider', 'event_id']);
  });

  await knex.schema.createTable('ai_cache', (t) => {
    t.text('key').primary();
    fk(t, 'user_id', 'users').notNullable();
    t.text('provider').notNullable();
    t.text('model').notNullable();
    t.jsonb('response').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable().index();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('ai_usage_daily', (t) => {
    fk(t, 'user_id', 'users').notNullable();
    t.date('day').notNullable();
    t.integer('messages').notNullable().defaultTo(0);
    t.bigInteger('input_tokens').notNullable().defaultTo(0);
    t.bigInteger('output_tokens').notNullable().defaultTo(0);
    t.primary(['user_id', 'day']);
  });

  await knex.schema.createTable('idempotency_keys', (t) => {
    fk(t, 'user_id', 'users').notNullable();
    t.text('key').notNullable();
    t.text('request_hash').notNullable();
    t.integer('status_code');
    t.jsonb('response');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now()).index();
    t.primary(['user_id', 'key']);
  });

  await knex.schema.createTable('audit_logs', (t) => {
    id(t, knex);
    fk(t, 'actor_id', 'users', 'SET NULL');
    t.text('action').notNullable();
    t.text('target_type');
    t.text('target_id');
    t.text('ip');
    t.jsonb('meta').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['action', 'created_at']);
    t.index(['created_at']);
  });
}

