import { defineProcessor } from './processor.js';

/** Ends subscriptions whose paid period is over. Idempotent: a rerun finds nothing to do. */
export default defineProcessor({
  name: 'billing.expire-subscriptions',
  async process(_payload, { db, log }) {
    const expired = await db('subscriptions')
      .whereIn('status', ['active', 'past_due'])
      .where('current_period_end', '<', db.fn.now())
      .update({ status: 'expired', updated_at: db.fn.now() });
    if (expired) log.info({ expired }, 'subscriptions expired');
    return { expired };
  },
});
