import { afterSettle } from '../core/billing/effects.js';
import { applyEvent } from '../core/billing/webhooks.js';
import { paymentWebhooks } from '../core/telemetry/metrics.js';
import { enqueueStripeCancels } from '../pipelines/billing.js';
import { announceBilling } from './billing-notify.js';
import { defineProcessor } from './processor.js';

/** Applies a stored webhook; a second run of the same event changes nothing. */
export default defineProcessor({
  name: 'billing.apply-event',
  async process(payload, ctx) {
    const applied = await applyEvent(ctx.db, payload.event_id).catch(async (err: Error) => {
      const event = await ctx.db('payment_events').where({ id: payload.event_id }).first('provider');
      paymentWebhooks.inc({ provider: event?.provider ?? 'unknown', outcome: 'failed' });
      throw err;
    });
    // After the commit (a failure fails this job; the reconcile job's sweep queues it again). An
    // applied event's cancellations are new facts (a replacement, a charge after the end): run them even if done before.
    await enqueueStripeCancels(ctx.queues, applied.cancelAtStripe, { again: true });
    await afterSettle({ db: ctx.db, stripe: ctx.payments.stripe, log: ctx.log.child({ event_id: payload.event_id }) }, applied);
    ctx.log.info({ event_id: payload.event_id, outcome: applied.outcome }, 'payment event applied');
    await announceBilling(ctx, applied.notify);
    return { outcome: applied.outcome };
  },
});
