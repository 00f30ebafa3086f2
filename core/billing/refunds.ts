/**
 * Refunds made at the provider (by an operator in its dashboard, or a chargeback). A full
 * refund moves the payment to `refunded`; if it granted a period (it was not flagged refund
 * due) and no later payment of its subscription granted one, it paid the current period, so the
 * subscription ends now: YooKassa renewals stop, and a Stripe
 * one is cancelled at Stripe (the caller queues that after the commit). A partial refund is
 * recorded (audited once per refund) and the plan goes on. A refund applied before the
 * payment's own success counts as both: that success, arriving later, finds the payment
 * refunded and grants nothing.
 */
import type { Knex } from 'knex';
import { audit } from '../audit.js';
import { paymentChanges } from '../telemetry/metrics.js';
import { REFUND_DUE, type Applied } from './apply.js';
import type { ProviderName } from './provider.js';

/** The Stripe invoice a refunded charge paid. */
export interface RefundedInvoice {
  id: string;
  /** Stripe's subscription id, and ours from its metadata. */
  subscription: string;
  ours?: string | undefined;
  /** The subscription's first invoice: its payment is our Checkout Session's. */
  first: boolean;
  amount: number;
  currency: string;
}

export interface RefundReport {
  /** The refund (YooKassa) or its event (Stripe): a partial refund is recorded once per ref. */
  ref: string;
  /** The payment is now refunded whole (one refund or several). */
  full: boolean;
  /** Taken back by the payer's bank (a dispute lost), not refunded by us. */
  chargeback?: boolean | undefined;
  /** YooKassa: the payment's id. */
  providerPaymentId?: string | undefined;
  /** Stripe: the invoice the charge paid. */
  invoice?: RefundedInvoice | undefined;
}

interface PaymentRow { id: string; user_id: string; subscription_id: string | null; status: string; created_at: Date }

export async function refundPayment(db: Knex, provider: ProviderName, report: RefundReport): Promise<Applied> {
  const applied = await db.transaction(async (trx): Promise<Applied & { moved?: boolean }> => {
    const payment = await paymentOfCharge(trx, provider, report);
    if (!payment) return { outcome: 'unknown payment' };
    if (!report.full) return { outcome: await partlyRefunded(trx, payment, report.ref) };
    if (payment.status === 'refunded' || payment.status === 'canceled') return { outcome: `stays ${payment.status}` };
    await trx('payments').where({ id: payment.id }).update({ status: 'refunded', next_poll_at: null, updated_at: trx.fn.now() });
    const ended = await endRefundedPeriod(trx, payment, report.invoice?.subscription);
    await audit({ actorId: payment.user_id, action: 'billing.payment_refunded', targetType: 'payment', targetId: payment.id, meta: { provider, from: payment.status, effect: ended.effect, ...(report.chargeback ? { chargeback: true } : {}) } }, trx);
    return { outcome: `${payment.status} -> refunded: ${ended.effect}`, notify: [payment.user_id], cancelAtStripe: ended.cancelAtStripe, moved: true };
  });
  if (applied.moved) paymentChanges.inc({ provider, status: 'refunded' });
  return { outcome: applied.outcome, notify: applied.notify, cancelAtStripe: applied.cancelAtStripe };
}

/**
 * Our payment the refunded or disputed charge is of, locked. A Stripe renewal refunded in full before its
 * `invoice.paid` was applied is recorded here, so that event then finds it and extends nothing.
 */
export async function paymentOfCharge(trx: Knex.Transaction, provider: ProviderName, report: RefundReport): Promise<PaymentRow | undefined> {
  if (report.providerPaymentId) return trx('payments').where({ provider, provider_payment_id: report.providerPaymentId }).forUpdate().first();
  const invoice = report.invoice;
  if (!invoice) return undefined;
  const sub = await trx('subscriptions').where({ provider: 'stripe' })
    .where((q) => (invoice.ours ? q.where({ id: invoice.ours }).orWhere({ provider_subscription_id: invoice.subscription }) : q.where({ provider_subscription_id: invoice.subscription })))
    .first('id', 'user_id');
  if (!sub) return undefined;
  if (invoice.first) return trx('payments').where({ subscription_id: sub.id, kind: 'initial' }).forUpdate().first();
  if (report.full) {
    await trx('payments').insert({
      user_id: sub.user_id, subscription_id: sub.id, provider: 'stripe', provider_payment_id: invoice.id, kind: 'renewal',
      amount_minor: invoice.amount, currency: invoice.currency.toUpperCase(), status: 'succeeded',
    }).onConflict(['provider', 'provider_payment_id']).ignore();
  }
  return trx('payments').where({ provider: 'stripe', provider_payment_id: invoice.id }).forUpdate().first();
}

async function partlyRefunded(trx: Knex.Transaction, payment: PaymentRow, ref: string): Promise<string> {
  const action = 'billing.payment_partly_refunded';
  const seen = await trx('audit_logs').where({ action, target_id: payment.id }).whereRaw(`meta ->> 'ref' = ?`, [ref]).first('id');
  if (!seen) await audit({ actorId: payment.user_id, action, targetType: 'payment', targetId: payment.id, meta: { ref } }, trx);
  return 'partial refund recorded: the plan goes on';
}

/** A full refund of the payment of the current period (none of its subscription succeeded later) ends the subscription now. */
async function endRefundedPeriod(trx: Knex.Transaction, payment: PaymentRow, stripeSubscription: string | undefined): Promise<{ effect: string; cancelAtStripe?: string[] }> {
  if (!payment.subscription_id) return { effect: 'no subscription' };
  const sub = await trx('subscriptions').where({ id: payment.subscription_id }).forUpdate().first();
  if (!sub || sub.status === 'canceled') return { effect: 'subscription already ended' };
  // The subscription's payments that granted a period: not flagged as granting nothing (a
  // charge we had given up on, a closed checkout paid anyway), which pays for no period.
  const granting = trx('payments').where({ subscription_id: sub.id })
    .whereNotExists((q) => q.select(1).from('audit_logs').where({ action: REFUND_DUE }).whereRaw('audit_logs.target_id = payments.id::text'));
  if (!(await granting.clone().where({ id: payment.id }).first('id'))) return { effect: 'it granted nothing: the plan goes on' };
  const later = await granting.where({ status: 'succeeded' }).where('created_at', '>', payment.created_at).first('id');
  if (later) return { effect: 'an earlier period: the plan goes on' };
  // Refunded before the checkout's success was applied: Stripe's subscription is known only from the invoice.
  const atStripe: string | null = sub.provider_subscription_id ?? (sub.provider === 'stripe' ? stripeSubscription : undefined) ?? null;
  await trx('subscriptions').where({ id: sub.id }).update({
    status: 'canceled', canceled_at: trx.fn.now(), next_charge_at: null, provider_subscription_id: atStripe, updated_at: trx.fn.now(),
  });
  await audit({ action: 'billing.subscription_canceled', targetType: 'subscription', targetId: sub.id, meta: { reason: 'refunded', payment_id: payment.id } }, trx);
  return { effect: 'subscription ended', cancelAtStripe: sub.provider === 'stripe' && atStripe ? [sub.id] : undefined };
}
