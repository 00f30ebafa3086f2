/**
 * A subscription outlives an erased account as its payments do, without the person (no user,
 * no saved card): a checkout paid or a Stripe invoice billed after the erasure then finds the
 * subscription it belongs to, ended, and has it cancelled at Stripe and flagged for a refund.
 * Deleted with the account, it left such a payment naming nothing, and Stripe billing on.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE subscriptions ALTER COLUMN user_id DROP NOT NULL');
  await knex.raw('ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_user_id_foreign');
  await knex.raw('ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_user_id_foreign FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL');
}
