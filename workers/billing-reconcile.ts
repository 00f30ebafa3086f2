import { requeueUnapplied } from '../core/billing/apply-jobs.js';
import { reconcilePayments, stripeEndedLately } from '../core/billing/reconcile.js';
import { enqueueStripeCancels } from '../pipelines/billing.js';
import { defineProcessor } from './processor.js';

/**
 * Re-polls pending payments that are due (5 min, 1 h, 1 day after creation), queues again the
 * apply job of each stored webhook event still unapplied (its job failed for good), then queues
 * the Stripe cancellation of each Stripe subscription we ended in the last day (those already
 * queued or done add nothing). Scheduled.
 */
export default defineProcessor({
  name: 'billing.reconcile',
  async process(_payload, ctx) {
    const polled = await reconcilePayments({ db: ctx.db, providers: ctx.payments, everySeconds: ctx.config.billing.reconcileEverySeconds, log: ctx.log });
    const requeued = await requeueUnapplied(ctx.db, ctx.queues);
    if (requeued) ctx.log.warn({ requeued }, 'unapplied payment events queued again');
    const ended = ctx.payments.stripe ? await stripeEndedLately(ctx.db) : [];
    await enqueueStripeCancels(ctx.queues, ended);
    return { ...polled, requeued, stripeEnded: ended.length };
  },
});
