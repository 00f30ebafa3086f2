import { cancelStripeSubscription } from '../core/billing/subscribe.js';
import { defineProcessor } from './processor.js';

/** Cancels at Stripe a subscription we ended; retried with backoff while Stripe does not answer. */
export default defineProcessor({
  name: 'billing.cancel-stripe-subscription',
  async process(payload, ctx) {
    const outcome = await cancelStripeSubscription({ db: ctx.db, providers: ctx.payments }, payload.subscription_id);
    ctx.log.info({ subscription_id: payload.subscription_id, outcome }, 'Stripe subscription cancellation');
    return { outcome };
  },
});
