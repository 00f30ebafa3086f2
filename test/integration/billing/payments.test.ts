/**
 * Subscribing and paying against local fakes of Stripe and YooKassa that speak their wire
 * protocols (the official stripe SDK, YooKassa's HTTP API). Money moves once in every case:
 * a duplicate webhook, webhooks out of order, a forged notification, bad signatures, and a
 * webhook racing the reconciliation poll; no state goes backwards.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are whatever the server sent */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, openQueue, sleep, waitFor } from '../../e2e/chat/harness.js';
import { auditCount, db, me, meWhen, openCheckout, paymentRow, payStripe, payYooKassa, runJob, startFakePayments, stripeHook, subscribeTo, WEBHOOK_SECRET, yooHook } from '../../helpers/billing.js';
import type { FakeStripe, StripeFault } from '../../helpers/fake-providers/stripe.js';
import type { FakeYooKassa } from '../../helpers/fake-providers/yookassa.js';
import { upload } from '../../helpers/documents.js';
import { registerUser, request } from '../../helpers/http.js';
import { backendOf, untilBlockedBy } from '../../helpers/locks.js';
import { metricValue } from '../../helpers/metrics.js';
import { stripeSubscriptionState } from '../../../core/billing/apply.js';
import { account } from '../../helpers/reviews.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

let rt: TestRuntime;
let fakes: Awaited<ReturnType<typeof startFakePayments>>;
let stripe: FakeStripe;
let yookassa: FakeYooKassa;
const MONTH_MS = (start: string, end: string) => Date.parse(end) - Date.parse(start);

beforeAll(async () => {
  fakes = await startFakePayments();
  ({ stripe, yookassa } = fakes);
  rt = await startTestRuntime('billing', { env: fakes.env });
});

afterAll(async () => {
  await rt?.close();
  await fakes?.close();
});

/** Subscribes through YooKassa; returns our payment row and the fake's payment id. */
const yooSubscribe = (token: string, plan = 'pro') => openCheckout(rt.url, token, plan, 'yookassa');

describe('plans', () => {
  it('lists the seeded plans with prices in kopecks and the contract limits', async () => {
    const res = await request(rt.url, 'GET', '/api/plans');
    expect(res.status).toBe(200);
    expect(res.body.items.map((p: any) => [p.code, p.limits])).toEqual([
      ['free', { messages_per_day: 20, documents_per_month: 5, reviews_per_month: 1, storage_mb: 100 }],
      ['pro', { messages_per_day: 300, documents_per_month: 100, reviews_per_month: 5, storage_mb: 5120 }],
      ['business', { messages_per_day: 3000, documents_per_month: 1000, reviews_per_month: 30, storage_mb: 51200 }],
    ]);
    expect(res.body.items[1]).toMatchObject({ price: { amount: 199000, currency: 'RUB' }, interval: 'month' });
  });
});

describe('YooKassa', () => {
  it('subscribes: a redirect payment with a saved method and a receipt, active after the notification; a duplicate changes nothing', async () => {
    const user = await registerUser(rt.url, 'yoo');
    expect(await me(rt.url, user.token)).toMatchObject({ subscription: null, plan: { code: 'free' } });
    const { res, row, providerId } = await yooSubscribe(user.token);
    expect(res.body).toMatchObject({ subscription: { plan_code: 'pro', status: 'incomplete', provider: 'yookassa' }, payment: { status: 'pending' } });
    expect(res.body.payment.confirmation_url).toMatch(/^https:\/\/yoomoney\.test\//);
    const sent = yookassa.createRequest(providerId) as any;
    expect(sent).toMatchObject({
      amount: { value: '1990.00', currency: 'RUB' }, capture: true, save_payment_method: true,
      confirmation: { type: 'redirect', return_url: 'https://app.example/billing/done' },
      receipt: { customer: { email: user.email }, items: [{ quantity: '1.00', amount: { value: '1990.00', currency: 'RUB' } }] },
    });
    expect(yookassa.requests.find((r) => r.method === 'POST' && r.body && (r.body as any).metadata?.payment_id === row.id)?.idempotenceKey).toBe(`payment-${row.id}`);
    // Nothing of the card or the e-mail is stored with the payment.
    expect(JSON.stringify(row)).not.toContain(user.email);

    yookassa.succeed(providerId);
    const notification = yookassa.notification(providerId);
    expect((await yookassa.sendNotification(yooHook(rt.url), notification)).status).toBe(200);
    const active = await meWhen(rt.url, user.token, 'active', (m) => m.subscription?.status === 'active');
    expect(active).toMatchObject({ subscription: { plan_code: 'pro', provider: 'yookassa', cancel_at_period_end: false }, plan: { code: 'pro' } });
    const sub = await db()('subscriptions').where({ id: res.body.subscription.id }).first();
    expect(sub.payment_method_id).toBe(yookassa.payment(providerId).payment_method.id);
    const periodMs = MONTH_MS(sub.current_period_start, sub.current_period_end);
    expect(periodMs).toBeGreaterThanOrEqual(28 * 86_400_000);

    // The same notification again, and a late one of an earlier state: one payment, one period.
    expect((await yookassa.sendNotification(yooHook(rt.url), notification)).status).toBe(200);
    expect((await yookassa.sendNotification(yooHook(rt.url), { ...notification, event: 'payment.waiting_for_capture', object: { ...notification.object, status: 'waiting_for_capture' } })).status).toBe(200);
    await sleep(500);
    expect((await paymentRow(row.id)).status).toBe('succeeded');
    expect(await auditCount('billing.payment_succeeded', row.id)).toBe(1);
    const after = await db()('subscriptions').where({ id: sub.id }).first();
    expect(new Date(after.current_period_end).getTime()).toBe(new Date(sub.current_period_end).getTime());
    const events = await db()('payment_events').where({ provider: 'yookassa' }).where('event_id', 'like', `${providerId}:%`);
    expect(events).toHaveLength(1);
    // The applied event keeps neither the saved card's id (the subscription holds it) nor the payment page.
    expect(events[0].applied_at).not.toBeNull();
    expect(JSON.stringify(events[0].data)).not.toContain(sub.payment_method_id);
    expect(JSON.stringify(events[0].data)).not.toContain('yoomoney.test');
    const payments = (await request(rt.url, 'GET', '/api/payments', { token: user.token })).body.items;
    expect(payments).toEqual([expect.objectContaining({ id: row.id, status: 'succeeded', kind: 'initial', amount: { amount: 199000, currency: 'RUB' } })]);
  });

  it('acknowledges a forged notification and changes nothing; refuses one from outside the allowed range', async () => {
    const user = await registerUser(rt.url, 'forged');
    const { res, row, providerId } = await yooSubscribe(user.token, 'business');
    const forged = yookassa.forgedNotification(providerId, 'succeeded');
    expect((await yookassa.sendNotification(yooHook(rt.url), forged)).status).toBe(200);
    const outside = await request(rt.url, 'POST', '/api/payments/webhook/yookassa', { raw: JSON.stringify(forged), headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' } });
    expect([outside.status, outside.body.code]).toEqual([403, 'forbidden']);
    // Refused for where it comes from before what it holds is looked at.
    const junk = await request(rt.url, 'POST', '/api/payments/webhook/yookassa', { raw: 'not json', headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' } });
    expect([junk.status, junk.body.code]).toEqual([403, 'forbidden']);
    await sleep(500);
    expect((await paymentRow(row.id)).status).toBe('pending');
    expect(await me(rt.url, user.token)).toMatchObject({ subscription: null, plan: { code: 'free' } });
    expect((await db()('subscriptions').where({ id: res.body.subscription.id }).first()).status).toBe('incomplete');
    expect(await db()('payment_events').where('event_id', 'like', `${providerId}:%`)).toHaveLength(0);
  });

  it("acknowledges a notification of a payment YooKassa does not know, or of another kind, so it is not redelivered", async () => {
    const user = await registerUser(rt.url, 'unknownpay');
    const { row, providerId } = await yooSubscribe(user.token);
    yookassa.succeed(providerId);
    const real = yookassa.notification(providerId);
    const unknown = { ...real, object: { ...real.object, id: '2f0a0c3e-000f-5000-9000-1b68e7b15f3f' } };
    expect((await yookassa.sendNotification(yooHook(rt.url), unknown)).status).toBe(200);
    const card = { ...real, event: 'payment_method.active', object: { ...real.object, id: 'pm-2f0a0c3e' } };
    expect((await yookassa.sendNotification(yooHook(rt.url), card)).status).toBe(200);
    await sleep(500);
    expect((await paymentRow(row.id)).status).toBe('pending');
    expect(await db()('payment_events').where('event_id', 'like', `${providerId}:%`)).toHaveLength(0);
  });

  it('ends with exactly one payment and one period when a notification races the reconciliation poll', async () => {
    const user = await registerUser(rt.url, 'race');
    const { row, providerId } = await yooSubscribe(user.token);
    yookassa.succeed(providerId);
    await db()('payments').where({ id: row.id }).update({ next_poll_at: new Date(Date.now() - 1000) });
    const [hook, poll] = await Promise.all([yookassa.sendNotification(yooHook(rt.url), yookassa.notification(providerId)), runJob(rt.t.prefix, 'billing.reconcile')]);
    expect(hook.status).toBe(200);
    // Whichever comes first applies the payment; the poll finds it still due or already settled.
    expect([0, 1]).toContain(poll.polled);
    await meWhen(rt.url, user.token, 'active', (m) => m.subscription?.status === 'active');
    await sleep(500);
    expect(await auditCount('billing.payment_succeeded', row.id)).toBe(1);
    expect(await auditCount('billing.subscription_activated', row.subscription_id)).toBe(1);
    expect(await db()('payments').where({ user_id: user.id })).toHaveLength(1);
    const sub = await db()('subscriptions').where({ id: row.subscription_id }).first();
    expect(MONTH_MS(sub.current_period_start, sub.current_period_end)).toBeLessThanOrEqual(31 * 86_400_000);
  });

  it('a retried subscribe with the same Idempotency-Key creates one payment at YooKassa', async () => {
    const user = await registerUser(rt.url, 'retry');
    const before = yookassa.paymentsCreated;
    const headers = { 'idempotency-key': 'subscribe-once-1' };
    const body = { plan_code: 'pro', provider: 'yookassa', return_url: 'https://app.example/billing/done' };
    const [a, b] = [await request(rt.url, 'POST', '/api/subscriptions', { token: user.token, json: body, headers }), await request(rt.url, 'POST', '/api/subscriptions', { token: user.token, json: body, headers })];
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body).toEqual(a.body);
    expect(yookassa.paymentsCreated - before).toBe(1);
  });
});

describe('Stripe', () => {
  async function stripeActive(tag: string) {
    const user = await registerUser(rt.url, tag);
    const { res, row } = await openCheckout(rt.url, user.token, 'pro', 'stripe');
    expect(res.body.payment.confirmation_url).toBe(stripe.session(row.provider_payment_id).url);
    const { done, event } = await payStripe(rt.url, stripe, row.provider_payment_id);
    await meWhen(rt.url, user.token, 'active', (m) => m.subscription?.status === 'active');
    return { user, row, done, event };
  }

  it('subscribes through a Checkout Session, keyed by our payment, and activates on the signed event', async () => {
    const { row, done } = await stripeActive('stripe');
    const created = stripe.requests.find((r) => r.method === 'POST' && r.path === '/v1/checkout/sessions' && (r.body as any).client_reference_id === row.id)!;
    expect(created.idempotencyKey).toBe(`payment-${row.id}`);
    expect(created.body).toMatchObject({ mode: 'subscription', line_items: [{ price_data: { currency: 'rub', unit_amount: '199000', recurring: { interval: 'month' } } }] });
    expect((await db()('subscriptions').where({ id: row.subscription_id }).first()).provider_subscription_id).toBe(done.subscription!.id);
  });

  it('refuses a bad, stale or altered signature with 400 and stores nothing', async () => {
    const user = await registerUser(rt.url, 'badsig');
    const res = await subscribeTo(rt.url, user.token, 'pro', 'stripe');
    const row = await paymentRow(res.body.payment.id);
    const event = stripe.event('checkout.session.completed', stripe.completeSession(row.provider_payment_id).session);
    const stale = Math.floor(Date.now() / 1000) - 301;
    for (const opts of [{ secret: 'whsec_wrong' }, { secret: WEBHOOK_SECRET, timestamp: stale }, { secret: WEBHOOK_SECRET, tamper: true }]) {
      const sent = await stripe.sendWebhook(stripeHook(rt.url), event, opts);
      expect(sent.status, JSON.stringify(opts)).toBe(400);
      expect(JSON.parse(sent.body).code).toBe('invalid_signature');
    }
    const unsigned = await request(rt.url, 'POST', '/api/payments/webhook/stripe', { raw: JSON.stringify(event), headers: { 'content-type': 'application/json' } });
    expect(unsigned.status).toBe(400);
    expect(await db()('payment_events').where({ event_id: event.id })).toHaveLength(0);
    expect((await paymentRow(row.id)).status).toBe('pending');
  });

  it('applies renewals once and out of order without shortening the period; a late expiry never undoes a payment', async () => {
    const { user, row, done } = await stripeActive('renewals');
    const subId = done.subscription!.id;
    const second = stripe.invoice(subId, { paid: true });
    const third = stripe.invoice(subId, { paid: true });
    // The third cycle arrives first, then the second, then the third again.
    for (const invoice of [third, second, third]) {
      expect((await stripe.sendWebhook(stripeHook(rt.url), stripe.event('invoice.paid', invoice, { id: `evt_${invoice.id}` }), { secret: WEBHOOK_SECRET })).status).toBe(200);
    }
    const lateExpiry = stripe.event('checkout.session.expired', { ...done.session, status: 'expired', payment_status: 'unpaid' });
    expect((await stripe.sendWebhook(stripeHook(rt.url), lateExpiry, { secret: WEBHOOK_SECRET })).status).toBe(200);
    await waitFor('both renewals applied', async () => ((await db()('payments').where({ subscription_id: row.subscription_id, kind: 'renewal' })).length === 2 ? true : undefined));
    await sleep(500);
    const sub = await db()('subscriptions').where({ id: row.subscription_id }).first();
    expect(new Date(sub.current_period_end).getTime()).toBe(third.period_end * 1000);
    expect(sub.status).toBe('active');
    expect((await paymentRow(row.id)).status).toBe('succeeded');
    expect((await request(rt.url, 'GET', '/api/payments', { token: user.token })).body.items.map((p: any) => p.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  });

  it('ignores a failed attempt of an invoice paid since, and marks an unpaid one past due', async () => {
    const { row, done } = await stripeActive('late-failure');
    const subId = done.subscription!.id;
    const paid = stripe.invoice(subId, { paid: true });
    const send = (type: string, invoice: object, id: string) => stripe.sendWebhook(stripeHook(rt.url), stripe.event(type, invoice, { id }), { secret: WEBHOOK_SECRET });
    expect((await send('invoice.paid', paid, `evt_paid_${paid.id}`)).status).toBe(200);
    await waitFor('the renewal applied', async () => ((await db()('payments').where({ provider_payment_id: paid.id })).length ? true : undefined));
    // Stripe's first attempt failed before its retry succeeded; that event comes last.
    expect((await send('invoice.payment_failed', { ...paid, status: 'open', paid: false }, `evt_failed_${paid.id}`)).status).toBe(200);
    await waitFor('the late failure applied', async () => ((await db()('payment_events').where({ event_id: `evt_failed_${paid.id}` }).whereNotNull('applied_at')).length ? true : undefined));
    expect((await db()('subscriptions').where({ id: row.subscription_id }).first()).status).toBe('active');
    // A failure of an invoice not paid: past due.
    const unpaid = stripe.invoice(subId, { paid: false });
    expect((await send('invoice.payment_failed', unpaid, `evt_failed_${unpaid.id}`)).status).toBe(200);
    await waitFor('past due', async () => ((await db()('subscriptions').where({ id: row.subscription_id }).first()).status === 'past_due' ? true : undefined));
  });

  it('leaves active a subscription whose failed invoice is paid while the failure waits for its row', async () => {
    const { row, done } = await stripeActive('failure-race');
    const subId = done.subscription!.id;
    const invoice = stripe.invoice(subId, { paid: true });
    // The renewal holds the subscription's row, as stripeRenewal does, while the failure comes.
    const renewal = await db().transaction();
    try {
      const sub = await renewal('subscriptions').where({ id: row.subscription_id }).forUpdate().first();
      const failing = stripeSubscriptionState(db(), subId, 'past_due', invoice.id);
      await untilBlockedBy(db(), await backendOf(renewal), 'the failure to wait for the row');
      await renewal('payments').insert({
        user_id: sub.user_id, subscription_id: sub.id, provider: 'stripe', provider_payment_id: invoice.id, kind: 'renewal',
        amount_minor: 1990_00, currency: 'RUB', status: 'succeeded',
      });
      await renewal('subscriptions').where({ id: sub.id }).update({ status: 'active', updated_at: renewal.fn.now() });
      await renewal.commit();
      expect(await failing).toMatchObject({ outcome: 'no change' });
    } finally {
      if (!renewal.isCompleted()) await renewal.rollback();
    }
    expect((await db()('subscriptions').where({ id: row.subscription_id }).first()).status).toBe('active');
  });

  it('cancels at the period end on Stripe too', async () => {
    const { user, done } = await stripeActive('cancel');
    const res = await request(rt.url, 'POST', '/api/subscriptions/me/cancel', { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body.subscription).toMatchObject({ status: 'active', cancel_at_period_end: true });
    expect(stripe.subscription(done.subscription!.id).cancel_at_period_end).toBe(true);
    const ended = stripe.endSubscription(done.subscription!.id);
    expect((await stripe.sendWebhook(stripeHook(rt.url), stripe.event('customer.subscription.deleted', ended), { secret: WEBHOOK_SECRET })).status).toBe(200);
    await meWhen(rt.url, user.token, 'back on free', (m) => m.subscription === null && m.plan.code === 'free');
  });

  /** Requests that cancelled this Stripe subscription at once (the SDK's `subscriptions.cancel` is a DELETE). */
  const cancels = (subscriptionId: string) => stripe.requests.filter((r) => r.method === 'DELETE' && r.path === `/v1/subscriptions/${subscriptionId}`);
  const cancelJob = async (subscriptionId: string) => {
    const { queue, close } = openQueue('billing', rt.t.prefix);
    try {
      const id = `billing-stripe-cancel-${subscriptionId}`;
      return await waitFor('the cancellation job to end', async () => {
        // The state first, then the job: a job read before its state could be a snapshot from
        // before it ended (no return value yet, one attempt short).
        const state = await queue.getJobState(id);
        if (state !== 'completed' && state !== 'failed') return undefined;
        const job = (await queue.getJob(id))!;
        return { state, returnvalue: job.returnvalue, attemptsMade: job.attemptsMade };
      });
    } finally {
      await close();
    }
  };
  /** The user pays a Checkout Session for `plan`; the event is delivered `times` times; `faults` await Stripe's next calls. */
  async function stripeSwitch(user: { token: string }, plan: string, { times = 1, faults = [] }: { times?: number; faults?: StripeFault[] } = {}) {
    const res = await subscribeTo(rt.url, user.token, plan, 'stripe');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const row = await paymentRow(res.body.payment.id);
    const done = stripe.completeSession(row.provider_payment_id);
    stripe.failNext(...faults);
    const event = stripe.event('checkout.session.completed', done.session);
    for (let i = 0; i < times; i++) expect((await stripe.sendWebhook(stripeHook(rt.url), event, { secret: WEBHOOK_SECRET })).status).toBe(200);
    await meWhen(rt.url, user.token, `on ${plan}`, (m) => m.subscription?.plan_code === plan && m.subscription.status === 'active');
    return { row, done };
  }

  it('cancels the replaced subscription at Stripe once when the user switches plans, however often the events come', async () => {
    const { user, row: old, done: first } = await stripeActive('switch');
    const oldId = first.subscription!.id;
    const { done } = await stripeSwitch(user, 'business', { times: 2 });
    await waitFor('the old subscription cancelled at Stripe', () => cancels(oldId).length > 0 || undefined);
    // The same session reported again under another event, and the reconciliation's sweep: nothing more.
    const again = stripe.event('checkout.session.async_payment_succeeded', done.session);
    expect((await stripe.sendWebhook(stripeHook(rt.url), again, { secret: WEBHOOK_SECRET })).status).toBe(200);
    expect((await runJob(rt.t.prefix, 'billing.reconcile')).stripeEnded).toBeGreaterThanOrEqual(1);
    await sleep(500);
    expect(cancels(oldId)).toHaveLength(1);
    expect(stripe.subscription(oldId).status).toBe('canceled');
    expect(stripe.subscription(done.subscription!.id).status).toBe('active');
    expect(cancels(done.subscription!.id)).toHaveLength(0);
    expect((await db()('subscriptions').where({ id: old.subscription_id }).first()).status).toBe('canceled');
    expect(await cancelJob(old.subscription_id)).toMatchObject({ state: 'completed', returnvalue: { outcome: 'canceled' } });
  });

  it('retries a cancellation Stripe refused, and counts one Stripe already ended as done', async () => {
    // Three 500s: the SDK's own two retries fail too, so the job itself has to try again.
    const refused = await stripeActive('switch-retry');
    await stripeSwitch(refused.user, 'business', { faults: [{ kind: 'error', status: 500 }, { kind: 'error', status: 500 }, { kind: 'error', status: 500 }] });
    expect(await cancelJob(refused.row.subscription_id)).toMatchObject({ state: 'completed', returnvalue: { outcome: 'canceled' }, attemptsMade: 2 });
    expect(stripe.subscription(refused.done.subscription!.id).status).toBe('canceled');

    // Stripe ended it already (its event not yet here): cancelling again is 404 resource_missing, which means done.
    const ended = await stripeActive('switch-ended');
    stripe.endSubscription(ended.done.subscription!.id);
    await stripeSwitch(ended.user, 'business');
    expect(await cancelJob(ended.row.subscription_id)).toMatchObject({ state: 'completed', returnvalue: { outcome: 'already canceled' }, attemptsMade: 1 });
    expect(cancels(ended.done.subscription!.id)).toHaveLength(1);
  });

  it("starts a new month of allowances with each Stripe renewal, from Stripe's own cycle", async () => {
    const { user, done } = await stripeActive('allowances');
    expect((await upload(rt.url, '/api/documents', user.token, { name: 'a.txt', data: Buffer.from('Текст договора.') })).status).toBe(202);
    expect((await me(rt.url, user.token)).usage.documents_this_period).toBe(1);
    const invoice = stripe.invoice(done.subscription!.id, { paid: true });
    expect((await stripe.sendWebhook(stripeHook(rt.url), stripe.event('invoice.paid', invoice), { secret: WEBHOOK_SECRET })).status).toBe(200);
    const renewed = await meWhen(rt.url, user.token, 'the renewal applied', (m) => m.subscription?.current_period_end === new Date(invoice.lines.data[0]!.period.end * 1000).toISOString());
    expect(renewed.usage.documents_this_period).toBe(0);
    expect(new Date((await db()('subscriptions').where({ provider_subscription_id: done.subscription!.id }).first()).current_period_start).getTime())
      .toBe(invoice.lines.data[0]!.period.start * 1000);
  });

  it('cancels at Stripe a subscription an operator replaced with plan:grant', async () => {
    const { user, row, done } = await stripeActive('granted-over');
    const cli = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/cli.ts', 'plan:grant', user.email, 'business', '10'], { env: rt.t.env });
    expect(cli.stdout).toMatch(/is on business until/);
    expect((await me(rt.url, user.token)).subscription).toMatchObject({ plan_code: 'business', provider: 'manual' });
    // The CLI has no worker: the reconciliation finds the Stripe subscription it replaced.
    await runJob(rt.t.prefix, 'billing.reconcile');
    await waitFor('the old subscription cancelled at Stripe', () => cancels(done.subscription!.id).length > 0 || undefined);
    await runJob(rt.t.prefix, 'billing.reconcile');
    await sleep(500);
    expect(cancels(done.subscription!.id)).toHaveLength(1);
    expect(await cancelJob(row.subscription_id)).toMatchObject({ state: 'completed', returnvalue: { outcome: 'canceled' } });
  });

  it('cancels at Stripe a subscription we hold canceled when Stripe charges it anyway', async () => {
    const { row, done } = await stripeActive('charged-canceled');
    // A cancellation missed long ago (out of the reconciliation's reach): ours is canceled, Stripe's is not.
    await db()('subscriptions').where({ id: row.subscription_id }).update({ status: 'canceled', canceled_at: new Date(Date.now() - 3 * 86_400_000) });
    const invoice = stripe.invoice(done.subscription!.id, { paid: true });
    expect((await stripe.sendWebhook(stripeHook(rt.url), stripe.event('invoice.paid', invoice), { secret: WEBHOOK_SECRET })).status).toBe(200);
    await waitFor('the subscription cancelled at Stripe', () => cancels(done.subscription!.id).length > 0 || undefined);
    expect(await cancelJob(row.subscription_id)).toMatchObject({ state: 'completed', returnvalue: { outcome: 'canceled' } });
    // The charge is recorded as it happened; the subscription stays canceled.
    expect(await db()('payments').where({ provider_payment_id: invoice.id })).toEqual([expect.objectContaining({ status: 'succeeded', kind: 'renewal' })]);
    expect((await db()('subscriptions').where({ id: row.subscription_id }).first()).status).toBe('canceled');
    // Another charge after that cancellation finished: it runs again (and Stripe's 404 counts as done).
    const later = stripe.invoice(done.subscription!.id, { paid: true });
    expect((await stripe.sendWebhook(stripeHook(rt.url), stripe.event('invoice.paid', later), { secret: WEBHOOK_SECRET })).status).toBe(200);
    await waitFor('the cancellation run again', () => cancels(done.subscription!.id).length > 1 || undefined);
    expect(await cancelJob(row.subscription_id)).toMatchObject({ state: 'completed', returnvalue: { outcome: 'already canceled' } });
  });

  it('ends an erased person\'s subscription at Stripe and deletes the customer there before their rows go, trying again while Stripe refuses', async () => {
    const { user, done } = await stripeActive('erased-payer');
    // Three 500s: the SDK's own retries fail too, so the erasure job has to try again.
    stripe.failNext({ kind: 'error', status: 500 }, { kind: 'error', status: 500 }, { kind: 'error', status: 500 });
    const erasure = await request(rt.url, 'POST', '/api/privacy/erasure', { token: user.token, json: { password: user.password } });
    expect(erasure.status).toBe(202);
    const act = await waitFor('the erasure to complete', async () => {
      const row = await db()('destruction_acts').where({ request_id: erasure.body.request.id }).first();
      return row?.act;
    }, 30_000);
    expect(act.destroyed.stripe).toEqual({ canceled: 1, already_canceled: 0, customers_deleted: 1, customers_already_deleted: 0 });
    expect(stripe.subscription(done.subscription!.id).status).toBe('canceled');
    // The e-mail and card the person gave Stripe's Checkout go with the customer.
    expect(stripe.customer(done.subscription!.customer)).toMatchObject({ deleted: true, email: null });
    expect(await db()('subscriptions').where({ user_id: user.id })).toHaveLength(0);
  }, 40_000);
});

describe('YooKassa renewals', () => {
  async function yooActive(tag: string) {
    const user = await registerUser(rt.url, tag);
    const { row, providerId } = await yooSubscribe(user.token);
    await payYooKassa(rt.url, yookassa, providerId);
    await meWhen(rt.url, user.token, 'active', (m) => m.subscription?.status === 'active');
    return { user, subscriptionId: row.subscription_id as string };
  }
  const subOf = (id: string) => db()('subscriptions').where({ id }).first();
  /** The period has run out: the renewal (or the next dunning retry) is due now. */
  const due = (id: string) => db()('subscriptions').where({ id }).update({ next_charge_at: new Date(Date.now() - 1000) });

  it('charges the saved method once at the period end and extends the period by one month', async () => {
    const { user, subscriptionId } = await yooActive('renew');
    const before = await subOf(subscriptionId);
    await due(subscriptionId);
    const created = yookassa.paymentsCreated;
    await Promise.all([runJob(rt.t.prefix, 'billing.renew'), runJob(rt.t.prefix, 'billing.renew')]);
    expect(yookassa.paymentsCreated - created).toBe(1);
    const charge = yookassa.requests.filter((r) => r.method === 'POST' && (r.body as any)?.payment_method_id).at(-1)!;
    expect((charge.body as any).payment_method_id).toBe(before.payment_method_id);
    // With its receipt, as the first payment had: the shop issues them for every payment.
    expect((charge.body as any).receipt).toMatchObject({ customer: { email: user.email }, items: [{ amount: (charge.body as any).amount }] });
    const after = await subOf(subscriptionId);
    expect(new Date(after.current_period_start).getTime()).toBe(new Date(before.current_period_end).getTime());
    expect(after).toMatchObject({ status: 'active', renewal_failures: 0 });
    expect(Date.parse(after.current_period_end)).toBeGreaterThan(Date.parse(before.current_period_end) + 27 * 86_400_000);
    const payments = (await request(rt.url, 'GET', '/api/payments', { token: user.token })).body.items;
    expect(payments.map((p: any) => [p.kind, p.status])).toEqual([['renewal', 'succeeded'], ['initial', 'succeeded']]);
  });

  it('counts periods in whole months from the first one: bought on 31 December, it renews on 28 February and then on 31 March', async () => {
    const { subscriptionId } = await yooActive('month-ends');
    const at = (iso: string) => new Date(iso);
    await db()('subscriptions').where({ id: subscriptionId }).update({
      period_anchor: at('2026-12-31T09:00:00Z'), current_period_start: at('2026-12-31T09:00:00Z'), current_period_end: at('2027-01-31T09:00:00Z'),
    });
    const renew = async () => {
      await due(subscriptionId);
      await runJob(rt.t.prefix, 'billing.renew');
      const sub = await subOf(subscriptionId);
      return [sub.status, new Date(sub.current_period_start).toISOString(), new Date(sub.current_period_end).toISOString(), new Date(sub.next_charge_at).toISOString()];
    };
    expect(await renew()).toEqual(['active', '2027-01-31T09:00:00.000Z', '2027-02-28T09:00:00.000Z', '2027-02-28T09:00:00.000Z']);
    expect(await renew()).toEqual(['active', '2027-02-28T09:00:00.000Z', '2027-03-31T09:00:00.000Z', '2027-03-31T09:00:00.000Z']);
  });

  it('renews at the price the subscriber bought at after an admin raises the plan; new checkouts pay the new one', async () => {
    const { user, subscriptionId } = await yooActive('price-kept');
    const admin = await account(rt.url, 'admin');
    const setPrice = (amount: number) => request(rt.url, 'PUT', '/api/admin/plans/pro', { token: admin.token, json: { price: { amount } } });
    const old = (await me(rt.url, user.token)).subscription.price;
    expect(old).toEqual({ amount: 199000, currency: 'RUB' });
    expect((await setPrice(249000)).status).toBe(200);
    try {
      await due(subscriptionId);
      await runJob(rt.t.prefix, 'billing.renew');
      const charge = yookassa.requests.filter((r) => r.method === 'POST' && (r.body as any)?.payment_method_id).at(-1)!;
      expect((charge.body as any).amount).toEqual({ value: '1990.00', currency: 'RUB' });
      const payments = (await request(rt.url, 'GET', '/api/payments', { token: user.token })).body.items;
      expect(payments.map((p: any) => [p.kind, p.status, p.amount.amount])).toEqual([['renewal', 'succeeded', 199000], ['initial', 'succeeded', 199000]]);
      expect((await me(rt.url, user.token)).subscription.price).toEqual(old);

      const newcomer = await registerUser(rt.url, 'price-new');
      const { res } = await yooSubscribe(newcomer.token);
      expect(res.body.subscription.price).toEqual({ amount: 249000, currency: 'RUB' });
      const created = yookassa.requests.filter((r) => r.method === 'POST' && (r.body as any)?.confirmation).at(-1)!;
      expect((created.body as any).amount).toEqual({ value: '2490.00', currency: 'RUB' });
    } finally {
      expect((await setPrice(199000)).status).toBe(200);
    }
  });

  it('repeats an unanswered renewal charge with the same key within the day: one charge, the period extended once', async () => {
    const { subscriptionId } = await yooActive('lost-answer');
    const before = await subOf(subscriptionId);
    await due(subscriptionId);
    yookassa.failNext({ kind: 'drop' });
    await runJob(rt.t.prefix, 'billing.renew');
    const renewal = await db()('payments').where({ subscription_id: subscriptionId, kind: 'renewal' }).first();
    expect(renewal.provider_payment_id).toBeNull();
    await runJob(rt.t.prefix, 'billing.renew');
    const [charged, ...more] = yookassa.paymentsOf(renewal.id);
    expect(more).toHaveLength(0);
    expect(yookassa.requests.filter((r) => r.idempotenceKey === `payment-${renewal.id}`).map((r) => r.replayed)).toEqual([false, true]);
    expect(await paymentRow(renewal.id)).toMatchObject({ provider_payment_id: charged!.id, status: 'succeeded' });
    expect(new Date((await subOf(subscriptionId)).current_period_start).getTime()).toBe(new Date(before.current_period_end).getTime());
  });

  it('asks YooKassa how a renewal pending at the bank stands at each run, never charging it again: its lost notification changes nothing', async () => {
    const { subscriptionId } = await yooActive('pending-bank');
    const before = await subOf(subscriptionId);
    await due(subscriptionId);
    yookassa.scriptCharge('pending');
    await runJob(rt.t.prefix, 'billing.renew');
    const renewal = await db()('payments').where({ subscription_id: subscriptionId, kind: 'renewal' }).first();
    expect([renewal.status, renewal.provider_payment_id]).toEqual(['pending', expect.any(String)]);
    const created = yookassa.paymentsCreated;
    await runJob(rt.t.prefix, 'billing.renew'); // still pending at the bank
    yookassa.succeed(renewal.provider_payment_id); // the bank answers; its notification is lost
    await runJob(rt.t.prefix, 'billing.renew');
    expect(yookassa.paymentsCreated).toBe(created);
    expect((await paymentRow(renewal.id)).status).toBe('succeeded');
    expect(new Date((await subOf(subscriptionId)).current_period_start).getTime()).toBe(new Date(before.current_period_end).getTime());
  });

  it('never repeats a renewal charge unanswered for a day (its key expired): counted as failed, flagged for a refund when it went through, and its refund ends nothing', async () => {
    const { subscriptionId } = await yooActive('unanswered-renewal');
    await due(subscriptionId);
    yookassa.failNext({ kind: 'drop' }); // YooKassa charges the card, and the answer is lost
    await runJob(rt.t.prefix, 'billing.renew');
    const renewal = await db()('payments').where({ subscription_id: subscriptionId, kind: 'renewal' }).first();
    expect([renewal.status, renewal.provider_payment_id]).toEqual(['pending', null]);
    const [charged] = yookassa.paymentsOf(renewal.id);
    expect(charged?.status).toBe('succeeded');

    // A day on, YooKassa has forgotten the key: the same call would be a second charge.
    await db()('payments').where({ id: renewal.id }).update({ created_at: new Date(Date.now() - 25 * 3_600_000) });
    await db()('payments').where({ subscription_id: subscriptionId, kind: 'initial' }).update({ created_at: new Date(Date.now() - 32 * 86_400_000) }); // a month before it
    yookassa.forgetIdempotenceKeys();
    const created = yookassa.paymentsCreated;
    await runJob(rt.t.prefix, 'billing.renew');
    expect(yookassa.paymentsCreated).toBe(created);
    expect(yookassa.paymentsOf(renewal.id)).toHaveLength(1);
    expect((await paymentRow(renewal.id)).status).toBe('canceled');
    expect((await subOf(subscriptionId)).status).toBe('past_due');

    // The lost charge is announced: it names our row, which is flagged for a refund, once.
    await yookassa.sendNotification(yooHook(rt.url), yookassa.notification(charged!.id));
    await waitFor('the refund due', async () => ((await auditCount('billing.refund_due', renewal.id)) === 1 || undefined));
    expect(await paymentRow(renewal.id)).toMatchObject({ provider_payment_id: charged!.id, status: 'succeeded' });
    await yookassa.sendNotification(yooHook(rt.url), yookassa.notification(charged!.id));
    await sleep(500);
    expect(await auditCount('billing.refund_due', renewal.id)).toBe(1);

    // Its refund gives back money that paid for nothing: the subscription goes on with its dunning.
    await yookassa.sendNotification(yooHook(rt.url), yookassa.refundNotification(yookassa.refund(charged!.id).id));
    await waitFor('the refund applied', async () => ((await paymentRow(renewal.id)).status === 'refunded' || undefined));
    expect(await subOf(subscriptionId)).toMatchObject({ status: 'past_due', next_charge_at: expect.any(Date) });
  });

  it('counts as failed a renewal charge left marked as never made but not settled (a stop between the two)', async () => {
    const { subscriptionId } = await yooActive('stuck-renewal');
    await due(subscriptionId);
    yookassa.failNext({ kind: 'drop' });
    await runJob(rt.t.prefix, 'billing.renew');
    const renewal = await db()('payments').where({ subscription_id: subscriptionId, kind: 'renewal' }).first();
    // As a stop right after the mark left it: pending, under an id YooKassa never gave.
    await db()('payments').where({ id: renewal.id }).update({ provider_payment_id: `none-${renewal.id}` });
    await runJob(rt.t.prefix, 'billing.renew');
    expect((await paymentRow(renewal.id)).status).toBe('canceled');
    expect((await subOf(subscriptionId)).status).toBe('past_due');
  });

  it('records a renewal charged after its subscription ended, grants nothing, and flags it for a refund', async () => {
    const { subscriptionId } = await yooActive('late-renewal');
    await due(subscriptionId);
    yookassa.scriptCharge('pending'); // the bank has not answered yet
    await runJob(rt.t.prefix, 'billing.renew');
    const renewal = await db()('payments').where({ subscription_id: subscriptionId, kind: 'renewal' }).first();
    expect(renewal.status).toBe('pending');
    // Meanwhile the subscription ends, as an operator's plan:grant or the account's erasure ends it.
    await db()('subscriptions').where({ id: subscriptionId }).update({ status: 'canceled', canceled_at: new Date(), next_charge_at: null });
    const dueCount = async () => metricValue(await (await fetch(`${rt.url}/metrics`)).text(), 'payment_refunds_due_total', { provider: 'yookassa' });
    const before = await dueCount();
    const ended = await subOf(subscriptionId);

    await payYooKassa(rt.url, yookassa, renewal.provider_payment_id);
    await waitFor('the charge recorded', async () => ((await paymentRow(renewal.id)).status === 'succeeded' ? true : undefined));
    const after = await subOf(subscriptionId);
    expect([after.status, after.current_period_end]).toEqual(['canceled', ended.current_period_end]);
    expect(await auditCount('billing.refund_due', renewal.id)).toBe(1);
    await waitFor('the refund due counted', async () => ((await dueCount()) === before + 1 ? true : undefined));
    // Announced again: nothing more.
    await yookassa.sendNotification(yooHook(rt.url), yookassa.notification(renewal.provider_payment_id));
    await sleep(500);
    expect(await auditCount('billing.refund_due', renewal.id)).toBe(1);
  });

  it('takes a renewal YooKassa refuses outright (a saved method gone) as a failed charge: past due and retried, not paid for', async () => {
    const { user, subscriptionId } = await yooActive('refused-renewal');
    await due(subscriptionId);
    yookassa.failNext({ kind: 'error', status: 400, code: 'invalid_request', description: 'payment_method_id is not valid' });
    await runJob(rt.t.prefix, 'billing.renew');
    const sub = await subOf(subscriptionId);
    expect(sub).toMatchObject({ status: 'past_due', renewal_failures: 1 });
    expect(Math.round((Date.parse(sub.next_charge_at) - Date.now()) / 86_400_000)).toBe(1);
    const payments = (await request(rt.url, 'GET', '/api/payments', { token: user.token })).body.items;
    expect(payments.map((p: any) => [p.kind, p.status])).toEqual([['renewal', 'canceled'], ['initial', 'succeeded']]);
  });

  it('retries a failed renewal at 1, 3 and 7 days while past due, then cancels, telling the user each time', async () => {
    const { user, subscriptionId } = await yooActive('dunning');
    const socket = await connect(rt.url, user.token);
    try {
      const seen: Array<[string, number, number]> = [];
      for (let attempt = 1; attempt <= 4; attempt++) {
        await due(subscriptionId);
        yookassa.scriptCharge({ status: 'canceled', reason: 'insufficient_funds' });
        await runJob(rt.t.prefix, 'billing.renew');
        const sub = await subOf(subscriptionId);
        const days = sub.next_charge_at ? Math.round((Date.parse(sub.next_charge_at) - Date.now()) / 86_400_000) : -1;
        seen.push([sub.status, sub.renewal_failures, days]);
        await waitFor(`event ${attempt}`, () => socket.of('subscription.updated').length >= attempt || undefined);
      }
      expect(seen).toEqual([['past_due', 1, 1], ['past_due', 2, 3], ['past_due', 3, 7], ['canceled', 4, -1]]);
      expect(socket.of('subscription.updated').at(-1)).toMatchObject({ subscription: null, plan: { code: 'free' } });
      // Past due keeps the plan's limits while it retries; canceled is back on free.
      expect(await me(rt.url, user.token)).toMatchObject({ subscription: null, plan: { code: 'free' } });
      await due(subscriptionId);
      const created = yookassa.paymentsCreated;
      await runJob(rt.t.prefix, 'billing.renew');
      expect(yookassa.paymentsCreated).toBe(created);
    } finally {
      socket.close();
    }
  });

  it('expires a subscription cancelled by its user once its period is over', async () => {
    const { user, subscriptionId } = await yooActive('expire');
    expect((await request(rt.url, 'POST', '/api/subscriptions/me/cancel', { token: user.token })).body.subscription.cancel_at_period_end).toBe(true);
    await due(subscriptionId);
    const created = yookassa.paymentsCreated;
    await runJob(rt.t.prefix, 'billing.renew');
    expect(yookassa.paymentsCreated).toBe(created);
    await db()('subscriptions').where({ id: subscriptionId }).update({ current_period_end: new Date(Date.now() - 1000) });
    await runJob(rt.t.prefix, 'billing.expire-subscriptions');
    expect(await me(rt.url, user.token)).toMatchObject({ subscription: null, plan: { code: 'free' } });
    expect((await subOf(subscriptionId)).status).toBe('canceled');
  });
});

describe('daily report', () => {
  it("stores the day's revenue and usage once per day and sends it to admins", async () => {
    const admin = await account(rt.url, 'admin');
    const socket = await connect(rt.url, admin.token);
    try {
      const day = new Date().toISOString().slice(0, 10);
      await runJob(rt.t.prefix, 'billing.daily-report', { day });
      await runJob(rt.t.prefix, 'billing.daily-report', { day });
      const rows = await db()('daily_reports').where({ day });
      expect(rows).toHaveLength(1);
      // The day's revenue: what succeeded among the payments made that day (UTC).
      const succeeded = await db()('payments').where({ status: 'succeeded' }).whereRaw(`(created_at AT TIME ZONE 'UTC')::date = ?::date`, [day]).sum({ n: 'amount_minor' });
      expect(rows[0].summary.revenue).toEqual([{ currency: 'RUB', amount_minor: Number(succeeded[0]?.n) }]);
      expect(rows[0].summary.subscriptions).toEqual(expect.arrayContaining([expect.objectContaining({ plan: 'pro', status: 'active' })]));
      const sent = await socket.first('report.daily');
      expect(sent).toMatchObject({ day, revenue: rows[0].summary.revenue });
    } finally {
      socket.close();
    }
  });
});

describe('metrics', () => {
  it('counts webhooks by outcome and payments by status, without ids', async () => {
    const text = await (await fetch(`${rt.url}/metrics`)).text();
    expect(metricValue(text, 'payment_webhooks_total', { provider: 'stripe', outcome: 'rejected' })).toBeGreaterThanOrEqual(3);
    expect(metricValue(text, 'payment_webhooks_total', { provider: 'yookassa', outcome: 'accepted' })).toBeGreaterThanOrEqual(3);
    expect(metricValue(text, 'payment_webhooks_total', { provider: 'yookassa', outcome: 'ignored' })).toBeGreaterThanOrEqual(2);
    expect(metricValue(text, 'payments_total', { provider: 'yookassa', status: 'succeeded' })).toBeGreaterThanOrEqual(3);
    expect(metricValue(text, 'payments_total', { provider: 'yookassa', status: 'canceled' })).toBeGreaterThanOrEqual(4);
    expect(text.split('\n').filter((l) => /^payment|^payments_/.test(l)).join('\n')).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
  });
});
