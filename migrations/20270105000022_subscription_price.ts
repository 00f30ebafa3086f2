/**
 * Billing: a subscription keeps the price it was bought at (`price_minor`, `currency`), and its
 * YooKassa renewals charge that price, as Stripe's subscriptions do (their price is fixed at
 * checkout): an admin's price change applies to new checkouts, never silently to people who
 * already pay. Rows stored before take what their latest payment charged (a Stripe renewal's
 * invoice, a YooKassa renewal, else the first payment), else their plan's current price; a
 * plan an operator granted costs its holder nothing.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE subscriptions ADD COLUMN price_minor integer, ADD COLUMN currency text');
  await knex.raw(`UPDATE subscriptions s SET (price_minor, currency) = (
      SELECT coalesce(paid.amount_minor, CASE WHEN s.provider = 'manual' THEN 0 ELSE p.price_minor END), coalesce(paid.currency, p.currency)
      FROM plans p LEFT JOIN LATERAL (SELECT amount_minor, currency FROM payments
        WHERE subscription_id = s.id AND status IN ('succeeded', 'refunded') ORDER BY created_at DESC LIMIT 1) paid ON true
      WHERE p.id = s.plan_id)`);
  await knex.raw('ALTER TABLE subscriptions ALTER COLUMN price_minor SET NOT NULL, ALTER COLUMN currency SET NOT NULL');
}
