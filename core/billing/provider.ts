/** What billing needs from a payment provider, and the states both providers' payments map to. */
export type PaymentStatus = 'pending' | 'waiting_for_capture' | 'succeeded' | 'canceled' | 'refunded';
/** YooKassa first: the Russian market's provider, listed (and offered) first. */
export const PAYMENT_PROVIDERS = ['yookassa', 'stripe'] as const;
export type ProviderName = (typeof PAYMENT_PROVIDERS)[number];

/** A payment as the provider reports it, reduced to what billing applies. */
export interface ProviderPayment {
  providerPaymentId: string;
  status: PaymentStatus;
  confirmationUrl?: string | undefined;
  /** YooKassa: the saved method that renewals charge. */
  paymentMethodId?: string | undefined;
  /** Stripe: the subscription the Checkout Session created. */
  providerSubscriptionId?: string | undefined;
  /** YooKassa: our payment row's id, as its metadata names it (a charge whose answer we never got). */
  ourPaymentId?: string | undefined;
}

export interface NewPayment {
  /** Our payment row: the idempotency key derives from it, so a retry never charges twice. */
  paymentId: string;
  subscriptionId: string;
  plan: { code: string; name: string; price_minor: number; currency: string };
  returnUrl: string;
  /** For the 54-FZ receipt (YooKassa); sent to the provider only, never stored. */
  email: string;
}

export interface PaymentProvider {
  name: ProviderName;
  create(p: NewPayment): Promise<ProviderPayment>;
  fetch(providerPaymentId: string): Promise<ProviderPayment>;
}

/** Forward only: a late `pending` never undoes `succeeded`, and `canceled` is final. */
const NEXT: Record<PaymentStatus, PaymentStatus[]> = {
  pending: ['waiting_for_capture', 'succeeded', 'canceled'],
  waiting_for_capture: ['succeeded', 'canceled'],
  succeeded: ['refunded'],
  canceled: [],
  refunded: [],
};
export const paymentMoves = (from: PaymentStatus, to: PaymentStatus) => NEXT[from].includes(to);

/** Minor units to the decimal string providers take ("1990.00"). */
export const decimalAmount = (minor: number) => (minor / 100).toFixed(2);
