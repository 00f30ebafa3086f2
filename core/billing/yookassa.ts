/**
 * YooKassa through its official HTTP API v3 (no maintained SDK exists): Basic auth with the
 * shop id and secret key, an `Idempotence-Key` on every create call derived from our own
 * payment row, and notifications trusted only for their source range and then only for what
 * the payment fetched back by id says.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';
import { DomainError, domainErrors } from '../errors.js';
import { decimalAmount, type NewPayment, type PaymentProvider, type PaymentStatus, type ProviderPayment } from './provider.js';

export interface YooKassaConfig {
  shopId: string;
  secretKey: string;
  apiUrl: string;
}

interface YooAmount {
  value: string;
  currency: string;
}

interface YooPayment {
  id: string;
  status: PaymentStatus;
  paid: boolean;
  amount: YooAmount;
  refunded_amount?: YooAmount;
  confirmation?: { confirmation_url?: string };
  payment_method?: { id: string; saved: boolean };
  metadata?: Record<string, string>;
}

interface YooRefund {
  id: string;
  payment_id: string;
  status: 'pending' | 'succeeded' | 'canceled';
}

/** A refund as YooKassa reports it, with whether its payment is now refunded whole. */
export interface ReportedRefund {
  id: string;
  providerPaymentId: string;
  status: YooRefund['status'];
  /** The payment's `refunded_amount` has reached its `amount` (one refund or several). */
  paymentRefunded: boolean;
}

export type YooKassaProvider = PaymentProvider & {
  /** `email` gets the receipt, as the first payment's payer did. */
  chargeSaved(p: { paymentId: string; methodId: string; amountMinor: number; currency: string; description: string; email: string }): Promise<ProviderPayment>;
  /** Fetches the refund by id (`GET /refunds/{id}`), then its payment for how much of it is refunded. */
  fetchRefund(refundId: string): Promise<ReportedRefund>;
};

const TIMEOUT_MS = 15_000;
const minor = (a: YooAmount | undefined) => (a ? Math.round(Number(a.value) * 100) : 0);

/**
 * YooKassa refused the request itself (a 4xx other than 409 and 429: a removed or invalid saved
 * method, a refused key): sending it again is refused again. To the API's callers it is still
 * `payments_unavailable`; a renewal takes it as a failed charge and starts dunning.
 */
export class YooKassaRefused extends DomainError {
  constructor(readonly status: number) {
    super('unavailable', 'payments_unavailable', `YooKassa refused the request (${status})`);
  }
}

export function createYooKassa(config: YooKassaConfig): YooKassaProvider {
  const auth = `Basic ${Buffer.from(`${config.shopId}:${config.secretKey}`).toString('base64')}`;

  async function call<T = YooPayment>(method: 'GET' | 'POST', path: string, body?: unknown, idempotenceKey?: string): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${config.apiUrl}${path}`, {
        method,
        headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}), ...(idempotenceKey ? { 'idempotence-key': idempotenceKey } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw domainErrors.unavailable(`YooKassa did not answer (${(err as Error).name})`, 'payments_unavailable');
    }
    const text = await res.text();
    if (res.status >= 400 && res.status < 500 && res.status !== 409 && res.status !== 429) throw new YooKassaRefused(res.status);
    if (!res.ok) throw domainErrors.unavailable(`YooKassa answered ${res.status}`, 'payments_unavailable');
    return JSON.parse(text) as T;
  }

  const toPayment = (p: YooPayment): ProviderPayment => ({
    providerPaymentId: p.id,
    status: p.status,
    confirmationUrl: p.confirmation?.confirmation_url,
    paymentMethodId: p.payment_method?.saved ? p.payment_method.id : undefined,
    // Metadata is any string the request carried: only an id of ours counts.
    ourPaymentId: z.uuid().safeParse(p.metadata?.payment_id).data,
  });

  return {
    name: 'yookassa',
    async create(p: NewPayment) {
      const amount = { value: decimalAmount(p.plan.price_minor), currency: p.plan.currency };
      const description = `Подписка «${p.plan.name}», 1 месяц`;
      return toPayment(await call('POST', '/payments', {
        amount,
        capture: true,
        confirmation: { type: 'redirect', return_url: p.returnUrl },
        save_payment_method: true,
        description,
        metadata: { payment_id: p.paymentId, subscription_id: p.subscriptionId },
        receipt: receipt(p.email, description, amount),
      }, `payment-${p.paymentId}`));
    },
    async fetch(id: string) {
      return toPayment(await call('GET', `/payments/${encodeURIComponent(id)}`));
    },
    async fetchRefund(refundId: string) {
      const refund = await call<YooRefund>('GET', `/refunds/${encodeURIComponent(refundId)}`);
      const payment = await call('GET', `/payments/${encodeURIComponent(refund.payment_id)}`);
      return { id: refund.id, providerPaymentId: refund.payment_id, status: refund.status, paymentRefunded: minor(payment.refunded_amount) >= minor(payment.amount) };
    },
    /** A renewal: the saved method, no confirmation; the key is our renewal payment's id. */
    async chargeSaved(p) {
      const amount = { value: decimalAmount(p.amountMinor), currency: p.currency };
      return toPayment(await call('POST', '/payments', {
        amount,
        capture: true,
        payment_method_id: p.methodId,
        description: p.description,
        metadata: { payment_id: p.paymentId },
        receipt: receipt(p.email, p.description, amount),
      }, `payment-${p.paymentId}`));
    },
  };
}

/**
 * 54-FZ: the receipt the provider's online till issues, for every payment (renewals too: a shop
 * that issues receipts has YooKassa refuse a payment without one); VAT not charged (vat_code 1).
 */
const receipt = (email: string, description: string, amount: { value: string; currency: string }) => ({
  customer: { email },
  items: [{ description, quantity: '1.00', amount, vat_code: 1, payment_mode: 'full_payment', payment_subject: 'service' }],
});

/** Whether `ip` lies in one of `ranges` (CIDR or single addresses, IPv4 and IPv6). */
export function ipAllowed(ip: string, ranges: string[]): boolean {
  const list = new BlockList();
  for (const range of ranges) {
    const [address, bits] = range.split('/');
    const type = isIPv6(address!) ? 'ipv6' : 'ipv4';
    if (!isIPv4(address!) && !isIPv6(address!)) continue;
    if (bits === undefined) list.addAddress(address!, type);
    else list.addSubnet(address!, Number(bits), type);
  }
  const plain = ip.replace(/^::ffff:/, '');
  return list.check(plain, isIPv6(plain) ? 'ipv6' : 'ipv4');
}
