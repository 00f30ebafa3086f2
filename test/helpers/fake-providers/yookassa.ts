/**
 * A fake YooKassa API v3 on 127.0.0.1 for a plain-fetch client with base URL `fake.apiUrl`
 * (`http://127.0.0.1:PORT/v3`): HTTP Basic auth `shopId:secretKey`, JSON in and out, errors as
 * `{ type: 'error', id, code, description, parameter? }`, and the `Idempotence-Key` every POST
 * must carry (a repeat returns the first answer and creates nothing).
 *
 * Payments start `pending`; the test moves them (`succeed`, `cancel`, `waitForCapture`) as the
 * customer and the bank would, and builds the notifications YooKassa would POST. Recurring
 * charges with a saved `payment_method_id` settle at once, as scripted with `scriptCharge()`.
 * Refunds (`/v3/refunds`) are made by the shop (`refund()`) and announced by `refund.succeeded`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, readBody } from './fake-server.js';

export type YooKassaStatus = 'pending' | 'waiting_for_capture' | 'succeeded' | 'canceled';
export type YooKassaEvent = 'payment.succeeded' | 'payment.canceled' | 'payment.waiting_for_capture';

export interface YooKassaAmount {
  value: string;
  currency: string;
}

export interface YooKassaPaymentMethod {
  type: string;
  id: string;
  saved: boolean;
  title?: string;
  card?: { first6: string; last4: string; expiry_year: string; expiry_month: string; card_type: string };
}

export interface YooKassaPayment {
  id: string;
  status: YooKassaStatus;
  paid: boolean;
  amount: YooKassaAmount;
  income_amount?: YooKassaAmount;
  confirmation?: { type: string; confirmation_url?: string; return_url?: string };
  created_at: string;
  captured_at?: string;
  expires_at?: string;
  description?: string;
  metadata?: Record<string, string>;
  payment_method: YooKassaPaymentMethod;
  recipient: { account_id: string; gateway_id: string };
  refundable: boolean;
  refunded_amount?: YooKassaAmount;
  receipt_registration?: 'pending' | 'succeeded' | 'canceled';
  merchant_customer_id?: string;
  cancellation_details?: { party: string; reason: string };
  test: true;
}

export interface YooKassaNotification {
  type: 'notification';
  event: YooKassaEvent;
  object: YooKassaPayment;
}

/** A refund (`/v3/refunds`): of a succeeded payment, whole or in part; the payment stays `succeeded` and its `refunded_amount` grows. */
export interface YooKassaRefund {
  id: string;
  payment_id: string;
  status: 'succeeded';
  created_at: string;
  amount: YooKassaAmount;
  description?: string;
}

/** `refund.succeeded`: the refund object itself (its `id` is the refund's, `payment_id` names the payment). */
export interface YooKassaRefundNotification {
  type: 'notification';
  event: 'refund.succeeded';
  object: YooKassaRefund;
}

export interface YooKassaRecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v3/payments`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (undefined when absent or not JSON). */
  body: unknown;
  raw: string;
  idempotenceKey: string | undefined;
  /** True when the answer was the saved answer to an earlier request with the same Idempotence-Key. */
  replayed: boolean;
  receivedAt: number;
}

/** The outcome of the next recurring charge: a status, or a cancellation with its reason. */
/** `pending`: the bank has not answered yet; the test moves it later. */
export type YooKassaChargeOutcome = 'succeeded' | 'pending' | 'canceled' | { status: 'canceled'; reason: string; party?: string };

/** A failure for the next API call (any route), queued with `failNext()`. */
export type YooKassaFault =
  /** Answer with this status before doing anything: nothing is created and no idempotent result is saved. */
  | { kind: 'error'; status: number; code?: string; description?: string }
  /** Do the work (and save the idempotent result), then cut the connection instead of answering. */
  | { kind: 'drop' };

export interface FakeYooKassa {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `url + '/v3'`: the base URL for the client. */
  apiUrl: string;
  shopId: string;
  secretKey: string;
  /** Every request received, oldest first (including rejected ones). */
  requests: YooKassaRecordedRequest[];
  readonly paymentsCreated: number;
  /** Queues the outcomes of the next recurring charges (default when empty: 'succeeded'). */
  scriptCharge(...outcomes: YooKassaChargeOutcome[]): void;
  /** The customer paid: `succeeded`, `paid: true`, `captured_at`; the method is saved when the create asked for it. */
  succeed(paymentId: string): YooKassaPayment;
  /** The payment is canceled (default: the customer never confirmed it). */
  cancel(paymentId: string, details?: { party: string; reason: string }): YooKassaPayment;
  /** Two-stage payment authorised: `waiting_for_capture`, `paid: true`. */
  waitForCapture(paymentId: string): YooKassaPayment;
  /** The current payment object (a copy); throws when unknown. */
  payment(paymentId: string): YooKassaPayment;
  /** The JSON body of the request that created the payment (save_payment_method, receipt, capture …). */
  createRequest(paymentId: string): Record<string, unknown>;
  /** The notification YooKassa would send; the event defaults to the payment's current status. */
  notification(paymentId: string, event?: YooKassaEvent): YooKassaNotification;
  /** A notification whose object claims `status` although the fake's stored payment is unchanged. */
  forgedNotification(paymentId: string, status: Exclude<YooKassaStatus, 'pending'>): YooKassaNotification;
  /** The shop refunds the payment (as `POST /v3/refunds` would): all of what is left, or `value` ("500.00"). */
  refund(paymentId: string, value?: string): YooKassaRefund;
  /** The `refund.succeeded` notification YooKassa would send for the refund. */
  refundNotification(refundId: string): YooKassaRefundNotification;
  /** POSTs a notification to `targetUrl` as YooKassa does (JSON, no signature). */
  sendNotification(targetUrl: string, notification: YooKassaNotification | YooKassaRefundNotification | object): Promise<{ status: number; body: string }>;
  /** Queues failures for the next API calls, in order. */
  failNext(...faults: YooKassaFault[]): void;
  /** The payments whose `metadata.payment_id` is `ours` (a copy each), oldest first. */
  paymentsOf(ours: string): YooKassaPayment[];
  /** A day has passed: YooKassa keeps a key's result for 24 hours, so a key sent again now makes a new payment. */
  forgetIdempotenceKeys(): void;
  close(): Promise<void>;
}

class YooKassaApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string,
    readonly parameter?: string,
  ) {
    super(description);
  }
}

const invalid = (description: string, parameter?: string) => new YooKassaApiError(400, 'invalid_request', description, parameter);
const notFound = () => new YooKassaApiError(404, 'not_found', 'Payment not found or forbidden', 'payment_id');

const EVENT_OF: Record<Exclude<YooKassaStatus, 'pending'>, YooKassaEvent> = {
  succeeded: 'payment.succeeded',
  canceled: 'payment.canceled',
  waiting_for_capture: 'payment.waiting_for_capture',
};

const asRecord = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const clone = <T>(v: T): T => structuredClone(v);


function parseAmount(v: unknown, parameter: string): YooKassaAmount {
  const a = asRecord(v);
  if (v === undefined) throw invalid(`Missing required parameter ${parameter}`, parameter);
  const value = typeof a.value === 'string' || typeof a.value === 'number' ? String(a.value) : '';
  if (!/^\d+(\.\d{1,2})?$/.test(value) || Number(value) <= 0) throw invalid(`Invalid value of ${parameter}.value`, `${parameter}.value`);
  if (typeof a.currency !== 'string' || !/^[A-Z]{3}$/.test(a.currency)) throw invalid(`Invalid value of ${parameter}.currency`, `${parameter}.currency`);
  return { value: Number(value).toFixed(2), currency: a.currency };
}

/** The fee YooKassa keeps (3.5%), for `income_amount`. */
const income = (a: YooKassaAmount): YooKassaAmount => ({ value: (Number(a.value) * 0.965).toFixed(2), currency: a.currency });

interface PaymentRecord {
  payment: YooKassaPayment;
  request: Record<string, unknown>;
}

export async function startFakeYooKassa(opts: { shopId?: string; secretKey?: string } = {}): Promise<FakeYooKassa> {
  const shopId = opts.shopId ?? '123456';
  const secretKey = opts.secretKey ?? 'test_secret';
  const expectedAuth = `Basic ${Buffer.from(`${shopId}:${secretKey}`).toString('base64')}`;
  const requests: YooKassaRecordedRequest[] = [];
  const payments = new Map<string, PaymentRecord>();
  /** Payment methods saved by a succeeded payment with `save_payment_method: true`. */
  const savedMethods = new Map<string, YooKassaPaymentMethod>();
  const refunds = new Map<string, YooKassaRefund>();
  const idempotent = new Map<string, { fingerprint: string; status: number; body: string }>();
  const chargeQueue: YooKassaChargeOutcome[] = [];
  const faults: YooKassaFault[] = [];
  let created = 0;

  function get(id: string): PaymentRecord {
    const rec = payments.get(id);
    if (!rec) throw notFound();
    return rec;
  }
  /** Throws (a test mistake, not an API answer) unless the fake knows the payment. */
  function known(id: string): PaymentRecord {
    const rec = payments.get(id);
    if (!rec) throw new Error(`fake yookassa: unknown payment ${id}`);
    return rec;
  }

  function toSucceeded(rec: PaymentRecord): void {
    const p = rec.payment;
    p.status = 'succeeded';
    p.paid = true;
    p.captured_at = new Date().toISOString();
    p.refundable = true;
    p.refunded_amount = { value: '0.00', currency: p.amount.currency };
    p.income_amount = income(p.amount);
    delete p.expires_at;
    if (p.receipt_registration) p.receipt_registration = 'succeeded';
    if (rec.request.save_payment_method === true && !p.payment_method.saved) {
      p.payment_method.saved = true;
      savedMethods.set(p.payment_method.id, clone(p.payment_method));
    }
  }

  function toCanceled(rec: PaymentRecord, details: { party: string; reason: string }): void {
    const p = rec.payment;
    p.status = 'canceled';
    p.paid = false;
    p.refundable = false;
    p.cancellation_details = details;
    delete p.expires_at;
    if (p.receipt_registration) p.receipt_registration = 'canceled';
  }

  function toWaitingForCapture(rec: PaymentRecord): void {
    const p = rec.payment;
    p.status = 'waiting_for_capture';
    p.paid = true;
    p.expires_at = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString();
  }

  function createPayment(body: Record<string, unknown>): YooKassaPayment {
    const amount = parseAmount(body.amount, 'amount');
    if (body.description !== undefined && (typeof body.description !== 'string' || body.description.length > 128)) {
      throw invalid('Invalid value of description: a string of at most 128 characters is expected', 'description');
    }
    // A shop that issues 54-FZ receipts (as this one does) has every payment carry one, renewals too.
    const receipt = body.receipt === undefined ? undefined : asRecord(body.receipt);
    const customer = receipt?.customer === undefined ? undefined : asRecord(receipt.customer);
    if (!receipt || typeof customer?.email !== 'string' || !Array.isArray(receipt.items) || receipt.items.length === 0) {
      throw invalid('Receipt is missing or illegal', 'receipt');
    }
    const confirmation = body.confirmation === undefined ? undefined : asRecord(body.confirmation);
    if (confirmation && confirmation.type !== 'redirect') throw invalid('Only confirmation.type = redirect is supported by the fake', 'confirmation.type');
    const methodId = body.payment_method_id;
    let method: YooKassaPaymentMethod;
    if (methodId !== undefined) {
      const saved = typeof methodId === 'string' ? savedMethods.get(methodId) : undefined;
      if (!saved) throw invalid("Payment method with this payment_method_id doesn't exist or isn't saved", 'payment_method_id');
      method = clone(saved);
    } else {
      const data = asRecord(body.payment_method_data);
      method = { type: typeof data.type === 'string' ? data.type : 'bank_card', id: randomUUID(), saved: false };
    }
    const id = randomUUID();
    const payment: YooKassaPayment = {
      id,
      status: 'pending',
      paid: false,
      amount,
      ...(confirmation
        ? {
            confirmation: {
              type: 'redirect',
              confirmation_url: `https://yoomoney.test/checkout/payments/v2/contract?orderId=${id}`,
              ...(typeof confirmation.return_url === 'string' ? { return_url: confirmation.return_url } : {}),
            },
          }
        : {}),
      created_at: new Date().toISOString(),
      ...(typeof body.description === 'string' ? { description: body.description } : {}),
      ...(body.metadata === undefined ? {} : { metadata: Object.fromEntries(Object.entries(asRecord(body.metadata)).map(([k, v]) => [k, String(v)])) }),
      payment_method: method,
      recipient: { account_id: shopId, gateway_id: '100500' },
      refundable: false,
      ...(body.receipt === undefined ? {} : { receipt_registration: 'pending' as const }),
      ...(typeof body.merchant_customer_id === 'string' ? { merchant_customer_id: body.merchant_customer_id } : {}),
      test: true,
    };
    const rec: PaymentRecord = { payment, request: clone(body) };
    payments.set(id, rec);
    created++;
    // A charge of a saved method needs no customer: the bank answers at once.
    if (methodId !== undefined && !confirmation) {
      const outcome = chargeQueue.shift() ?? 'succeeded';
      if (outcome === 'pending') {
        // left as it is
      } else if (outcome === 'succeeded') {
        if (body.capture === false) toWaitingForCapture(rec);
        else toSucceeded(rec);
      } else {
        toCanceled(rec, typeof outcome === 'object' ? { party: outcome.party ?? 'payment_network', reason: outcome.reason } : { party: 'payment_network', reason: 'insufficient_funds' });
      }
    }
    return payment;
  }

  const minor = (a: YooKassaAmount) => Math.round(Number(a.value) * 100);

  function createRefund(body: Record<string, unknown>): YooKassaRefund {
    if (typeof body.payment_id !== 'string') throw invalid('Missing required parameter payment_id', 'payment_id');
    const rec = get(body.payment_id);
    const p = rec.payment;
    if (p.status !== 'succeeded' || !p.refundable) throw invalid(`Payment is in ${p.status} status and can't be refunded`, 'payment_id');
    const amount = parseAmount(body.amount, 'amount');
    const refunded = p.refunded_amount ? minor(p.refunded_amount) : 0;
    if (amount.currency !== p.amount.currency || minor(amount) > minor(p.amount) - refunded) throw invalid('Refund amount exceeds the amount left to refund', 'amount');
    const refund: YooKassaRefund = {
      id: randomUUID(), payment_id: p.id, status: 'succeeded', created_at: new Date().toISOString(), amount,
      ...(typeof body.description === 'string' ? { description: body.description } : {}),
    };
    refunds.set(refund.id, refund);
    const total = refunded + minor(amount);
    p.refunded_amount = { value: (total / 100).toFixed(2), currency: p.amount.currency };
    if (total >= minor(p.amount)) p.refundable = false;
    return refund;
  }

  function route(method: string, path: string, body: Record<string, unknown>): unknown {
    const parts = path.split('/').filter(Boolean); // ['v3', 'payments' | 'refunds', id?, action?]
    if (parts[0] === 'v3' && parts[1] === 'refunds') {
      if (method === 'POST' && parts.length === 2) return createRefund(body);
      const refund = parts[2] ? refunds.get(parts[2]) : undefined;
      if (method === 'GET' && parts.length === 3) {
        if (!refund) throw new YooKassaApiError(404, 'not_found', 'Refund not found or forbidden', 'refund_id');
        return refund;
      }
    }
    if (parts[0] !== 'v3' || parts[1] !== 'payments') throw new YooKassaApiError(404, 'not_found', `Unknown route ${method} ${path}`);
    const id = parts[2];
    if (method === 'POST' && parts.length === 2) return createPayment(body);
    if (method === 'GET' && id && parts.length === 3) return get(id).payment;
    if (method === 'POST' && id && parts[3] === 'capture' && parts.length === 4) {
      const rec = get(id);
      if (rec.payment.status !== 'waiting_for_capture') throw invalid(`Payment is in ${rec.payment.status} status; only waiting_for_capture can be captured`, 'payment_id');
      if (body.amount !== undefined) rec.payment.amount = parseAmount(body.amount, 'amount');
      toSucceeded(rec);
      return rec.payment;
    }
    if (method === 'POST' && id && parts[3] === 'cancel' && parts.length === 4) {
      const rec = get(id);
      if (rec.payment.status !== 'waiting_for_capture' && rec.payment.status !== 'pending') {
        throw invalid(`Payment is in ${rec.payment.status} status and can't be canceled`, 'payment_id');
      }
      toCanceled(rec, { party: 'merchant', reason: 'canceled_by_merchant' });
      return rec.payment;
    }
    throw new YooKassaApiError(404, 'not_found', `Unknown route ${method} ${path}`);
  }

  const send = (res: ServerResponse, status: number, payload: string) => res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' }).end(payload);
  const sendError = (res: ServerResponse, err: YooKassaApiError) =>
    send(res, err.status, JSON.stringify({ type: 'error', id: randomUUID(), code: err.code, description: err.description, ...(err.parameter ? { parameter: err.parameter } : {}) }));

  const server = createServer((req, res) => {
    res.on('error', () => undefined);
    void (async () => {
      const raw = await readBody(req);
      const method = req.method ?? 'GET';
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const header = req.headers['idempotence-key'];
      const idempotenceKey = Array.isArray(header) ? header[0] : header;
      let body: unknown;
      try {
        body = raw ? (JSON.parse(raw) as unknown) : undefined;
      } catch {
        body = undefined;
      }
      const recorded: YooKassaRecordedRequest = { method, path, headers: req.headers, body, raw, idempotenceKey, replayed: false, receivedAt: Date.now() };
      requests.push(recorded);

      if (req.headers.authorization !== expectedAuth) {
        sendError(res, new YooKassaApiError(401, 'invalid_credentials', 'Error in shopId or secret key. Check their validity. You can reissue the key in the Merchant Profile'));
        return;
      }
      if (method === 'POST') {
        if (!idempotenceKey) {
          sendError(res, invalid("Idempotence key isn't specified. Specify the Idempotence-Key header", 'Idempotence-Key'));
          return;
        }
        if (idempotenceKey.length > 64) {
          sendError(res, invalid('Idempotence key is too long: at most 64 characters', 'Idempotence-Key'));
          return;
        }
        const fingerprint = `${path}\n${raw}`;
        const saved = idempotent.get(idempotenceKey);
        if (saved) {
          if (saved.fingerprint !== fingerprint) {
            sendError(res, invalid('Idempotence key duplicated: a request with this key but other data was already made', 'Idempotence-Key'));
            return;
          }
          recorded.replayed = true;
          send(res, saved.status, saved.body);
          return;
        }
        if (raw && body === undefined) {
          sendError(res, invalid('Request body is not valid JSON'));
          return;
        }
      }

      const fault = faults.shift();
      if (fault?.kind === 'error') {
        sendError(res, new YooKassaApiError(fault.status, fault.code ?? (fault.status >= 500 ? 'internal_server_error' : 'invalid_request'), fault.description ?? `fake error ${fault.status}`));
        return;
      }

      let payload: string;
      try {
        payload = JSON.stringify(route(method, path, asRecord(body)));
      } catch (err) {
        if (!(err instanceof YooKassaApiError)) throw err;
        sendError(res, err);
        return;
      }
      if (method === 'POST' && idempotenceKey) idempotent.set(idempotenceKey, { fingerprint: `${path}\n${raw}`, status: 200, body: payload });
      if (fault?.kind === 'drop') {
        res.destroy();
        return;
      }
      send(res, 200, payload);
    })().catch((err: unknown) => {
      console.error('fake yookassa:', err);
      res.destroy();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  function notification(paymentId: string, event?: YooKassaEvent): YooKassaNotification {
    const { payment } = known(paymentId);
    if (!event && payment.status === 'pending') throw new Error(`fake yookassa: payment ${paymentId} is pending; YooKassa sends no notification for that`);
    return { type: 'notification', event: event ?? EVENT_OF[payment.status as Exclude<YooKassaStatus, 'pending'>], object: clone(payment) };
  }

  return {
    url,
    apiUrl: `${url}/v3`,
    shopId,
    secretKey,
    requests,
    get paymentsCreated() {
      return created;
    },
    scriptCharge(...outcomes) {
      chargeQueue.push(...outcomes);
    },
    succeed(paymentId) {
      const rec = known(paymentId);
      if (rec.payment.status === 'canceled') throw new Error(`fake yookassa: payment ${paymentId} is canceled; it cannot succeed`);
      if (rec.payment.status !== 'succeeded') toSucceeded(rec);
      return clone(rec.payment);
    },
    cancel(paymentId, details = { party: 'yoo_money', reason: 'expired_on_confirmation' }) {
      const rec = known(paymentId);
      if (rec.payment.status === 'succeeded') throw new Error(`fake yookassa: payment ${paymentId} has succeeded; it cannot be canceled`);
      if (rec.payment.status !== 'canceled') toCanceled(rec, details);
      return clone(rec.payment);
    },
    waitForCapture(paymentId) {
      const rec = known(paymentId);
      if (rec.payment.status !== 'pending') throw new Error(`fake yookassa: payment ${paymentId} is ${rec.payment.status}, not pending`);
      toWaitingForCapture(rec);
      return clone(rec.payment);
    },
    payment: (paymentId) => clone(known(paymentId).payment),
    createRequest: (paymentId) => clone(known(paymentId).request),
    notification,
    forgedNotification(paymentId, status) {
      const object = clone(known(paymentId).payment);
      object.status = status;
      object.paid = status !== 'canceled';
      if (status === 'succeeded') object.captured_at ??= new Date().toISOString();
      if (status === 'canceled') object.cancellation_details ??= { party: 'yoo_money', reason: 'expired_on_confirmation' };
      return { type: 'notification', event: EVENT_OF[status], object };
    },
    refund(paymentId, value) {
      const p = known(paymentId).payment;
      const left = minor(p.amount) - (p.refunded_amount ? minor(p.refunded_amount) : 0);
      return clone(createRefund({ payment_id: paymentId, amount: { value: value ?? (left / 100).toFixed(2), currency: p.amount.currency } }));
    },
    refundNotification(refundId) {
      const refund = refunds.get(refundId);
      if (!refund) throw new Error(`fake yookassa: unknown refund ${refundId}`);
      return { type: 'notification', event: 'refund.succeeded', object: clone(refund) };
    },
    async sendNotification(targetUrl, body) {
      const res = await fetch(targetUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: await res.text() };
    },
    failNext(...more) {
      faults.push(...more);
    },
    paymentsOf: (ours) => [...payments.values()].filter((r) => r.payment.metadata?.payment_id === ours).map((r) => clone(r.payment)),
    forgetIdempotenceKeys: () => idempotent.clear(),
    close: () => closeServer(server),
  };
}
