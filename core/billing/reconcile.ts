/**
 * Reconciliation, after Kill Bill's janitor: a payment still pending is fetched from its
 * provider at 5 minutes (BILLING_RECONCILE_EVERY_SECONDS), 1 hour and 1 day after it was
 * created, and whatever the provider reports is applied like a webhook. Racing a webhook is
 * harmless: both go through settlePayment, which moves each payment forward once.
 */
import type { Knex } from 'knex';
import type { Logger } from '../log.js';
import { settlePayment } from './apply.js';
import { afterSettle } from './effects.js';
import type { ProviderName } from './provider.js';
import type { Providers } from './subscribe.js';

/** When the n-th poll is due, in seconds after the payment was created. */
export const pollOffsets = (everySeconds: number) => [everySeconds, Math.max(everySeconds, 3600), Math.max(everySeconds, 86_400)];

const BATCH = 100;

export async function reconcilePayments(deps: { db: Knex; providers: Providers; everySeconds: number; log: Logger }): Promise<{ polled: number; changed: number }> {
  const due = await deps.db('payments').whereIn('status', ['pending', 'waiting_for_capture']).whereNotNull('provider_payment_id')
    .where('next_poll_at', '<=', deps.db.fn.now()).orderBy('next_poll_at').limit(BATCH);
  const offsets = pollOffsets(deps.everySeconds);
  let changed = 0;
  for (const payment of due) {
    const provider = deps.providers[payment.provider as ProviderName];
    if (!provider) continue;
    const polls = payment.polls + 1;
    const next = offsets[polls];
    // The next poll is booked before asking, so a provider that does not answer is asked again later.
    await deps.db('payments').where({ id: payment.id }).update({
      polls, next_poll_at: next === undefined ? null : deps.db.raw(`?::timestamptz + make_interval(secs => ?)`, [payment.created_at, next]),
    });
    try {
      const applied = await settlePayment(deps.db, payment.provider, await provider.fetch(payment.provider_payment_id));
      // A Stripe subscription this replaced is cancelled by the same run's sweep (stripeEndedLately).
      await afterSettle({ db: deps.db, stripe: deps.providers.stripe, log: deps.log }, applied);
      if (!applied.outcome.startsWith('stays')) changed++;
    } catch (err) {
      deps.log.warn({ payment_id: payment.id, provider: payment.provider, err: (err as Error).message }, 'payment could not be polled');
    }
  }
  return { polled: due.length, changed };
}

/** How far back the reconciliation looks for Stripe subscriptions we ended (its cancellation jobs are kept longer). */
export const STRIPE_CANCEL_LOOKBACK_HOURS = 24;

/**
 * Stripe subscriptions we ended lately without Stripe having been told to stop at the period's
 * end (replaced by another plan, or by an operator's plan:grant): the reconcile job queues
 * their cancellation at Stripe again, so one never queued (the CLI has no queues; a crash
 * between the commit and the enqueue) is still cancelled. The job ids make a repeat a no-op.
 */
export async function stripeEndedLately(db: Knex): Promise<string[]> {
  return db('subscriptions').where({ provider: 'stripe', status: 'canceled', cancel_at_period_end: false }).whereNotNull('provider_subscription_id')
    .where('canceled_at', '>', db.raw(`now() - make_interval(hours => ?)`, [STRIPE_CANCEL_LOOKBACK_HOURS])).pluck('id');
}
