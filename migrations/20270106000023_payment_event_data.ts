/**
 * Billing events keep what applying needs and no more: a payment's confirmation page is never
 * kept, and a saved card's id only until its event is applied (it then lives on the
 * subscription alone, from which an erasure removes it). Rows stored before lose both now.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`UPDATE payment_events SET data = data #- '{payment,confirmationUrl}' WHERE data->'payment'->>'confirmationUrl' IS NOT NULL`);
  await knex.raw(`UPDATE payment_events SET data = data #- '{payment,paymentMethodId}' WHERE applied_at IS NOT NULL AND data->'payment'->>'paymentMethodId' IS NOT NULL`);
}
