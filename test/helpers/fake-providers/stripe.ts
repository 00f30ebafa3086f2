/**
 * A fake Stripe API on 127.0.0.1 that the real `stripe` SDK (v23) talks to:
 *
 *   new Stripe(fake.secretKey, { host: '127.0.0.1', port: fake.port, protocol: 'http', maxNetworkRetries: 2 })
 *
 * It speaks the v1 wire format: form-encoded bodies with bracket notation in, JSON out, errors as
 * `{ error: { type, message, code?, param? } }`, `Idempotency-Key` replays, `request-id` headers.
 * It serves Checkout Sessions and Subscriptions; the test drives what happens at Stripe's end
 * (a customer paying, a renewal invoice, a refund) with the control methods and delivers signed
 * webhooks. A paid invoice is paid by a PaymentIntent's Charge, linked to it as Stripe does
 * since API 2025-03-31.basil: through an Invoice Payment (`GET /v1/invoice_payments`), the
 * Charge itself naming no invoice.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, readBody } from './fake-server.js';
import qs from 'qs';
import Stripe from 'stripe';

export interface StripeRecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/checkout/sessions`. */
  path: string;
  /** The parsed query string (GET and DELETE carry their params there). */
  query: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  /** The form body parsed into nested objects (`metadata[a]=1` → `{ metadata: { a: '1' } }`); values stay strings. */
  body: Record<string, unknown>;
  raw: string;
  idempotencyKey: string | undefined;
  /** True when the answer was the saved answer to an earlier request with the same Idempotency-Key. */
  replayed: boolean;
  receivedAt: number;
}

/** A failure for the next API call (any route), queued with `failNext()`. */
export type StripeFault =
  /** Answer with this status before doing anything: nothing is created and no idempotent result is saved. */
  | { kind: 'error'; status: number; type?: string; message?: string; shouldRetry?: boolean }
  /** Do the work (and save the idempotent result), then cut the connection instead of answering. */
  | { kind: 'drop' };

export type Metadata = Record<string, string>;

export interface FakeCustomer {
  id: string;
  object: 'customer';
  email: string | null;
  metadata: Metadata;
  deleted: boolean;
}

export interface FakeCheckoutSession {
  id: string;
  object: 'checkout.session';
  mode: string;
  status: 'open' | 'complete' | 'expired';
  payment_status: 'unpaid' | 'paid' | 'no_payment_required';
  url: string | null;
  success_url: string | null;
  cancel_url: string | null;
  client_reference_id: string | null;
  customer: string | null;
  customer_email: string | null;
  metadata: Metadata;
  subscription: string | FakeSubscription | null;
  invoice: string | FakeInvoice | null;
  payment_intent: string | null;
  amount_subtotal: number | null;
  amount_total: number | null;
  currency: string | null;
  created: number;
  expires_at: number;
  livemode: false;
}

export interface FakeSubscriptionItem {
  id: string;
  object: 'subscription_item';
  current_period_start: number;
  current_period_end: number;
  quantity: number;
  price: {
    id: string;
    object: 'price';
    currency: string;
    unit_amount: number | null;
    recurring: { interval: string; interval_count: number } | null;
    product: string;
  };
}

export interface FakeSubscription {
  id: string;
  object: 'subscription';
  status: 'incomplete' | 'active' | 'past_due' | 'canceled';
  customer: string;
  currency: string;
  metadata: Metadata;
  /** Stripe moved these onto the items (API 2025-03-31.basil and later); kept here too for older readers. */
  current_period_start: number;
  current_period_end: number;
  cancel_at_period_end: boolean;
  cancel_at: number | null;
  canceled_at: number | null;
  ended_at: number | null;
  cancellation_details: { reason: string | null; comment: null; feedback: null };
  latest_invoice: string | FakeInvoice | null;
  items: { object: 'list'; data: FakeSubscriptionItem[]; has_more: false; url: string };
  created: number;
  start_date: number;
  livemode: false;
}

export interface FakeInvoice {
  id: string;
  object: 'invoice';
  /** Gone from the top level in recent API versions (see `parent.subscription_details`); kept for older readers. */
  subscription: string | FakeSubscription;
  customer: string;
  status: 'paid' | 'open';
  paid: boolean;
  amount_due: number;
  amount_paid: number;
  amount_remaining: number;
  currency: string;
  billing_reason: 'subscription_create' | 'subscription_cycle';
  period_start: number;
  period_end: number;
  lines: { object: 'list'; data: Array<{ id: string; object: 'line_item'; amount: number; currency: string; period: { start: number; end: number } }>; has_more: false };
  parent: { type: 'subscription_details'; subscription_details: { subscription: string | FakeSubscription; metadata: Metadata } };
  status_transitions: { paid_at: number | null };
  attempt_count: number;
  created: number;
  livemode: false;
}

/** A chargeback: the payer's bank takes the charge's money back, for good once it is `lost`. */
export interface FakeDispute {
  id: string;
  object: 'dispute';
  amount: number;
  currency: string;
  charge: string;
  payment_intent: string;
  reason: string;
  status: 'needs_response' | 'under_review' | 'won' | 'lost';
  created: number;
  /** When the evidence is due, as Stripe sets it when the dispute opens. */
  evidence_details: { due_by: number; has_evidence: boolean; past_due: boolean; submission_count: number };
  livemode: false;
}

export interface FakeCharge {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  /** Grows with each refund; `refunded` is true once it is the whole amount. */
  amount_refunded: number;
  refunded: boolean;
  captured: boolean;
  paid: boolean;
  status: 'succeeded';
  currency: string;
  customer: string;
  payment_intent: string;
  metadata: Metadata;
  created: number;
  livemode: false;
}

export interface FakeInvoicePayment {
  id: string;
  object: 'invoice_payment';
  amount_paid: number;
  amount_requested: number;
  created: number;
  currency: string;
  invoice: string | FakeInvoice;
  is_default: boolean;
  livemode: false;
  payment: { type: 'payment_intent'; payment_intent: string };
  status: 'paid';
  status_transitions: { canceled_at: null; paid_at: number };
}

export interface FakeStripeEvent<T = unknown> {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
  data: { object: T; previous_attributes?: Record<string, unknown> };
}

export interface FakeStripe {
  /** `http://127.0.0.1:PORT` */
  url: string;
  host: string;
  port: number;
  secretKey: string;
  /** Every request received, oldest first (including rejected ones). */
  requests: StripeRecordedRequest[];
  readonly sessionsCreated: number;
  readonly subscriptionsCreated: number;
  readonly invoicesCreated: number;
  /** Current state of a stored object (a copy); throws when unknown. */
  session(id: string): FakeCheckoutSession;
  subscription(id: string): FakeSubscription;
  /** A customer a completed session made (a copy); throws when unknown. */
  customer(id: string): FakeCustomer;
  /** The customer pays: the session completes; in subscription mode a subscription and its first paid invoice are created. */
  completeSession(sessionId: string): { session: FakeCheckoutSession; subscription: FakeSubscription | null; invoice: FakeInvoice | null };
  /** The session times out unpaid (`status: 'expired'`). */
  expireSession(sessionId: string): FakeCheckoutSession;
  /**
   * A new invoice for the subscription. `subscription_cycle` starts the next period (on the subscription too);
   * an unpaid one leaves the subscription `past_due`, a paid one makes it `active`.
   */
  invoice(subscriptionId: string, opts: { paid: boolean; billing_reason?: 'subscription_create' | 'subscription_cycle' }): FakeInvoice;
  /** The Charge that paid a paid invoice. */
  chargeOf(invoiceId: string): FakeCharge;
  /** The merchant refunds the charge that paid the invoice: all of what is left, or `amount`; the charge as `charge.refunded` carries it. */
  refundInvoice(invoiceId: string, amount?: number): FakeCharge;
  /** The payer disputes the charge that paid the invoice (all of it, or `amount`), and the dispute ends as `status` says. */
  dispute(invoiceId: string, status: FakeDispute['status'], amount?: number): FakeDispute;
  /** Ends the subscription as Stripe does at the end of a period it was set to cancel at. */
  endSubscription(subscriptionId: string): FakeSubscription;
  /** A Stripe Event wrapping `object` (copied as it is now). */
  event<T>(type: string, object: T, opts?: { id?: string; created?: number; previousAttributes?: Record<string, unknown> }): FakeStripeEvent<T>;
  /** The `Stripe-Signature` header value for `payload`, from the SDK's own `webhooks.generateTestHeaderString`. */
  signedHeader(payload: string, secret: string, timestamp?: number): string;
  /**
   * POSTs `JSON.stringify(event)` to `targetUrl`, signed with `secret`. `tamper` alters the body after
   * signing (true: adds a field; a function: rewrites the payload).
   */
  sendWebhook(
    targetUrl: string,
    event: object,
    opts: { secret: string; timestamp?: number; tamper?: boolean | ((payload: string) => string); headers?: Record<string, string> },
  ): Promise<{ status: number; body: string }>;
  /** Queues failures for the next API calls, in order. */
  failNext(...faults: StripeFault[]): void;
  close(): Promise<void>;
}

const DAY = 24 * 60 * 60;
const PERIOD = 30 * DAY;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let s = '';
  for (const b of bytes) s += ALNUM[b % ALNUM.length];
  return `${prefix}${s}`;
}

const now = () => Math.floor(Date.now() / 1000);
const clone = <T>(v: T): T => structuredClone(v);

class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { type: string; message: string; code?: string; param?: string },
  ) {
    super(body.message);
  }
}

const invalid = (message: string, param?: string, code = param ? 'parameter_missing' : undefined) =>
  new StripeApiError(400, { type: 'invalid_request_error', message, ...(code ? { code } : {}), ...(param ? { param } : {}) });
const missing = (object: string, id: string) =>
  new StripeApiError(404, { type: 'invalid_request_error', code: 'resource_missing', param: 'id', message: `No such ${object}: '${id}'` });

function asRecord(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Stripe metadata: string values; an empty string deletes the key on update. */
function mergeMetadata(target: Metadata, update: unknown): Metadata {
  const out = { ...target };
  for (const [k, v] of Object.entries(asRecord(update))) {
    if (v === '' || v === null) delete out[k];
    else out[k] = String(v);
  }
  return out;
}

function toInt(v: unknown, param: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw invalid(`Invalid integer: ${String(v)}`, param, 'parameter_invalid_integer');
  return n;
}

function toBool(v: unknown, param: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw invalid(`Invalid boolean: ${String(v)}`, param, 'parameter_invalid_boolean');
}


const parseForm = (s: string) => qs.parse(s, { depth: 20, arrayLimit: 100, parameterLimit: 10_000 }) as Record<string, unknown>;

interface SessionRecord {
  session: FakeCheckoutSession;
  /** `subscription_data[metadata]` from the create call: Stripe copies it onto the subscription. */
  subscriptionMetadata: Metadata | undefined;
  price: FakeSubscriptionItem['price'];
  quantity: number;
}

export async function startFakeStripe(opts: { secretKey?: string } = {}): Promise<FakeStripe> {
  const secretKey = opts.secretKey ?? 'sk_test_fake';
  const requests: StripeRecordedRequest[] = [];
  const sessions = new Map<string, SessionRecord>();
  const subscriptions = new Map<string, FakeSubscription>();
  const invoices = new Map<string, FakeInvoice>();
  /** Customers made by completed sessions: the e-mail the payer typed at Checkout, until deleted. */
  const customers = new Map<string, FakeCustomer>();
  const charges = new Map<string, FakeCharge>();
  const invoicePayments = new Map<string, FakeInvoicePayment>();
  /** Invoice id → the charge that paid it. */
  const chargeOfInvoice = new Map<string, string>();
  const idempotent = new Map<string, { fingerprint: string; status: number; body: string; requestId: string }>();
  const faults: StripeFault[] = [];
  const counters = { sessions: 0, subscriptions: 0, invoices: 0 };

  function getSession(id: string): SessionRecord {
    const rec = sessions.get(id);
    if (!rec) throw missing('checkout.session', id);
    return rec;
  }
  function getSubscription(id: string): FakeSubscription {
    const sub = subscriptions.get(id);
    if (!sub) throw missing('subscription', id);
    return sub;
  }

  /** Replaces ids at the `expand` paths with the stored objects, as Stripe's `expand[]` does. */
  function expand<T>(object: T, paths: unknown): T {
    const list = Array.isArray(paths) ? paths.map(String) : typeof paths === 'string' ? [paths] : [];
    if (list.length === 0) return object;
    const out = clone(object) as Record<string, unknown>;
    for (const path of list) {
      const keys = path.split('.');
      let node: Record<string, unknown> | undefined = out;
      for (const [i, key] of keys.entries()) {
        if (!node) break;
        if (i < keys.length - 1) {
          node = asRecord(node[key]);
          continue;
        }
        const id = node[key];
        if (typeof id !== 'string') continue;
        const found = sessions.get(id)?.session ?? subscriptions.get(id) ?? invoices.get(id) ?? customers.get(id);
        if (!found) throw invalid(`This property cannot be expanded (${path}).`, 'expand', 'parameter_invalid');
        node[key] = clone(found);
      }
    }
    return out as T;
  }

  function createSession(body: Record<string, unknown>): FakeCheckoutSession {
    const mode = body.mode;
    if (mode !== 'payment' && mode !== 'subscription' && mode !== 'setup') {
      throw mode === undefined ? invalid('Missing required param: mode.', 'mode') : invalid(`Invalid mode: must be one of payment, setup, or subscription`, 'mode', 'parameter_invalid');
    }
    const lineItems = Array.isArray(body.line_items) ? body.line_items.map(asRecord) : Object.values(asRecord(body.line_items)).map(asRecord);
    const first = lineItems[0];
    if (mode !== 'setup' && !first) throw invalid('`line_items` is required in `payment` and `subscription` mode.', 'line_items');
    let price: FakeSubscriptionItem['price'] = { id: randomId('price_'), object: 'price', currency: 'usd', unit_amount: null, recurring: null, product: randomId('prod_', 14) };
    let quantity = 1;
    if (first) {
      quantity = toInt(first.quantity, 'line_items[0][quantity]') ?? 1;
      const pd = asRecord(first.price_data);
      if (first.price_data !== undefined) {
        if (typeof pd.currency !== 'string') throw invalid('Missing required param: line_items[0][price_data][currency].', 'line_items[0][price_data][currency]');
        const unitAmount = toInt(pd.unit_amount, 'line_items[0][price_data][unit_amount]');
        if (unitAmount === undefined) throw invalid('Missing required param: line_items[0][price_data][unit_amount].', 'line_items[0][price_data][unit_amount]');
        const recurring = pd.recurring === undefined ? null : asRecord(pd.recurring);
        if (mode === 'subscription' && !recurring) {
          throw invalid('You must provide at least one recurring price in `subscription` mode when using prices.', 'line_items[0][price_data][recurring]', 'parameter_invalid');
        }
        price = {
          ...price,
          currency: pd.currency.toLowerCase(),
          unit_amount: unitAmount,
          recurring: recurring ? { interval: String(recurring.interval ?? 'month'), interval_count: toInt(recurring.interval_count, 'interval_count') ?? 1 } : null,
          product: typeof pd.product === 'string' ? pd.product : price.product,
        };
      } else if (typeof first.price === 'string') {
        price = { ...price, id: first.price, recurring: mode === 'subscription' ? { interval: 'month', interval_count: 1 } : null };
      } else {
        throw invalid('You must specify either `price` or `price_data` in each line item.', 'line_items[0][price]');
      }
    }
    const created = now();
    const id = randomId('cs_test_', 58);
    const amount = price.unit_amount === null ? null : price.unit_amount * quantity;
    const session: FakeCheckoutSession = {
      id,
      object: 'checkout.session',
      mode,
      status: 'open',
      payment_status: mode === 'setup' ? 'no_payment_required' : 'unpaid',
      url: `https://checkout.stripe.test/c/pay/${id}`,
      success_url: typeof body.success_url === 'string' ? body.success_url : null,
      cancel_url: typeof body.cancel_url === 'string' ? body.cancel_url : null,
      client_reference_id: typeof body.client_reference_id === 'string' ? body.client_reference_id : null,
      customer: typeof body.customer === 'string' ? body.customer : null,
      customer_email: typeof body.customer_email === 'string' ? body.customer_email : null,
      metadata: mergeMetadata({}, body.metadata),
      subscription: null,
      invoice: null,
      payment_intent: null,
      amount_subtotal: amount,
      amount_total: amount,
      currency: first ? price.currency : null,
      created,
      expires_at: toInt(body.expires_at, 'expires_at') ?? created + DAY,
      livemode: false,
    };
    const subData = asRecord(body.subscription_data);
    sessions.set(id, {
      session,
      subscriptionMetadata: subData.metadata === undefined ? undefined : mergeMetadata({}, subData.metadata),
      price,
      quantity,
    });
    counters.sessions++;
    return session;
  }

  function updateSubscription(id: string, body: Record<string, unknown>): FakeSubscription {
    const sub = getSubscription(id);
    const cancelAtPeriodEnd = toBool(body.cancel_at_period_end, 'cancel_at_period_end');
    if (sub.status === 'canceled' && (cancelAtPeriodEnd !== undefined || body.cancel_at !== undefined)) {
      throw invalid('A canceled subscription can only update its cancellation_details and metadata.', undefined);
    }
    if (body.metadata !== undefined) sub.metadata = mergeMetadata(body.metadata === '' ? {} : sub.metadata, body.metadata);
    if (cancelAtPeriodEnd !== undefined) {
      sub.cancel_at_period_end = cancelAtPeriodEnd;
      sub.cancel_at = cancelAtPeriodEnd ? sub.current_period_end : null;
      sub.canceled_at = cancelAtPeriodEnd ? now() : null;
      sub.cancellation_details.reason = cancelAtPeriodEnd ? 'cancellation_requested' : null;
    }
    return sub;
  }

  function cancelSubscription(id: string): FakeSubscription {
    const sub = getSubscription(id);
    // As Stripe: a canceled subscription can still be retrieved, but cancelling it again is 404 resource_missing.
    if (sub.status === 'canceled') throw missing('subscription', id);
    const t = now();
    sub.status = 'canceled';
    sub.canceled_at ??= t;
    sub.ended_at = t;
    sub.cancellation_details.reason ??= 'cancellation_requested';
    return sub;
  }

  /** As Stripe: the customer's data goes, its live subscriptions end now; deleting it again is 404. */
  function deleteCustomer(id: string): { id: string; object: 'customer'; deleted: true } {
    const customer = customers.get(id);
    if (!customer || customer.deleted) throw missing('customer', id);
    customer.deleted = true;
    customer.email = null;
    for (const sub of subscriptions.values()) if (sub.customer === id && sub.status !== 'canceled') cancelSubscription(sub.id);
    return { id, object: 'customer', deleted: true };
  }

  function newInvoice(sub: FakeSubscription, paid: boolean, billingReason: FakeInvoice['billing_reason']): FakeInvoice {
    const item = sub.items.data[0];
    const amount = (item?.price.unit_amount ?? 0) * (item?.quantity ?? 1);
    const t = now();
    const inv: FakeInvoice = {
      id: randomId('in_'),
      object: 'invoice',
      subscription: sub.id,
      customer: sub.customer,
      status: paid ? 'paid' : 'open',
      paid,
      amount_due: amount,
      amount_paid: paid ? amount : 0,
      amount_remaining: paid ? 0 : amount,
      currency: sub.currency,
      billing_reason: billingReason,
      period_start: sub.current_period_start,
      period_end: sub.current_period_end,
      lines: {
        object: 'list',
        data: [{ id: randomId('il_'), object: 'line_item', amount, currency: sub.currency, period: { start: sub.current_period_start, end: sub.current_period_end } }],
        has_more: false,
      },
      parent: { type: 'subscription_details', subscription_details: { subscription: sub.id, metadata: { ...sub.metadata } } },
      status_transitions: { paid_at: paid ? t : null },
      attempt_count: 1,
      created: t,
      livemode: false,
    };
    invoices.set(inv.id, inv);
    sub.latest_invoice = inv.id;
    counters.invoices++;
    if (paid) payInvoice(inv, t);
    return inv;
  }

  /** A PaymentIntent's Charge pays the invoice, linked to it by an Invoice Payment. */
  function payInvoice(inv: FakeInvoice, t: number): void {
    const paymentIntent = randomId('pi_');
    const charge: FakeCharge = {
      id: randomId('ch_'), object: 'charge', amount: inv.amount_paid, amount_captured: inv.amount_paid, amount_refunded: 0, refunded: false,
      captured: true, paid: true, status: 'succeeded', currency: inv.currency, customer: inv.customer, payment_intent: paymentIntent, metadata: {}, created: t, livemode: false,
    };
    charges.set(charge.id, charge);
    chargeOfInvoice.set(inv.id, charge.id);
    const invoicePayment: FakeInvoicePayment = {
      id: randomId('inpay_'), object: 'invoice_payment', amount_paid: inv.amount_paid, amount_requested: inv.amount_due, created: t, currency: inv.currency,
      invoice: inv.id, is_default: true, livemode: false, payment: { type: 'payment_intent', payment_intent: paymentIntent }, status: 'paid',
      status_transitions: { canceled_at: null, paid_at: t },
    };
    invoicePayments.set(invoicePayment.id, invoicePayment);
  }

  function invoiceCharge(invoiceId: string): FakeCharge {
    const charge = charges.get(chargeOfInvoice.get(invoiceId) ?? '');
    if (!charge) throw new Error(`fake stripe: invoice ${invoiceId} was not paid by a charge`);
    return charge;
  }

  /** `GET /v1/invoice_payments`: filtered by `invoice` or `payment[payment_intent]`; `expand[]=data.invoice` inlines the invoice. */
  function listInvoicePayments(query: Record<string, unknown>) {
    const payment = asRecord(query.payment);
    if (query.payment !== undefined && payment.type !== 'payment_intent') throw invalid('Invalid payment[type]: must be payment_intent or payment_record', 'payment[type]', 'parameter_invalid');
    const expandInvoice = (Array.isArray(query.expand) ? query.expand : [query.expand]).includes('data.invoice');
    const data = [...invoicePayments.values()]
      .filter((ip) => (query.invoice === undefined || ip.invoice === query.invoice) && (payment.payment_intent === undefined || ip.payment.payment_intent === payment.payment_intent))
      .map((ip) => (expandInvoice ? { ...clone(ip), invoice: clone(invoices.get(ip.invoice as string)!) } : clone(ip)));
    return { object: 'list', data, has_more: false, url: '/v1/invoice_payments' };
  }

  /** Routes one authenticated API call; returns [status, body]. */
  function route(method: string, path: string, body: Record<string, unknown>, query: Record<string, unknown>): [number, unknown] {
    const parts = path.split('/').filter(Boolean); // ['v1', ...]
    const exp = (o: unknown) => expand(o, method === 'GET' || method === 'DELETE' ? query.expand : body.expand);
    if (parts[0] === 'v1' && parts[1] === 'checkout' && parts[2] === 'sessions') {
      const id = parts[3];
      if (method === 'POST' && parts.length === 3) return [200, exp(createSession(body))];
      if (method === 'GET' && id && parts.length === 4) return [200, exp(getSession(id).session)];
      if (method === 'POST' && id && parts[4] === 'expire' && parts.length === 5) {
        const rec = getSession(id);
        if (rec.session.status !== 'open') throw invalid(`Only Checkout Sessions with a status of \`open\` can be expired.`, undefined);
        return [200, exp(expireSessionRecord(rec))];
      }
    }
    if (parts[0] === 'v1' && parts[1] === 'subscriptions' && parts[2] && parts.length === 3) {
      const id = parts[2];
      if (method === 'GET') return [200, exp(getSubscription(id))];
      if (method === 'POST') return [200, exp(updateSubscription(id, body))];
      if (method === 'DELETE') return [200, exp(cancelSubscription(id))];
    }
    if (parts[0] === 'v1' && parts[1] === 'customers' && parts[2] && parts.length === 3 && method === 'DELETE') return [200, deleteCustomer(parts[2])];
    if (parts[0] === 'v1' && parts[1] === 'invoice_payments' && parts.length === 2 && method === 'GET') return [200, listInvoicePayments(query)];
    if (parts[0] === 'v1' && parts[1] === 'charges' && parts[2] && parts.length === 3 && method === 'GET') {
      const charge = charges.get(parts[2]);
      if (!charge) throw missing('charge', parts[2]);
      return [200, exp(charge)];
    }
    if (parts[0] === 'v1' && parts[1] === 'invoices' && parts[2] && parts.length === 3 && method === 'GET') {
      const inv = invoices.get(parts[2]);
      if (!inv) throw missing('invoice', parts[2]);
      return [200, exp(inv)];
    }
    throw new StripeApiError(404, {
      type: 'invalid_request_error',
      message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
    });
  }

  function expireSessionRecord(rec: SessionRecord): FakeCheckoutSession {
    rec.session.status = 'expired';
    rec.session.url = null;
    return rec.session;
  }

  const send = (res: ServerResponse, status: number, payload: string, headers: Record<string, string>) => {
    res.writeHead(status, { 'content-type': 'application/json', 'stripe-version': Stripe.API_VERSION, ...headers }).end(payload);
  };

  const server = createServer((req, res) => {
    res.on('error', () => undefined);
    void (async () => {
      const raw = await readBody(req);
      const method = req.method ?? 'GET';
      const [path = '/', search = ''] = (req.url ?? '/').split('?', 2);
      const idemHeader = req.headers['idempotency-key'];
      const idempotencyKey = Array.isArray(idemHeader) ? idemHeader[0] : idemHeader;
      const recorded: StripeRecordedRequest = {
        method,
        path,
        query: parseForm(search),
        headers: req.headers,
        body: parseForm(raw),
        raw,
        idempotencyKey,
        replayed: false,
        receivedAt: Date.now(),
      };
      requests.push(recorded);
      const requestId = randomId('req_', 14);
      const echo: Record<string, string> = { 'request-id': requestId, ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) };
      const sendError = (status: number, error: object, extra: Record<string, string> = {}) =>
        send(res, status, JSON.stringify({ error: { ...error, request_log_url: null } }), { ...echo, ...extra });

      const auth = req.headers.authorization ?? '';
      if (auth !== `Bearer ${secretKey}`) {
        const presented = auth.replace(/^Bearer\s+/i, '');
        sendError(401, {
          type: 'invalid_request_error',
          message: presented
            ? `Invalid API Key provided: ${presented.slice(0, 8)}${'*'.repeat(Math.max(0, presented.length - 12))}${presented.slice(-4)}`
            : 'You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. \'Authorization: Bearer YOUR_SECRET_KEY\').',
        });
        return;
      }

      const fingerprint = `${method} ${path}?${search}\n${raw}`;
      const saved = method === 'POST' && idempotencyKey ? idempotent.get(idempotencyKey) : undefined;
      if (saved) {
        if (saved.fingerprint !== fingerprint) {
          sendError(400, {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
          });
          return;
        }
        recorded.replayed = true;
        send(res, saved.status, saved.body, { ...echo, 'idempotent-replayed': 'true', 'original-request': saved.requestId });
        return;
      }

      const fault = faults.shift();
      if (fault?.kind === 'error') {
        const shouldRetry: Record<string, string> = fault.shouldRetry === undefined ? {} : { 'stripe-should-retry': String(fault.shouldRetry) };
        sendError(fault.status, { type: fault.type ?? (fault.status >= 500 ? 'api_error' : 'invalid_request_error'), message: fault.message ?? `fake error ${fault.status}` }, shouldRetry);
        return;
      }

      let status: number;
      let payload: string;
      try {
        const [s, out] = route(method, path, recorded.body, recorded.query);
        status = s;
        payload = JSON.stringify(out);
      } catch (err) {
        if (!(err instanceof StripeApiError)) throw err;
        sendError(err.status, err.body);
        return;
      }
      // Stripe saves the result once the endpoint has started executing; validation failures are not saved.
      if (method === 'POST' && idempotencyKey) idempotent.set(idempotencyKey, { fingerprint, status, body: payload, requestId });
      if (fault?.kind === 'drop') {
        res.destroy();
        return;
      }
      send(res, status, payload, echo);
    })().catch((err: unknown) => {
      console.error('fake stripe:', err);
      res.destroy();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const signedHeader = (payload: string, secret: string, timestamp?: number) =>
    Stripe.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp === undefined ? {} : { timestamp }) });

  return {
    url: `http://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    secretKey,
    requests,
    get sessionsCreated() {
      return counters.sessions;
    },
    get subscriptionsCreated() {
      return counters.subscriptions;
    },
    get invoicesCreated() {
      return counters.invoices;
    },

    session: (id) => clone(getSession(id).session),
    subscription: (id) => clone(getSubscription(id)),
    customer(id) {
      const found = customers.get(id);
      if (!found) throw new Error(`fake stripe: no customer ${id}`);
      return clone(found);
    },

    completeSession(sessionId) {
      const rec = getSession(sessionId);
      const { session } = rec;
      if (session.status !== 'open') throw new Error(`fake stripe: session ${sessionId} is ${session.status}, not open`);
      session.status = 'complete';
      session.payment_status = session.mode === 'setup' ? 'no_payment_required' : 'paid';
      if (!session.customer) {
        session.customer = randomId('cus_', 14);
        customers.set(session.customer, { id: session.customer, object: 'customer', email: session.customer_email ?? 'payer@example.com', metadata: {}, deleted: false });
      }
      session.url = null;
      if (session.mode !== 'subscription') {
        if (session.mode === 'payment') session.payment_intent = randomId('pi_');
        return { session: clone(session), subscription: null, invoice: null };
      }
      const start = now();
      const sub: FakeSubscription = {
        id: randomId('sub_'),
        object: 'subscription',
        status: 'active',
        customer: session.customer,
        currency: rec.price.currency,
        metadata: { ...(rec.subscriptionMetadata ?? session.metadata) },
        current_period_start: start,
        current_period_end: start + PERIOD,
        cancel_at_period_end: false,
        cancel_at: null,
        canceled_at: null,
        ended_at: null,
        cancellation_details: { reason: null, comment: null, feedback: null },
        latest_invoice: null,
        items: { object: 'list', data: [], has_more: false, url: '' },
        created: start,
        start_date: start,
        livemode: false,
      };
      sub.items = {
        object: 'list',
        data: [{ id: randomId('si_', 14), object: 'subscription_item', current_period_start: start, current_period_end: start + PERIOD, quantity: rec.quantity, price: { ...rec.price } }],
        has_more: false,
        url: `/v1/subscription_items?subscription=${sub.id}`,
      };
      subscriptions.set(sub.id, sub);
      counters.subscriptions++;
      const inv = newInvoice(sub, true, 'subscription_create');
      session.subscription = sub.id;
      session.invoice = inv.id;
      return { session: clone(session), subscription: clone(sub), invoice: clone(inv) };
    },

    expireSession(sessionId) {
      const rec = getSession(sessionId);
      if (rec.session.status !== 'open') throw new Error(`fake stripe: session ${sessionId} is ${rec.session.status}, not open`);
      return clone(expireSessionRecord(rec));
    },

    invoice(subscriptionId, { paid, billing_reason = 'subscription_cycle' }) {
      const sub = getSubscription(subscriptionId);
      if (billing_reason === 'subscription_cycle') {
        const start = sub.current_period_end;
        sub.current_period_start = start;
        sub.current_period_end = start + PERIOD;
        for (const item of sub.items.data) {
          item.current_period_start = start;
          item.current_period_end = start + PERIOD;
        }
      }
      if (sub.status !== 'canceled') sub.status = paid ? 'active' : 'past_due';
      return clone(newInvoice(sub, paid, billing_reason));
    },

    chargeOf: (invoiceId) => clone(invoiceCharge(invoiceId)),

    refundInvoice(invoiceId, amount) {
      const charge = invoiceCharge(invoiceId);
      const value = amount ?? charge.amount - charge.amount_refunded;
      if (value <= 0 || charge.amount_refunded + value > charge.amount) throw new Error(`fake stripe: cannot refund ${value} of charge ${charge.id}`);
      charge.amount_refunded += value;
      charge.refunded = charge.amount_refunded === charge.amount;
      return clone(charge);
    },

    dispute(invoiceId, status, amount) {
      const charge = invoiceCharge(invoiceId);
      return {
        id: randomId('dp_'), object: 'dispute', amount: amount ?? charge.amount, currency: charge.currency, charge: charge.id,
        payment_intent: charge.payment_intent, reason: 'fraudulent', status, created: now(),
        evidence_details: { due_by: now() + 7 * 86_400, has_evidence: false, past_due: false, submission_count: 0 }, livemode: false,
      };
    },

    endSubscription(subscriptionId) {
      const sub = getSubscription(subscriptionId);
      sub.status = 'canceled';
      sub.ended_at = now();
      sub.canceled_at ??= sub.ended_at;
      sub.cancellation_details.reason ??= 'cancellation_requested';
      return clone(sub);
    },

    event(type, object, eventOpts = {}) {
      return {
        id: eventOpts.id ?? randomId('evt_'),
        object: 'event',
        api_version: Stripe.API_VERSION,
        created: eventOpts.created ?? now(),
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        type,
        data: { object: clone(object), ...(eventOpts.previousAttributes ? { previous_attributes: eventOpts.previousAttributes } : {}) },
      };
    },

    signedHeader,

    async sendWebhook(targetUrl, event, { secret, timestamp, tamper, headers = {} }) {
      const payload = JSON.stringify(event);
      const signature = signedHeader(payload, secret, timestamp);
      const body = typeof tamper === 'function' ? tamper(payload) : tamper ? `${payload.slice(0, -1)},"tampered":true}` : payload;
      const res = await fetch(targetUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)', 'stripe-signature': signature, ...headers },
        body,
      });
      return { status: res.status, body: await res.text() };
    },

    failNext(...more) {
      faults.push(...more);
    },

    close: () => closeServer(server),
  };
}
