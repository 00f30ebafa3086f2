/**
 * What applying a payment asks for once its transaction has committed, besides the Stripe
 * cancellations (those are jobs: see pipelines/billing.ts): expiring at Stripe the checkouts it
 * closed, and an operator warning (counted when a refund is due or a charge disputed). Best effort: a session left open can still be paid, and
 * that late payment is recorded and flagged for a refund (apply.ts), never applied as a plan.
 */
import type { Knex } from 'knex';
import type { Logger } from '../log.js';
import { paymentDisputes, paymentRefundsDue } from '../telemetry/metrics.js';
import { settlePayment, type Applied } from './apply.js';
import type { StripeProvider } from './stripe.js';

export interface EffectDeps {
  db: Knex;
  stripe: Pick<StripeProvider, 'expireCheckout'> | undefined;
  log: Logger;
}

/** Expires each Checkout Session at Stripe and records what Stripe then reports (expired: canceled). */
export async function expireStripeCheckouts(deps: EffectDeps, sessionIds: string[] | undefined): Promise<void> {
  for (const id of new Set(sessionIds ?? [])) {
    if (!deps.stripe) {
      deps.log.warn({ session_id: id }, 'a closed Stripe checkout could not be expired: Stripe is not configured here');
      continue;
    }
    try {
      const reported = await deps.stripe.expireCheckout(id);
      // Paid meanwhile: its own event (or the reconciliation) applies it, with the Stripe cancellation it needs.
      if (reported.status === 'canceled') await settlePayment(deps.db, 'stripe', reported);
    } catch (err) {
      deps.log.warn({ session_id: id, err: (err as Error).message }, 'a closed Stripe checkout could not be expired');
    }
  }
}

/** Runs what `applied` asks for after the commit, but the Stripe cancellations. */
export async function afterSettle(deps: EffectDeps, applied: Applied): Promise<void> {
  if (applied.warning) deps.log.warn(applied.warning.ids, applied.warning.message);
  if (applied.warning?.refundDue) paymentRefundsDue.inc({ provider: applied.warning.refundDue });
  if (applied.warning?.disputed) paymentDisputes.inc({ provider: applied.warning.disputed });
  await expireStripeCheckouts(deps, applied.expireAtStripe);
}
