import { reconcilePayments } from '../core/billing/reconcile.js';
import { defineProcessor } from './processor.js';

/** Re-polls pending payments that are due (5 min, 1 h, 1 day after creation). Scheduled. */
export default defineProcessor({
  name: 'billing.reconcile',
  async process(_payload, ctx) {
    return reconcilePayments({ db: ctx.db, providers: ctx.payments, everySeconds: ctx.config.billing.reconcileEverySeconds, log: ctx.log });
  },
});
