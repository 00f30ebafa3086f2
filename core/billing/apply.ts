/**
 * Applying what a provider reports. Every change locks the payment (or subscription) row and
 * moves its state only forward, so the same event twice, events out of order, and a webhook
 * racing the reconciliation poll all end in one effect: a payment succeeds once, and a
 * period is granted or extended once.
 */
import type { Knex } from 'knex';
import { audit } from '../audit.js';
import { paymentChanges } from '../telemetry/metrics.js';
import { closeCheckouts } from './checkouts.js';
import { FIRST_PERIOD_END, NEXT_PERIOD_END } from './periods.js';
import { paymentMoves, type PaymentStatus, type ProviderName, type ProviderPayment } from './provider.js';

export interface Applied {
  outcome: string;
  /** Users whose subscription changed, for a `subscription.updated` event. */
  notify?: string[] | undefined;
  /**
   * Our ids of Stripe subscriptions we hold canceled that Stripe may still bill: the caller
   * queues their cancellation at Stripe once the transaction has committed.
   */
  cancelAtStripe?: string[] | undefined;
  /** Stripe Checkout Sessions of checkouts this closed: the caller expires them once the transaction has committed. */
  expireAtStripe?: string[] | undefined;
  /** Something an operator should see in the logs (ids only, never personal data). */
  warning?: { message: string; ids: Record<string, string>; refundDue?: ProviderName; disputed?: ProviderName } | undefined;
}

/** Why a payment that succeeded granted nothing. */
type RefundReason = 'checkout_closed' | 'subscription_canceled' | 'no_subscription' | 'charge_given_up';

/**
 * A provider's payment that names our row (YooKassa's metadata) which never learnt its id: the
 * charge call went unanswered. The row takes the id (under its lock), so what is reported
 * applies to it; `linked` tells a row we had given up on (`none-…`, canceled) from a pending one.
 */
async function linkUnanswered(trx: Knex.Transaction, provider: ProviderName, reported: ProviderPayment) {
  const ours = reported.ourPaymentId;
  if (!ours) return undefined;
  const row = await trx('payments').where({ id: ours, provider })
    .where((q) => q.whereNull('provider_payment_id').orWhere('provider_payment_id', `none-${ours}`)).forUpdate().first();
  if (!row) return undefined;
  await trx('payments').where({ id: row.id }).update({ provider_payment_id: reported.providerPaymentId, updated_at: trx.fn.now() });
  return { ...row, provider_payment_id: reported.providerPaymentId, linked: true };
}

/**
 * Money taken that grants nothing: the payment stays on record as it happened, and the audit
 * entry `billing.refund_due` lists it for the operators until its refund is reported
 * (docs/operations.md#paymentrefunddue); the caller logs the warning and counts it.
 */
export const REFUND_DUE = 'billing.refund_due';

async function refundDue(trx: Knex.Transaction, payment: { id: string; provider: ProviderName }, reason: RefundReason, ids: Record<string, string> = {}): Promise<NonNullable<Applied['warning']>> {
  await audit({ action: REFUND_DUE, targetType: 'payment', targetId: payment.id, meta: { provider: payment.provider, reason } }, trx);
  return { message: `a payment granted nothing (${reason}): refund it at the provider`, ids: { payment_id: payment.id, ...ids }, refundDue: payment.provider };
}

/** Ids of the replaced subscriptions that live at Stripe (those with a Stripe subscription id). */
const stripeReplaced = (rows: Array<{ id: string; provider: string; provider_subscription_id: string | null }>) =>
  rows.filter((r) => r.provider === 'stripe' && r.provider_subscription_id).map((r) => r.id);

/** The dunning schedule of a failed renewal: retries after 1, 3 and 7 days, then canceled. */
export const DUNNING_RETRY_DAYS = [1, 3, 7];

type Granted = Pick<Applied, 'cancelAtStripe' | 'expireAtStripe' | 'warning'> & { effect: string };

/**
 * A checkout we had closed (another was opened or paid since, or an operator granted a plan)
 * was paid anyway: it starts nothing, so the plan the user has stays. The payment stays on
 * record and an operator refunds it; a subscription Stripe made for it is cancelled there.
 */
async function closedCheckoutPaid(trx: Knex.Transaction, sub: { id: string; provider_subscription_id: string | null }, payment: Payment, reported: ProviderPayment): Promise<Granted> {
  const atStripe = reported.providerSubscriptionId;
  if (atStripe && !sub.provider_subscription_id) await trx('subscriptions').where({ id: sub.id }).update({ provider_subscription_id: atStripe, updated_at: trx.fn.now() });
  return {
    effect: 'checkout closed before it was paid: refund due',
    cancelAtStripe: atStripe ? [sub.id] : undefined,
    warning: await refundDue(trx, payment, 'checkout_closed', { subscription_id: sub.id }),
  };
}

type Payment = { id: string; provider: ProviderName; subscription_id: string | null; kind: string; user_id: string };

/** Grants the first period, or extends the current one, after a payment succeeded (in `trx`). */
async function grantPeriod(trx: Knex.Transaction, payment: Payment, reported: ProviderPayment): Promise<Granted> {
  // No subscription (a payment recorded before subscriptions outlived erasures), or one kept
  // without its erased owner: nothing to grant.
  const sub = payment.subscription_id ? await trx('subscriptions').where({ id: payment.subscription_id }).forUpdate().first() : undefined;
  if (!sub) return { effect: 'no subscription: refund due', warning: await refundDue(trx, payment, 'no_subscription') };
  if (sub.status === 'canceled' || !sub.user_id) {
    if (payment.kind === 'initial') return closedCheckoutPaid(trx, sub, payment, reported);
    // A renewal charged after its subscription ended (an erasure, or an operator's grant, while it was pending).
    return { effect: 'subscription canceled: refund due', warning: await refundDue(trx, payment, 'subscription_canceled', { subscription_id: sub.id }) };
  }
  if (payment.kind === 'initial') {
    if (sub.status !== 'incomplete') return { effect: 'already active' };
    // One paid subscription at a time: the one it replaces ends now, and a Stripe one must be
    // cancelled at Stripe too (else Stripe keeps billing it): the caller queues that after the commit.
    const replaced = await trx('subscriptions').where({ user_id: sub.user_id }).whereIn('status', ['active', 'past_due']).whereNot({ id: sub.id })
      .update({ status: 'canceled', canceled_at: trx.fn.now(), updated_at: trx.fn.now() }).returning(['id', 'provider', 'provider_subscription_id']);
    // Checkouts opened before this one was paid must not replace it when paid later.
    const expireAtStripe = await closeCheckouts(trx, sub.user_id, 'another checkout was paid', sub.id);
    await trx('subscriptions').where({ id: sub.id }).update({
      status: 'active', current_period_start: trx.fn.now(), period_anchor: trx.fn.now(), current_period_end: trx.raw(FIRST_PERIOD_END),
      next_charge_at: sub.provider === 'yookassa' ? trx.raw(FIRST_PERIOD_END) : null,
      provider_subscription_id: reported.providerSubscriptionId ?? sub.provider_subscription_id,
      payment_method_id: reported.paymentMethodId ?? sub.payment_method_id, updated_at: trx.fn.now(),
    });
    await audit({ actorId: sub.user_id, action: 'billing.subscription_activated', targetType: 'subscription', targetId: sub.id, meta: { provider: sub.provider } }, trx);
    return { effect: 'activated', cancelAtStripe: stripeReplaced(replaced), expireAtStripe };
  }
  await trx('subscriptions').where({ id: sub.id }).update({
    status: 'active', renewal_failures: 0,
    current_period_start: sub.current_period_end, current_period_end: trx.raw(NEXT_PERIOD_END), next_charge_at: trx.raw(NEXT_PERIOD_END), updated_at: trx.fn.now(),
  });
  return { effect: 'renewed' };
}

/** A renewal charge failed: past due with a retry per DUNNING_RETRY_DAYS, then canceled. */
async function renewalFailed(trx: Knex.Transaction, subscriptionId: string | null): Promise<string> {
  if (!subscriptionId) return 'no subscription';
  const sub = await trx('subscriptions').where({ id: subscriptionId }).forUpdate().first();
  if (!sub || sub.status === 'canceled') return 'subscription canceled';
  const failures = sub.renewal_failures + 1;
  const retryDays = DUNNING_RETRY_DAYS[failures - 1];
  if (retryDays === undefined) {
    await trx('subscriptions').where({ id: sub.id }).update({ status: 'canceled', canceled_at: trx.fn.now(), next_charge_at: null, renewal_failures: failures, updated_at: trx.fn.now() });
    await audit({ action: 'billing.subscription_canceled', targetType: 'subscription', targetId: sub.id, meta: { reason: 'renewal_failed', failures } }, trx);
    return 'canceled';
  }
  await trx('subscriptions').where({ id: sub.id }).update({
    status: 'past_due', renewal_failures: failures, next_charge_at: trx.raw(`now() + make_interval(days => ?)`, [retryDays]), updated_at: trx.fn.now(),
  });
  return `past_due (retry in ${retryDays} d)`;
}

/**
 * Moves our payment to the state the provider reports, if that is forward, and applies what
 * the move means: a success grants or extends a period; a failed renewal starts dunning; a
 * failed first payment ends the subscription that waited for it.
 */
export async function settlePayment(db: Knex, provider: ProviderName, reported: ProviderPayment): Promise<Applied> {
  const applied = await db.transaction(async (trx): Promise<Applied & { moved?: boolean }> => {
    const payment = await trx('payments').where({ provider, provider_payment_id: reported.providerPaymentId }).forUpdate().first()
      ?? await linkUnanswered(trx, provider, reported);
    if (!payment) return { outcome: 'unknown payment' };
    const from = payment.status as PaymentStatus;
    if (payment.linked && from === 'canceled' && reported.status === 'succeeded') {
      // A charge we had given up on went through after all (its answer lost, its key expired):
      // recorded as taken, so the runbook finds it and its refund can be applied; it grants nothing.
      await trx('payments').where({ id: payment.id }).update({ status: 'succeeded', next_poll_at: null, updated_at: trx.fn.now() });
      const warning = await refundDue(trx, payment, 'charge_given_up');
      return { outcome: 'canceled -> succeeded at the provider: refund due', warning };
    }
    if (!paymentMoves(from, reported.status)) return { outcome: `stays ${from}` };
    await trx('payments').where({ id: payment.id }).update({
      status: reported.status, updated_at: trx.fn.now(),
      ...(['succeeded', 'canceled'].includes(reported.status) ? { next_poll_at: null } : {}),
    });
    let effect = '';
    let granted: Granted | undefined;
    if (reported.status === 'succeeded') {
      granted = await grantPeriod(trx, payment, reported);
      effect = granted.effect;
    } else if (reported.status === 'canceled' && payment.kind === 'renewal') effect = await renewalFailed(trx, payment.subscription_id);
    else if (reported.status === 'canceled' && payment.subscription_id) {
      await trx('subscriptions').where({ id: payment.subscription_id, status: 'incomplete' }).update({ status: 'canceled', canceled_at: trx.fn.now(), updated_at: trx.fn.now() });
      effect = 'subscription not started';
    }
    await audit({ actorId: payment.user_id, action: `billing.payment_${reported.status}`, targetType: 'payment', targetId: payment.id, meta: { provider, from, effect } }, trx);
    return {
      outcome: `${from} -> ${reported.status}${effect ? `: ${effect}` : ''}`, notify: [payment.user_id], moved: true,
      cancelAtStripe: granted?.cancelAtStripe, expireAtStripe: granted?.expireAtStripe, warning: granted?.warning,
    };
  });
  if (applied.moved) paymentChanges.inc({ provider, status: reported.status });
  return { outcome: applied.outcome, notify: applied.notify, cancelAtStripe: applied.cancelAtStripe, expireAtStripe: applied.expireAtStripe, warning: applied.warning };
}

/** Stripe renewed a subscription (an invoice paid for a later cycle): one renewal payment per invoice. */
export async function stripeRenewal(db: Knex, invoice: { id: string; subscription: string; amount: number; currency: string; periodStart: Date; periodEnd: Date }): Promise<Applied> {
  return db.transaction(async (trx) => {
    const sub = await trx('subscriptions').where({ provider: 'stripe', provider_subscription_id: invoice.subscription }).forUpdate().first();
    if (!sub) return { outcome: 'unknown subscription' };
    const inserted = await trx('payments').insert({
      user_id: sub.user_id, subscription_id: sub.id, provider: 'stripe', provider_payment_id: invoice.id, kind: 'renewal',
      amount_minor: invoice.amount, currency: invoice.currency.toUpperCase(), status: 'succeeded',
    }).onConflict(['provider', 'provider_payment_id']).ignore().returning('id');
    if (!inserted.length) return { outcome: 'invoice already applied' };
    paymentChanges.inc({ provider: 'stripe', status: 'succeeded' });
    if (sub.status === 'canceled') {
      // Stripe billed what we ended: its cancellation at Stripe was missed (or is still queued). Queue it (again).
      return {
        outcome: 'subscription canceled: refund due', cancelAtStripe: [sub.id],
        warning: await refundDue(trx, { id: inserted[0].id, provider: 'stripe' }, 'subscription_canceled', { subscription_id: sub.id, invoice_id: invoice.id }),
      };
    }
    // Only forward: an older invoice arriving late never shortens the period. A later one starts
    // a new period, and the month's allowances with it (usage counts from current_period_start).
    const later = trx.raw('?::timestamptz > current_period_end', [invoice.periodEnd]);
    await trx('subscriptions').where({ id: sub.id }).update({
      status: 'active',
      current_period_start: trx.raw('CASE WHEN ? THEN greatest(current_period_start, least(?::timestamptz, current_period_end)) ELSE current_period_start END', [later, invoice.periodStart]),
      current_period_end: trx.raw('greatest(current_period_end, ?::timestamptz)', [invoice.periodEnd]), updated_at: trx.fn.now(),
    });
    return { outcome: 'renewed', notify: [sub.user_id] };
  });
}

/**
 * Stripe's subscription status changes that matter here: a failed renewal, or its end. A failed
 * attempt of an invoice that has been paid since (Stripe retries, and events come in any order)
 * changes nothing. The row is locked before the invoice is looked up: a renewal recording that
 * invoice holds it, and a check made in the same UPDATE would not see the payment it committed.
 */
export async function stripeSubscriptionState(db: Knex, providerSubscriptionId: string, state: 'past_due' | 'canceled', failedInvoice?: string): Promise<Applied> {
  const allowedFrom = state === 'past_due' ? ['active'] : ['incomplete', 'active', 'past_due'];
  return db.transaction(async (trx) => {
    const sub = await trx('subscriptions').where({ provider: 'stripe', provider_subscription_id: providerSubscriptionId }).forUpdate().first('id', 'user_id', 'status');
    if (!sub || !allowedFrom.includes(sub.status)) return { outcome: 'no change' };
    if (failedInvoice && (await trx('payments').where({ provider: 'stripe', provider_payment_id: failedInvoice, status: 'succeeded' }).first('id'))) return { outcome: 'no change' };
    await trx('subscriptions').where({ id: sub.id })
      .update({ status: state, ...(state === 'canceled' ? { canceled_at: trx.fn.now() } : {}), updated_at: trx.fn.now() });
    return { outcome: state, notify: [sub.user_id] };
  });
}
