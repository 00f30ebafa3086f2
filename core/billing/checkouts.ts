/**
 * Open checkouts: subscriptions still `incomplete`, waiting for their first payment. A user has
 * at most one: asking again for the same plan and provider gives it back (subscribe.ts), and
 * anything else that decides the user's plan (another checkout, a checkout paid, an operator's
 * grant) closes the others first. Closing marks ours canceled, so a late payment of one starts
 * nothing (apply.ts records it and flags it for a refund); its Stripe session is expired after
 * the commit (effects.ts) so it can no longer be paid. YooKassa's API cancels only a payment
 * `waiting_for_capture`, and ours capture at once: a pending one expires there on its own.
 */
import type { Knex } from 'knex';
import { audit } from '../audit.js';

/** A payment the customer may still complete. */
export const OPEN_PAYMENT_STATUSES = ['pending', 'waiting_for_capture'];

/** Closes the user's open checkouts but `keep` (in `trx`); the Stripe sessions of those closed, to expire after the commit. */
export async function closeCheckouts(trx: Knex.Transaction, userId: string, reason: string, keep?: string): Promise<string[]> {
  const closed: string[] = await trx('subscriptions').where({ user_id: userId, status: 'incomplete' }).modify((q) => (keep ? q.whereNot({ id: keep }) : q))
    .update({ status: 'canceled', canceled_at: trx.fn.now(), updated_at: trx.fn.now() }).returning('id').then((rows) => rows.map((r: { id: string }) => r.id));
  for (const id of closed) await audit({ action: 'billing.checkout_closed', targetType: 'subscription', targetId: id, meta: { reason } }, trx);
  if (!closed.length) return [];
  return trx('payments').whereIn('subscription_id', closed).where({ provider: 'stripe', kind: 'initial' }).whereIn('status', OPEN_PAYMENT_STATUSES)
    .whereNotNull('provider_payment_id').pluck('provider_payment_id');
}
