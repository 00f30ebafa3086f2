/**
 * Billing: a YooKassa subscription's periods count in whole months from its anchor (the first
 * period's start), so one bought on the 31st renews on the 28th in February and on the 31st
 * again in March instead of drifting to the 28th for good. Rows stored before take their
 * current period's end as the anchor: whatever drift they had stops there.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE subscriptions ADD COLUMN period_anchor timestamptz');
  await knex.raw('UPDATE subscriptions SET period_anchor = current_period_end WHERE current_period_end IS NOT NULL');
}
