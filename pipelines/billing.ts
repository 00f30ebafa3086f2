/**
 * Cancelling at Stripe the subscriptions we ended (replaced by another plan). Queued only after
 * the transaction that ended them committed; the job id names the subscription, so a repeated
 * webhook, a retried apply job or the reconciliation's sweep adds nothing while one is kept.
 */
import { freeJobId, type Queues } from './queues.js';

export const stripeCancelJobId = (subscriptionId: string) => `billing-stripe-cancel-${subscriptionId}`;

// Kept (by age only) longer than the sweep looks back (STRIPE_CANCEL_LOOKBACK_HOURS), so a
// finished cancellation is not run again by it; ~17 min of retries ride out a Stripe outage.
const KEEP = { age: 7 * 24 * 3600 };
const OPTIONS = { attempts: 10, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: KEEP, removeOnFail: KEEP } as const;

/**
 * Queues each cancellation unless one is queued, running or (without `again`) done. One that
 * ran out of attempts is tried afresh: Stripe would otherwise keep billing. `again` also runs
 * one that completed before (a new charge shows Stripe still bills it).
 */
export async function enqueueStripeCancels(queues: Queues, subscriptionIds: string[] | undefined, { again = false } = {}): Promise<void> {
  for (const id of new Set(subscriptionIds ?? [])) {
    const jobId = stripeCancelJobId(id);
    await freeJobId(queues.get('billing'), jobId, again ? ['failed', 'completed'] : ['failed']);
    await queues.add('billing.cancel-stripe-subscription', { subscription_id: id }, { ...OPTIONS, jobId });
  }
}
