/** Billing fixtures: a runtime wired to fake Stripe and YooKassa, and helpers a payment test repeats. */
/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are whatever the server sent */
import { Model } from 'objection';
import { expect } from 'vitest';
import { waitFor } from '../e2e/chat/harness.js';
import { startFakeStripe, type FakeStripe } from './fake-providers/stripe.js';
import { startFakeYooKassa, type FakeYooKassa } from './fake-providers/yookassa.js';
import { request } from './http.js';
import { runJobNow } from './jobs.js';

export const WEBHOOK_SECRET = 'whsec_test_billing';

export async function startFakePayments(): Promise<{ stripe: FakeStripe; yookassa: FakeYooKassa; env: NodeJS.ProcessEnv; close(): Promise<void> }> {
  const stripe = await startFakeStripe();
  const yookassa = await startFakeYooKassa();
  return {
    stripe,
    yookassa,
    env: {
      STRIPE_SECRET_KEY: stripe.secretKey, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, STRIPE_API_URL: stripe.url,
      YOOKASSA_SHOP_ID: yookassa.shopId, YOOKASSA_SECRET_KEY: yookassa.secretKey, YOOKASSA_API_URL: yookassa.apiUrl,
      // The fakes post from loopback; TRUST_PROXY lets a test claim another source with X-Forwarded-For.
      YOOKASSA_WEBHOOK_IPS: '127.0.0.1/32,::1/128', TRUST_PROXY: 'true',
      // Polls and renewals run when a test asks for them, not on their own in between.
      BILLING_RECONCILE_EVERY_SECONDS: '3600',
    },
    async close() {
      await stripe.close();
      await yookassa.close();
    },
  };
}

export const db = () => Model.knex();

export const subscribeTo = (base: string, token: string, plan: string, provider: 'stripe' | 'yookassa') =>
  request(base, 'POST', '/api/subscriptions', { token, json: { plan_code: plan, provider, return_url: 'https://app.example/billing/done' } });

export const paymentRow = (id: string) => db()('payments').where({ id }).first();

export const stripeHook = (base: string) => `${base}/api/payments/webhook/stripe`;
export const yooHook = (base: string) => `${base}/api/payments/webhook/yookassa`;

/** Opens a checkout; answers 201 with a pending payment: the answer, our payment row and the provider's id of it. */
export async function openCheckout(base: string, token: string, plan: string, provider: 'stripe' | 'yookassa') {
  const res = await subscribeTo(base, token, plan, provider);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const row = await paymentRow(res.body.payment.id);
  return { res, row, providerId: row.provider_payment_id as string };
}

/** The customer pays the YooKassa payment and YooKassa notifies us. */
export async function payYooKassa(base: string, yookassa: FakeYooKassa, paymentId: string): Promise<void> {
  yookassa.succeed(paymentId);
  expect((await yookassa.sendNotification(yooHook(base), yookassa.notification(paymentId))).status).toBe(200);
}

/** The customer completes the Checkout Session and Stripe sends the signed event. */
export async function payStripe(base: string, stripe: FakeStripe, sessionId: string) {
  const done = stripe.completeSession(sessionId);
  const event = stripe.event('checkout.session.completed', done.session);
  expect((await stripe.sendWebhook(stripeHook(base), event, { secret: WEBHOOK_SECRET })).status).toBe(200);
  return { done, event };
}

export const me = async (base: string, token: string) => (await request(base, 'GET', '/api/subscriptions/me', { token })).body;

export const meWhen = (base: string, token: string, what: string, check: (me: any) => boolean) =>
  waitFor(`subscription: ${what}`, async () => {
    const body = await me(base, token);
    return check(body) ? body : undefined;
  });

export const auditCount = async (action: string, targetId: string) =>
  Number((await db()('audit_logs').where({ action, target_id: targetId }).count({ n: '*' }))[0]?.n);


/** Runs a billing job now, as its scheduler would, and waits until a worker has finished it. */
export const runJob = (prefix: string, name: 'billing.reconcile' | 'billing.renew' | 'billing.expire-subscriptions' | 'billing.daily-report', data: Record<string, unknown> = {}) =>
  runJobNow(prefix, name, data);
