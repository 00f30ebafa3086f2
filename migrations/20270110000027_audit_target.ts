/**
 * Entries about one thing (`target_id`, then `action`): the admin trail's filter, the export's
 * entries about a person, and the once-only checks of billing (a partial refund, a dispute),
 * which ran over the whole trail under a payment's row lock.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX audit_logs_target_idx ON audit_logs (target_id, action) WHERE target_id IS NOT NULL');
}
