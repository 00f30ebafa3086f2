import { expireEnded } from '../core/billing/renew.js';
import { announceBilling } from './billing-notify.js';
import { defineProcessor } from './processor.js';

/** Ends subscriptions whose last period is over (cancelled or granted): their users are back on free. */
export default defineProcessor({
  name: 'billing.expire-subscriptions',
  async process(_payload, ctx) {
    const users = await expireEnded(ctx.db);
    if (users.length) ctx.log.info({ expired: users.length }, 'subscriptions expired');
    await announceBilling(ctx, users);
    return { expired: users.length };
  },
});
