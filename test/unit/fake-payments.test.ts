import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeStripe, type FakeStripe } from '../helpers/fake-providers/stripe.js';
import { startFakeYooKassa, type FakeYooKassa, type YooKassaPayment } from '../helpers/fake-providers/yookassa.js';

describe('fake Stripe, driven by the real stripe SDK', () => {
  let fake: FakeStripe;
  let stripe: Stripe;
  let receiver: Server;
  let receiverUrl: string;
  const webhookSecret = 'whsec_test_fake';
  const received: Array<{ ok: boolean; event?: Stripe.Event; error?: string }> = [];

  beforeAll(async () => {
    fake = await startFakeStripe();
    stripe = new Stripe(fake.secretKey, { host: '127.0.0.1', port: fake.port, protocol: 'http', maxNetworkRetries: 2 });
    // A stand-in for our webhook endpoint: verifies the raw body with the SDK.
    receiver = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        try {
          const event = stripe.webhooks.constructEvent(Buffer.concat(parts), req.headers['stripe-signature'] ?? '', webhookSecret, 300);
          received.push({ ok: true, event });
          res.writeHead(200).end('{"received":true}');
        } catch (err) {
          received.push({ ok: false, error: (err as Error).message });
          res.writeHead(400).end((err as Error).message);
        }
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/stripe`;
  });

  afterAll(async () => {
    await fake.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  const params = (paymentId: string): Stripe.Checkout.SessionCreateParams => ({
    mode: 'subscription',
    line_items: [{ quantity: 1, price_data: { currency: 'RUB', unit_amount: 199000, recurring: { interval: 'month' }, product_data: { name: 'Pro' } } }],
    success_url: 'https://app.test/billing/success',
    cancel_url: 'https://app.test/billing/cancel',
    client_reference_id: 'user-1',
    metadata: { payment_id: paymentId },
    subscription_data: { metadata: { payment_id: paymentId, plan: 'pro' } },
  });

  it('creates a session once per idempotency key and parses the bracketed form body', async () => {
    const first = await stripe.checkout.sessions.create(params('pay-1'), { idempotencyKey: 'checkout-pay-1' });
    const again = await stripe.checkout.sessions.create(params('pay-1'), { idempotencyKey: 'checkout-pay-1' });
    expect(again.id).toBe(first.id);
    expect(fake.sessionsCreated).toBe(1);
    expect(first).toMatchObject({
      object: 'checkout.session',
      mode: 'subscription',
      status: 'open',
      payment_status: 'unpaid',
      client_reference_id: 'user-1',
      metadata: { payment_id: 'pay-1' },
      subscription: null,
      amount_total: 199000,
      currency: 'rub',
      customer: null,
    });
    expect(first.id).toMatch(/^cs_test_/);
    expect(first.url).toBe(`https://checkout.stripe.test/c/pay/${first.id}`);

    const [req1, req2] = fake.requests.filter((r) => r.path === '/v1/checkout/sessions');
    expect(req1?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req1?.headers.authorization).toBe(`Bearer ${fake.secretKey}`);
    // stripe v23 leaves the brackets unescaped in the form body.
    expect(req1?.raw).toContain('line_items[0][price_data][currency]=RUB&');
    expect(req1?.body).toMatchObject({
      mode: 'subscription',
      line_items: [{ quantity: '1', price_data: { currency: 'RUB', unit_amount: '199000', recurring: { interval: 'month' } } }],
      metadata: { payment_id: 'pay-1' },
      subscription_data: { metadata: { payment_id: 'pay-1', plan: 'pro' } },
    });
    expect(req1?.replayed).toBe(false);
    expect(req2?.replayed).toBe(true);
  });

  it('rejects the same idempotency key with other parameters, a wrong key, and unknown ids', async () => {
    await expect(stripe.checkout.sessions.create(params('pay-2'), { idempotencyKey: 'checkout-pay-1' })).rejects.toMatchObject({ type: 'StripeIdempotencyError', statusCode: 400 });
    const wrong = new Stripe('sk_test_wrong', { host: '127.0.0.1', port: fake.port, protocol: 'http', maxNetworkRetries: 0 });
    await expect(wrong.checkout.sessions.retrieve('cs_test_x')).rejects.toMatchObject({ type: 'StripeAuthenticationError', statusCode: 401, rawType: 'invalid_request_error' });
    await expect(stripe.checkout.sessions.retrieve('cs_test_nope')).rejects.toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 404, code: 'resource_missing' });
    await expect(stripe.subscriptions.retrieve('sub_nope')).rejects.toMatchObject({ statusCode: 404 });
    expect(fake.sessionsCreated).toBe(1);
  });

  it('SDK retries after a dropped answer reuse the automatic idempotency key: one session', async () => {
    const before = fake.sessionsCreated;
    fake.failNext({ kind: 'drop' });
    const s = await stripe.checkout.sessions.create(params('pay-3'));
    expect(fake.sessionsCreated).toBe(before + 1);
    const attempts = fake.requests.filter((r) => r.body.metadata && (r.body.metadata as Record<string, string>).payment_id === 'pay-3');
    expect(attempts).toHaveLength(2);
    expect(attempts[0]?.idempotencyKey).toMatch(/^stripe-node-retry-/);
    expect(attempts[1]?.idempotencyKey).toBe(attempts[0]?.idempotencyKey);
    expect(attempts[1]?.replayed).toBe(true);
    expect((await stripe.checkout.sessions.retrieve(s.id)).id).toBe(s.id);

    fake.failNext({ kind: 'error', status: 500 });
    await expect(stripe.checkout.sessions.retrieve(s.id)).resolves.toMatchObject({ id: s.id });
  });

  it('completes a session into an active subscription and a paid invoice; webhooks verify with the SDK', async () => {
    const created = await stripe.checkout.sessions.create(params('pay-4'));
    const { session, subscription, invoice } = fake.completeSession(created.id);
    expect(session).toMatchObject({ status: 'complete', payment_status: 'paid', subscription: subscription?.id });
    expect(subscription).toMatchObject({ object: 'subscription', status: 'active', cancel_at_period_end: false, metadata: { payment_id: 'pay-4', plan: 'pro' } });
    expect(subscription!.current_period_end - subscription!.current_period_start).toBe(30 * 86400);
    expect(subscription!.items.data[0]).toMatchObject({ current_period_start: subscription!.current_period_start, current_period_end: subscription!.current_period_end });
    expect(invoice).toMatchObject({ status: 'paid', amount_paid: 199000, billing_reason: 'subscription_create', subscription: subscription!.id });
    expect(invoice!.parent.subscription_details.subscription).toBe(subscription!.id);

    const retrieved = await stripe.checkout.sessions.retrieve(created.id, { expand: ['subscription'] });
    expect(retrieved.status).toBe('complete');
    expect((retrieved.subscription as Stripe.Subscription).id).toBe(subscription!.id);
    const sub = await stripe.subscriptions.retrieve(subscription!.id);
    expect(sub.items.data[0]?.current_period_end).toBe(subscription!.current_period_end);

    const event = fake.event('checkout.session.completed', retrieved);
    expect(event).toMatchObject({ object: 'event', livemode: false, pending_webhooks: 1, type: 'checkout.session.completed', api_version: Stripe.API_VERSION });
    const payload = JSON.stringify(event);
    const header = fake.signedHeader(payload, webhookSecret);
    expect(stripe.webhooks.constructEvent(payload, header, webhookSecret, 300).id).toBe(event.id);
    expect(() => stripe.webhooks.constructEvent(payload, header, 'whsec_other', 300)).toThrow(/signature/i);
    const old = fake.signedHeader(payload, webhookSecret, Math.floor(Date.now() / 1000) - 600);
    expect(() => stripe.webhooks.constructEvent(payload, old, webhookSecret, 300)).toThrow(/tolerance/i);

    expect(await fake.sendWebhook(receiverUrl, event, { secret: webhookSecret })).toMatchObject({ status: 200 });
    expect(received.at(-1)).toMatchObject({ ok: true, event: { id: event.id, type: 'checkout.session.completed' } });
    expect((await fake.sendWebhook(receiverUrl, event, { secret: webhookSecret, tamper: true })).status).toBe(400);
    expect(received.at(-1)?.ok).toBe(false);
  });

  it('renewal invoices move the period; cancel at period end, then delete', async () => {
    const created = await stripe.checkout.sessions.create(params('pay-5'));
    const { subscription } = fake.completeSession(created.id);
    const subId = subscription!.id;
    const renewal = fake.invoice(subId, { paid: true, billing_reason: 'subscription_cycle' });
    expect(renewal.period_start).toBe(subscription!.current_period_end);
    expect(renewal.lines.data[0]?.period.end).toBe(subscription!.current_period_end + 30 * 86400);
    const failed = fake.invoice(subId, { paid: false });
    expect(failed).toMatchObject({ status: 'open', amount_paid: 0, amount_due: 199000 });
    expect((await stripe.subscriptions.retrieve(subId)).status).toBe('past_due');

    const updated = await stripe.subscriptions.update(subId, { cancel_at_period_end: true });
    expect(updated.cancel_at_period_end).toBe(true);
    expect(fake.requests.at(-1)?.body).toEqual({ cancel_at_period_end: 'true' });
    const canceled = await stripe.subscriptions.cancel(subId);
    expect(canceled.status).toBe('canceled');
    expect(fake.subscription(subId).status).toBe('canceled');
  });
});

describe('fake YooKassa, driven by fetch', () => {
  let fake: FakeYooKassa;
  let auth: string;

  beforeAll(async () => {
    fake = await startFakeYooKassa();
    auth = `Basic ${Buffer.from(`${fake.shopId}:${fake.secretKey}`).toString('base64')}`;
  });
  afterAll(() => fake.close());

  const call = async (method: string, path: string, body?: object, key?: string, authorization = auth) => {
    const res = await fetch(`${fake.apiUrl}${path}`, {
      method,
      headers: { authorization, 'content-type': 'application/json', ...(key ? { 'idempotence-key': key } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  const initial = {
    amount: { value: '1990.00', currency: 'RUB' },
    capture: true,
    confirmation: { type: 'redirect', return_url: 'https://app.test/billing/return' },
    save_payment_method: true,
    description: 'Подписка Pro, 1 месяц',
    metadata: { payment_id: 'pay-10' },
    receipt: { customer: { email: 'a@b.test' }, items: [{ description: 'Pro', quantity: '1.00', amount: { value: '1990.00', currency: 'RUB' }, vat_code: 1 }] },
  };

  it('checks credentials and the Idempotence-Key', async () => {
    expect(await call('POST', '/payments', initial, 'k0', 'Basic bm9wZTpub3Bl')).toMatchObject({ status: 401, json: { type: 'error', code: 'invalid_credentials' } });
    expect(await call('POST', '/payments', initial)).toMatchObject({ status: 400, json: { type: 'error', code: 'invalid_request', parameter: 'Idempotence-Key' } });
    expect(await call('GET', '/payments/nope')).toMatchObject({ status: 404, json: { type: 'error', code: 'not_found' } });
    expect(fake.paymentsCreated).toBe(0);
  });

  it('creates once per key, succeeds with a saved method, then a scripted renewal is declined', async () => {
    const first = await call('POST', '/payments', initial, 'pay-10-initial');
    const again = await call('POST', '/payments', initial, 'pay-10-initial');
    expect(first.status).toBe(200);
    expect(again.json).toEqual(first.json);
    expect(fake.paymentsCreated).toBe(1);
    const p = first.json as unknown as YooKassaPayment;
    expect(p).toMatchObject({
      status: 'pending',
      paid: false,
      amount: { value: '1990.00', currency: 'RUB' },
      confirmation: { type: 'redirect', return_url: 'https://app.test/billing/return' },
      description: 'Подписка Pro, 1 месяц',
      metadata: { payment_id: 'pay-10' },
      payment_method: { type: 'bank_card', saved: false },
      recipient: { account_id: '123456' },
      test: true,
    });
    expect(p.confirmation?.confirmation_url).toContain(`orderId=${p.id}`);
    expect(fake.requests.at(-1)?.replayed).toBe(true);
    expect(fake.createRequest(p.id)).toMatchObject({ save_payment_method: true, capture: true, receipt: { customer: { email: 'a@b.test' } } });

    expect(fake.notification(p.id, 'payment.succeeded').object.status).toBe('pending');
    expect(fake.forgedNotification(p.id, 'succeeded')).toMatchObject({ type: 'notification', event: 'payment.succeeded', object: { status: 'succeeded', paid: true } });
    expect(fake.payment(p.id).status).toBe('pending');

    fake.succeed(p.id);
    const got = await call('GET', `/payments/${p.id}`);
    expect(got.json).toMatchObject({ status: 'succeeded', paid: true, payment_method: { saved: true, id: p.payment_method.id } });
    expect(typeof got.json.captured_at).toBe('string');
    expect(fake.notification(p.id)).toMatchObject({ type: 'notification', event: 'payment.succeeded', object: { id: p.id, status: 'succeeded' } });

    const renewal = { amount: { value: '1990.00', currency: 'RUB' }, capture: true, payment_method_id: p.payment_method.id, description: 'Продление Pro', receipt: initial.receipt };
    // This shop issues receipts: a payment without one is refused.
    expect(await call('POST', '/payments', { ...renewal, receipt: undefined }, 'pay-10-renewal')).toMatchObject({ status: 400, json: { parameter: 'receipt' } });
    fake.scriptCharge('canceled');
    const declined = await call('POST', '/payments', renewal, 'pay-11-renewal');
    expect(declined.json).toMatchObject({ status: 'canceled', paid: false, cancellation_details: { party: 'payment_network', reason: 'insufficient_funds' } });
    const ok = await call('POST', '/payments', renewal, 'pay-12-renewal');
    expect(ok.json).toMatchObject({ status: 'succeeded', paid: true, payment_method: { id: p.payment_method.id, saved: true } });
    expect(fake.paymentsCreated).toBe(3);

    expect(await call('POST', '/payments', { ...renewal, payment_method_id: 'unknown' }, 'pay-13')).toMatchObject({ status: 400, json: { parameter: 'payment_method_id' } });
  });

  it('cancel and two-stage capture', async () => {
    const a = (await call('POST', '/payments', { ...initial, save_payment_method: false }, 'pay-20')).json as unknown as YooKassaPayment;
    expect(fake.cancel(a.id)).toMatchObject({ status: 'canceled', paid: false });
    expect(fake.notification(a.id).event).toBe('payment.canceled');
    const b = (await call('POST', '/payments', { ...initial, capture: false }, 'pay-21')).json as unknown as YooKassaPayment;
    expect(fake.waitForCapture(b.id)).toMatchObject({ status: 'waiting_for_capture', paid: true });
    expect(fake.notification(b.id).event).toBe('payment.waiting_for_capture');
    expect(await call('POST', `/payments/${b.id}/capture`, {}, 'cap-21')).toMatchObject({ status: 200, json: { status: 'succeeded' } });
  });
});
