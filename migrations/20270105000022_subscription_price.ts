/**
 * Billing: a subscription keeps the price it was bought at (`price_minor`, `currency`), and its
 * YooKassa renewals charge that price, as Stripe's subscriptions do (their price is fixed at
 * checkout): an admin's price change applies to new checkouts, never silently to people who
 * already pay. Rows stored before take their plan's current price, which their renewals charged.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE subscriptions ADD COLUMN price_minor integer, ADD COLUMN currency text');
  await knex.raw('UPDATE subscriptions s SET price_minor = p.price_minor, currency = p.currency FROM plans p WHERE p.id = s.plan_id');
  await knex.raw('ALTER TABLE subscriptions ALTER COLUMN price_minor SET NOT NULL, ALTER COLUMN currency SET NOT NULL');
}
