/**
 * Stripe through the official SDK: a Checkout Session in subscription mode (Stripe renews it
 * and reports renewals as events), an `Idempotency-Key` derived from our payment row, and
 * webhooks verified over the raw bytes with a 300 s tolerance (0 would skip the age check).
 */
import Stripe from 'stripe';
import { domainErrors } from '../errors.js';
import type { NewPayment, PaymentProvider, PaymentStatus, ProviderPayment } from './provider.js';

export interface StripeConfig {
  secretKey: string;
  webhookSecret: string;
  apiUrl: string;
}

export const STRIPE_SIGNATURE_TOLERANCE_S = 300;

export type StripeProvider = PaymentProvider & {
  sdk: Stripe;
  /** Sets (true) or clears (false, a resume) the subscription's end at its period's end. */
  setCancelAtPeriodEnd(subscriptionId: string, cancel: boolean): Promise<void>;
  /** Expires an open Checkout Session, so it can no longer be paid; one no longer open is reported as it is. */
  expireCheckout(sessionId: string): Promise<ProviderPayment>;
  /** Ends the subscription at Stripe now (no further invoices); idempotent: one already ended is `already canceled`. */
  cancelNow(subscriptionId: string): Promise<'canceled' | 'already canceled'>;
  /**
   * Deletes at Stripe the customer a subscription was bought by: the e-mail and card the payer
   * gave Stripe's Checkout go; idempotent: one deleted already is `already deleted`.
   */
  deleteCustomerOf(subscriptionId: string): Promise<'deleted' | 'already deleted'>;
  /**
   * The invoice a PaymentIntent paid, found through its Invoice Payment (a Charge names no
   * invoice since API 2025-03-31.basil); undefined when it paid none.
   */
  invoiceOfPayment(paymentIntentId: string): Promise<Stripe.Invoice | undefined>;
  /** Verifies `Stripe-Signature` over the raw body; throws `invalid` when it fails. */
  verify(raw: Buffer, signature: string | undefined): Stripe.Event;
};

function sessionStatus(s: Stripe.Checkout.Session): PaymentStatus {
  if (s.status === 'complete' && s.payment_status !== 'unpaid') return 'succeeded';
  if (s.status === 'expired') return 'canceled';
  return 'pending';
}

export const sessionPayment = (s: Stripe.Checkout.Session): ProviderPayment => ({
  providerPaymentId: s.id,
  status: sessionStatus(s),
  confirmationUrl: s.url ?? undefined,
  providerSubscriptionId: typeof s.subscription === 'string' ? s.subscription : s.subscription?.id,
});

export function createStripe(config: StripeConfig): StripeProvider {
  const url = new URL(config.apiUrl);
  const sdk = new Stripe(config.secretKey, {
    host: url.hostname,
    ...(url.port ? { port: url.port } : {}),
    protocol: url.protocol === 'http:' ? 'http' : 'https',
    maxNetworkRetries: 2,
    timeout: 15_000,
    telemetry: false,
  });
  const unavailable = (err: unknown) => domainErrors.unavailable(`Stripe did not accept the request (${(err as Error).name})`, 'payments_unavailable');
  const fetchSession = async (id: string) => {
    try {
      return sessionPayment(await sdk.checkout.sessions.retrieve(id));
    } catch (err) {
      throw unavailable(err);
    }
  };
  return {
    name: 'stripe',
    sdk,
    async create(p: NewPayment) {
      try {
        const session = await sdk.checkout.sessions.create({
          mode: 'subscription',
          line_items: [{
            quantity: 1,
            price_data: { currency: p.plan.currency.toLowerCase(), unit_amount: p.plan.price_minor, recurring: { interval: 'month' }, product_data: { name: p.plan.name } },
          }],
          success_url: p.returnUrl,
          cancel_url: p.returnUrl,
          client_reference_id: p.paymentId,
          metadata: { payment_id: p.paymentId, subscription_id: p.subscriptionId },
          subscription_data: { metadata: { subscription_id: p.subscriptionId } },
        }, { idempotencyKey: `payment-${p.paymentId}` });
        return sessionPayment(session);
      } catch (err) {
        throw unavailable(err);
      }
    },
    fetch: fetchSession,
    async setCancelAtPeriodEnd(subscriptionId: string, cancel: boolean) {
      try {
        await sdk.subscriptions.update(subscriptionId, { cancel_at_period_end: cancel });
      } catch (err) {
        throw unavailable(err);
      }
    },
    async expireCheckout(sessionId: string) {
      try {
        return sessionPayment(await sdk.checkout.sessions.expire(sessionId));
      } catch (err) {
        // Stripe expires only an open session (400 otherwise): one paid or expired since is what it is.
        if (err instanceof Stripe.errors.StripeInvalidRequestError) return fetchSession(sessionId);
        throw unavailable(err);
      }
    },
    async cancelNow(subscriptionId: string) {
      try {
        await sdk.subscriptions.cancel(subscriptionId);
        return 'canceled';
      } catch (err) {
        // Stripe answers a second cancel (or one after it ended the subscription itself) with
        // 404 resource_missing; an "already canceled" refusal means the same. Both are done.
        if (err instanceof Stripe.errors.StripeInvalidRequestError && (err.code === 'resource_missing' || /already (been )?cancel/i.test(err.message))) return 'already canceled';
        throw unavailable(err);
      }
    },
    async deleteCustomerOf(subscriptionId: string) {
      try {
        const { customer } = await sdk.subscriptions.retrieve(subscriptionId);
        await sdk.customers.del(typeof customer === 'string' ? customer : customer.id);
        return 'deleted';
      } catch (err) {
        // Stripe answers a second delete with 404 resource_missing: done already.
        if (err instanceof Stripe.errors.StripeInvalidRequestError && err.code === 'resource_missing') return 'already deleted';
        throw unavailable(err);
      }
    },
    async invoiceOfPayment(paymentIntentId: string) {
      try {
        const found = await sdk.invoicePayments.list({ payment: { type: 'payment_intent', payment_intent: paymentIntentId }, expand: ['data.invoice'], limit: 1 });
        const invoice = found.data[0]?.invoice;
        return invoice && typeof invoice === 'object' && !invoice.deleted ? invoice : undefined;
      } catch (err) {
        throw unavailable(err);
      }
    },
    verify(raw, signature) {
      if (!signature) throw domainErrors.invalid('missing Stripe-Signature', 'invalid_signature');
      try {
        return sdk.webhooks.constructEvent(raw, signature, config.webhookSecret, STRIPE_SIGNATURE_TOLERANCE_S);
      } catch {
        throw domainErrors.invalid('the Stripe signature does not verify (bad, too old, or over another body)', 'invalid_signature');
      }
    },
  };
}
