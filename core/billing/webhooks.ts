/**
 * Provider notifications in, applied exactly once. A webhook is verified (Stripe: signature
 * over the raw bytes; YooKassa: source range, then the payment or refund fetched back by id,
 * whose state alone counts), stored once per provider event, acknowledged, and applied by a
 * `billing` job. What is stored is what applying needs, never card or personal data.
 */
import type { Knex } from 'knex';
import type Stripe from 'stripe';
import { domainErrors } from '../errors.js';
import { settlePayment, stripeRenewal, stripeSubscriptionState, type Applied } from './apply.js';
import type { ProviderName, ProviderPayment } from './provider.js';
import { disputeOpened, type DisputeReport } from './disputes.js';
import { refundPayment, type RefundedInvoice, type RefundReport } from './refunds.js';
import { sessionPayment, type StripeProvider } from './stripe.js';
import { ipAllowed, YooKassaRefused, type YooKassaProvider } from './yookassa.js';

type EventData =
  | { kind: 'payment'; payment: ProviderPayment }
  | { kind: 'renewal'; invoice: { id: string; subscription: string; amount: number; currency: string; periodStart: string; periodEnd: string } }
  | { kind: 'subscription'; subscription: string; state: 'past_due' | 'canceled'; invoice?: string | undefined }
  | { kind: 'refund'; refund: RefundReport }
  | { kind: 'dispute'; dispute: DisputeReport };

const idOf = (v: string | { id: string } | null | undefined) => (typeof v === 'string' ? v : v?.id);

/** The invoice's subscription: under `parent.subscription_details` in recent API versions. */
function invoiceSubscription(invoice: Stripe.Invoice): string | undefined {
  const legacy = (invoice as unknown as { subscription?: string | { id: string } | null }).subscription;
  return idOf(invoice.parent?.subscription_details?.subscription) ?? idOf(legacy);
}

function stripeData(event: Stripe.Event): EventData | undefined {
  const object = event.data.object as unknown;
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
    case 'checkout.session.async_payment_failed':
    case 'checkout.session.expired': {
      const payment = sessionPayment(object as Stripe.Checkout.Session);
      if (event.type === 'checkout.session.async_payment_failed') payment.status = 'canceled';
      return { kind: 'payment', payment };
    }
    case 'invoice.paid': {
      const invoice = object as Stripe.Invoice;
      const subscription = invoiceSubscription(invoice);
      // The first invoice is the Checkout Session's payment, applied through the session.
      if (!subscription || invoice.billing_reason === 'subscription_create') return undefined;
      // The subscription's cycle is the line's period; the invoice's own period_start/end are the previous cycle's.
      const period = invoice.lines?.data?.[0]?.period ?? { start: invoice.period_start, end: invoice.period_end };
      const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
      return { kind: 'renewal', invoice: { id: invoice.id!, subscription, amount: invoice.amount_paid, currency: invoice.currency, periodStart: iso(period.start), periodEnd: iso(period.end) } };
    }
    case 'invoice.payment_failed': {
      const invoice = object as Stripe.Invoice;
      const subscription = invoiceSubscription(invoice);
      return subscription ? { kind: 'subscription', subscription, state: 'past_due', invoice: invoice.id } : undefined;
    }
    case 'customer.subscription.deleted':
      return { kind: 'subscription', subscription: (object as Stripe.Subscription).id, state: 'canceled' };
    default:
      return undefined;
  }
}

/**
 * Stores the event once. The id of its row while it still needs applying: a redelivery of an
 * event whose job was never queued queues it again; one already applied needs nothing.
 */
export type WebhookOutcome = 'accepted' | 'duplicate' | 'ignored';

async function store(db: Knex, provider: ProviderName, eventId: string, type: string, data: EventData): Promise<{ stored?: string; outcome: WebhookOutcome }> {
  // A payment page's address is the payer's to open, not the event's to keep.
  const kept = data.kind === 'payment' ? { ...data, payment: { ...data.payment, confirmationUrl: undefined } } : data;
  const rows = await db('payment_events').insert({ provider, event_id: eventId, type, data: JSON.stringify(kept) })
    .onConflict(['provider', 'event_id']).ignore().returning('id');
  if (rows[0]) return { stored: rows[0].id, outcome: 'accepted' };
  const seen = await db('payment_events').where({ provider, event_id: eventId }).first('id', 'applied_at');
  return seen && !seen.applied_at ? { stored: seen.id, outcome: 'duplicate' } : { outcome: 'duplicate' };
}

/** Money a charge event gives back, and whether it is all that `paid`. */
interface MoneyBack { paymentIntent: string | undefined; full(paid: number): boolean; chargeback?: true }

/**
 * `charge.refunded` (one per refund; `refunded` once the whole charge is), or
 * `charge.dispute.closed` as `lost` (a chargeback: the bank took the money back, a refund in all
 * but name; a dispute won changes nothing).
 */
function moneyBack(event: Stripe.Event): MoneyBack | undefined {
  switch (event.type) {
    case 'charge.refunded': {
      const charge = event.data.object;
      return { paymentIntent: idOf(charge.payment_intent), full: () => charge.refunded };
    }
    case 'charge.dispute.closed': {
      const dispute = event.data.object;
      return dispute.status === 'lost' ? { paymentIntent: idOf(dispute.payment_intent), full: (paid) => dispute.amount >= paid, chargeback: true } : undefined;
    }
    default:
      return undefined;
  }
}

/** A charge names no invoice, so Stripe is asked which invoice its PaymentIntent paid. One of no invoice is not ours. */
async function paidInvoice(stripe: StripeProvider, paymentIntent: string | undefined): Promise<RefundedInvoice | undefined> {
  const invoice = paymentIntent ? await stripe.invoiceOfPayment(paymentIntent) : undefined;
  const subscription = invoice && invoiceSubscription(invoice);
  if (!invoice?.id || !subscription) return undefined;
  return {
    id: invoice.id, subscription, ours: invoice.parent?.subscription_details?.metadata?.subscription_id,
    first: invoice.billing_reason === 'subscription_create', amount: invoice.amount_paid, currency: invoice.currency,
  };
}

async function stripeRefund(stripe: StripeProvider, eventId: string, back: MoneyBack): Promise<EventData | undefined> {
  const invoice = await paidInvoice(stripe, back.paymentIntent);
  return invoice && { kind: 'refund', refund: { ref: eventId, full: back.full(invoice.amount), chargeback: back.chargeback, invoice } };
}

/** `charge.dispute.created`: the charge's invoice, and what an operator needs to answer it. */
async function stripeDispute(stripe: StripeProvider, dispute: Stripe.Dispute): Promise<EventData> {
  const invoice = await paidInvoice(stripe, idOf(dispute.payment_intent));
  const due = dispute.evidence_details?.due_by;
  return {
    kind: 'dispute',
    dispute: { id: dispute.id, invoice, amount: dispute.amount, currency: dispute.currency, reason: dispute.reason, dueBy: due ? new Date(due * 1000).toISOString() : null },
  };
}

async function stripeEventData(stripe: StripeProvider, event: Stripe.Event): Promise<EventData | undefined> {
  const back = moneyBack(event);
  if (back) return stripeRefund(stripe, event.id, back);
  if (event.type === 'charge.dispute.created') return stripeDispute(stripe, event.data.object);
  return stripeData(event);
}

export async function receiveStripe(db: Knex, stripe: StripeProvider, raw: Buffer, signature: string | undefined): Promise<{ stored?: string; outcome: WebhookOutcome }> {
  const event = stripe.verify(raw, signature);
  const data = await stripeEventData(stripe, event);
  return data ? store(db, 'stripe', event.id, event.type, data) : { outcome: 'ignored' };
}

export interface YooKassaNotification {
  event?: unknown;
  object?: { id?: unknown; status?: unknown; payment_id?: unknown };
}

type YooKassaReceived = { stored?: string; ignored?: string; outcome: WebhookOutcome };

/** A YooKassa notification comes from one of its addresses; checked before the body is read, so an outsider learns nothing of what is accepted. */
export function checkYooKassaSource(ip: string, allowed: string[]): void {
  if (!ipAllowed(ip, allowed)) throw domainErrors.forbidden('notifications are accepted only from YooKassa\'s addresses');
}

/**
 * A YooKassa notification (its source checked by checkYooKassaSource), naming a payment (or,
 * for `refund.succeeded`, a refund) whose fetched state agrees with it; one that disagrees, names
 * what YooKassa does not know, or is of another kind (a payout, a saved card) is acknowledged and
 * changes nothing: a redelivery would change nothing either.
 */
export async function receiveYooKassa(db: Knex, yookassa: YooKassaProvider, body: YooKassaNotification): Promise<YooKassaReceived> {
  const id = body.object?.id;
  if (typeof id !== 'string' || !/^[\w-]{1,64}$/.test(id)) throw domainErrors.invalid('a notification names its payment (or refund) in `object.id`');
  if (body.event === 'refund.succeeded') return receiveYooKassaRefund(db, yookassa, id, body);
  if (typeof body.event !== 'string' || !body.event.startsWith('payment.')) return { ignored: `not a payment event: ${String(body.event)}`, outcome: 'ignored' };
  const fetched = await unlessUnknown(yookassa.fetch(id));
  if (!fetched) return { ignored: 'no such payment at YooKassa', outcome: 'ignored' };
  if (fetched.status !== body.object?.status) return { ignored: `claims ${String(body.object?.status)}, the payment is ${fetched.status}`, outcome: 'ignored' };
  return store(db, 'yookassa', `${id}:${fetched.status}`, `payment.${fetched.status}`, { kind: 'payment', payment: fetched });
}

/** What YooKassa answered, or undefined when it knows no such object (404): nothing a redelivery would change. */
async function unlessUnknown<T>(fetching: Promise<T>): Promise<T | undefined> {
  try {
    return await fetching;
  } catch (err) {
    if (err instanceof YooKassaRefused && err.status === 404) return undefined;
    throw err;
  }
}

/** A refund: stored once per refund, when the refund fetched back has succeeded and names the notified payment. */
async function receiveYooKassaRefund(db: Knex, yookassa: YooKassaProvider, refundId: string, body: YooKassaNotification): Promise<YooKassaReceived> {
  const refund = await unlessUnknown(yookassa.fetchRefund(refundId));
  if (!refund) return { ignored: 'no such refund at YooKassa', outcome: 'ignored' };
  if (refund.status !== 'succeeded' || body.object?.status !== 'succeeded' || body.object.payment_id !== refund.providerPaymentId) {
    return { ignored: `claims a succeeded refund of ${String(body.object?.payment_id)}, the refund is ${refund.status} of ${refund.providerPaymentId}`, outcome: 'ignored' };
  }
  const data: EventData = { kind: 'refund', refund: { ref: refund.id, full: refund.paymentRefunded, providerPaymentId: refund.providerPaymentId } };
  return store(db, 'yookassa', `refund:${refund.id}`, 'refund.succeeded', data);
}

/** Applies a stored event; applying twice changes nothing more (the state machines only move forward). */
export async function applyEvent(db: Knex, eventId: string): Promise<Applied> {
  const row = await db('payment_events').where({ id: eventId }).first();
  if (!row) return { outcome: 'no such event' };
  const data = row.data as EventData;
  let applied: Applied;
  if (data.kind === 'payment') applied = await settlePayment(db, row.provider, data.payment);
  else if (data.kind === 'refund') applied = await refundPayment(db, row.provider, data.refund);
  else if (data.kind === 'dispute') applied = await disputeOpened(db, data.dispute);
  else if (data.kind === 'renewal') applied = await stripeRenewal(db, { ...data.invoice, periodStart: new Date(data.invoice.periodStart), periodEnd: new Date(data.invoice.periodEnd) });
  else applied = await stripeSubscriptionState(db, data.subscription, data.state, data.invoice);
  // Applied, the saved card's id lives on the subscription alone (renewals charge it from there).
  await db('payment_events').where({ id: eventId }).update({ applied_at: db.fn.now(), outcome: applied.outcome.slice(0, 200), data: db.raw(`data #- '{payment,paymentMethodId}'`) });
  return applied;
}
