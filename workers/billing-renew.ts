import { renewDue } from '../core/billing/renew.js';
import { announceBilling } from './billing-notify.js';
import { defineProcessor } from './processor.js';

/** Charges due YooKassa renewals and dunning retries with the saved method. Scheduled. */
export default defineProcessor({
  name: 'billing.renew',
  async process(_payload, ctx) {
    const done = await renewDue({ db: ctx.db, yookassa: ctx.payments.yookassa, firstPollSeconds: ctx.config.billing.reconcileEverySeconds, log: ctx.log });
    await announceBilling(ctx, done.users);
    return { charged: done.charged };
  },
});
