/**
 * One open checkout per user, and a paid plan is never replaced by a checkout opened before it:
 * asking again gives the open checkout back, another plan or provider closes it first (Stripe
 * expires the session), a checkout paid after it was closed is recorded and flagged for a
 * refund, and subscribing again to a plan cancelled at its period's end resumes it unpaid.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantPlan } from '../../../core/billing/subscribe.js';
import { waitFor } from '../../e2e/chat/harness.js';
import { db, me, meWhen, openCheckout, paymentRow, payStripe, payYooKassa, startFakePayments, subscribeTo } from '../../helpers/billing.js';
import type { FakeStripe } from '../../helpers/fake-providers/stripe.js';
import type { FakeYooKassa } from '../../helpers/fake-providers/yookassa.js';
import { registerUser, request } from '../../helpers/http.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

let rt: TestRuntime;
let fakes: Awaited<ReturnType<typeof startFakePayments>>;
let stripe: FakeStripe;
let yookassa: FakeYooKassa;

beforeAll(async () => {
  fakes = await startFakePayments();
  ({ stripe, yookassa } = fakes);
  rt = await startTestRuntime('checkouts', { env: fakes.env });
});

afterAll(async () => {
  await rt?.close();
  await fakes?.close();
});

const subOf = (id: string) => db()('subscriptions').where({ id }).first();
/** The apply job of the event has run; its outcome. */
const outcomeOf = (eventId: string) =>
  waitFor(`event ${eventId} applied`, async () => (await db()('payment_events').where({ event_id: eventId }).whereNotNull('applied_at').first('outcome'))?.outcome as string | undefined);
const deletesOf = (stripeSubscriptionId: string) => stripe.requests.filter((r) => r.method === 'DELETE' && r.path === `/v1/subscriptions/${stripeSubscriptionId}`);

describe('an open checkout', () => {
  it('is given back, not doubled, when the same plan and provider are asked for again (a double click, two tabs)', async () => {
    const user = await registerUser(rt.url, 'twice');
    const created = yookassa.paymentsCreated;
    const first = await openCheckout(rt.url, user.token, 'pro', 'yookassa');
    const again = await subscribeTo(rt.url, user.token, 'pro', 'yookassa');
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toEqual(first.res.body);
    expect(yookassa.paymentsCreated - created).toBe(1);

    // Two tabs at once, through Stripe: one session, both answers name it.
    const other = await registerUser(rt.url, 'twice-at-once');
    const sessions = stripe.sessionsCreated;
    const both = await Promise.all([subscribeTo(rt.url, other.token, 'pro', 'stripe'), subscribeTo(rt.url, other.token, 'pro', 'stripe')]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 201]);
    expect(both[1]!.body.payment).toEqual(both[0]!.body.payment);
    expect(stripe.sessionsCreated - sessions).toBe(1);

    await payYooKassa(rt.url, yookassa, first.providerId);
    await meWhen(rt.url, user.token, 'on pro', (m) => m.subscription?.status === 'active');
    expect(await db()('payments').where({ user_id: user.id })).toHaveLength(1);
  });

  it('is closed when another plan or provider is asked for: Stripe expires the session', async () => {
    const user = await registerUser(rt.url, 'switch-checkout');
    const pro = await openCheckout(rt.url, user.token, 'pro', 'stripe');
    const business = await openCheckout(rt.url, user.token, 'business', 'yookassa');
    expect(stripe.session(pro.providerId).status).toBe('expired');
    expect((await subOf(pro.row.subscription_id)).status).toBe('canceled');
    expect((await paymentRow(pro.row.id)).status).toBe('canceled');
    // Same plan, other provider: the YooKassa one is closed on our side (its API cancels only what waits for capture).
    const viaStripe = await openCheckout(rt.url, user.token, 'business', 'stripe');
    expect((await subOf(business.row.subscription_id)).status).toBe('canceled');
    await payStripe(rt.url, stripe, viaStripe.providerId);
    await meWhen(rt.url, user.token, 'on business', (m) => m.subscription?.plan_code === 'business' && m.subscription.provider === 'stripe');
  });
});

describe('a closed checkout paid anyway', () => {
  it('never replaces the plan paid since (Stripe): recorded, flagged for a refund, and cancelled at Stripe', async () => {
    const user = await registerUser(rt.url, 'late-stripe');
    const pro = await openCheckout(rt.url, user.token, 'pro', 'stripe');
    // Stripe does not answer the expiry (the SDK's two retries fail too): the session stays payable.
    stripe.failNext({ kind: 'error', status: 500 }, { kind: 'error', status: 500 }, { kind: 'error', status: 500 });
    const business = await openCheckout(rt.url, user.token, 'business', 'yookassa');
    expect(stripe.session(pro.providerId).status).toBe('open');
    await payYooKassa(rt.url, yookassa, business.providerId);
    await meWhen(rt.url, user.token, 'on business', (m) => m.subscription?.plan_code === 'business');

    const { done, event } = await payStripe(rt.url, stripe, pro.providerId);
    expect(await outcomeOf(event.id)).toMatch(/refund due/);
    expect((await me(rt.url, user.token)).subscription).toMatchObject({ plan_code: 'business', status: 'active', provider: 'yookassa' });
    expect((await paymentRow(pro.row.id)).status).toBe('succeeded');
    expect((await subOf(pro.row.subscription_id)).status).toBe('canceled');
    await waitFor('the subscription Stripe made cancelled there', () => deletesOf(done.subscription!.id).length > 0 || undefined);
    expect(stripe.subscription(done.subscription!.id).status).toBe('canceled');
  });

  it("is expired at Stripe by its owner's erasure; one paid all the same is cancelled there and flagged for a refund", async () => {
    const erase = async (user: { token: string; password: string }) => {
      const res = await request(rt.url, 'POST', '/api/privacy/erasure', { token: user.token, json: { password: user.password } });
      expect(res.status).toBe(202);
      await waitFor('erasure completed', async () => ((await db()('privacy_requests').where({ id: res.body.request.id }).first()).status === 'completed' || undefined), 30_000);
    };
    const leaving = await registerUser(rt.url, 'erased-open-checkout');
    const open = await openCheckout(rt.url, leaving.token, 'pro', 'stripe');
    await erase(leaving);
    expect(stripe.session(open.providerId).status).toBe('expired');

    // Stripe did not answer the expiry, and the person paid in the tab left open.
    const late = await registerUser(rt.url, 'erased-then-paid');
    const pro = await openCheckout(rt.url, late.token, 'pro', 'stripe');
    stripe.failNext({ kind: 'error', status: 500 }, { kind: 'error', status: 500 }, { kind: 'error', status: 500 });
    await erase(late);
    expect(stripe.session(pro.providerId).status).toBe('open');
    const { done, event } = await payStripe(rt.url, stripe, pro.providerId);
    expect(await outcomeOf(event.id)).toMatch(/refund due/);
    await waitFor('the subscription Stripe made cancelled there', () => deletesOf(done.subscription!.id).length > 0 || undefined);
    expect(stripe.subscription(done.subscription!.id).status).toBe('canceled');
    // Kept ended, without the person: the payment is on record, its refund flagged.
    expect(await subOf(pro.row.subscription_id)).toMatchObject({ user_id: null, status: 'canceled', payment_method_id: null });
    expect(await paymentRow(pro.row.id)).toMatchObject({ user_id: null, status: 'succeeded' });
    expect(await db()('audit_logs').where({ action: 'billing.refund_due', target_id: pro.row.id })).toHaveLength(1);
  });

  it('never replaces the plan paid since (YooKassa): recorded and flagged for a refund', async () => {
    const user = await registerUser(rt.url, 'late-yoo');
    const pro = await openCheckout(rt.url, user.token, 'pro', 'yookassa');
    const business = await openCheckout(rt.url, user.token, 'business', 'stripe');
    await payStripe(rt.url, stripe, business.providerId);
    await meWhen(rt.url, user.token, 'on business', (m) => m.subscription?.plan_code === 'business');

    await payYooKassa(rt.url, yookassa, pro.providerId);
    expect(await outcomeOf(`${pro.providerId}:succeeded`)).toMatch(/refund due/);
    expect((await me(rt.url, user.token)).subscription).toMatchObject({ plan_code: 'business', provider: 'stripe' });
    expect((await paymentRow(pro.row.id)).status).toBe('succeeded');
  });

  it('never replaces the plan when two checkouts were left open (by an earlier release): paying one closes the other', async () => {
    const user = await registerUser(rt.url, 'legacy-two');
    const pro = await openCheckout(rt.url, user.token, 'pro', 'yookassa');
    const business = await openCheckout(rt.url, user.token, 'business', 'yookassa');
    // As an earlier release left them: both open.
    await db()('subscriptions').where({ id: pro.row.subscription_id }).update({ status: 'incomplete', canceled_at: null });
    await payYooKassa(rt.url, yookassa, business.providerId);
    await meWhen(rt.url, user.token, 'on business', (m) => m.subscription?.plan_code === 'business');
    expect((await subOf(pro.row.subscription_id)).status).toBe('canceled');

    await payYooKassa(rt.url, yookassa, pro.providerId);
    expect(await outcomeOf(`${pro.providerId}:succeeded`)).toMatch(/refund due/);
    expect((await me(rt.url, user.token)).subscription).toMatchObject({ plan_code: 'business', status: 'active' });
  });

  it('never replaces a plan an operator granted since', async () => {
    const user = await registerUser(rt.url, 'late-granted');
    const pro = await openCheckout(rt.url, user.token, 'pro', 'stripe');
    await grantPlan(db(), user.email, 'business', 10);
    const { event } = await payStripe(rt.url, stripe, pro.providerId);
    expect(await outcomeOf(event.id)).toMatch(/refund due/);
    expect((await me(rt.url, user.token)).subscription).toMatchObject({ plan_code: 'business', provider: 'manual' });
  });
});

describe('subscribing again to the plan cancelled at its period end', () => {
  it('resumes it without a charge, at Stripe too', async () => {
    const user = await registerUser(rt.url, 'resume-stripe');
    const { row, providerId } = await openCheckout(rt.url, user.token, 'pro', 'stripe');
    const { done } = await payStripe(rt.url, stripe, providerId);
    await meWhen(rt.url, user.token, 'active', (m) => m.subscription?.status === 'active');
    expect((await request(rt.url, 'POST', '/api/subscriptions/me/cancel', { token: user.token })).status).toBe(200);
    expect(stripe.subscription(done.subscription!.id).cancel_at_period_end).toBe(true);
    const before = await subOf(row.subscription_id);

    const sessions = stripe.sessionsCreated;
    const res = await subscribeTo(rt.url, user.token, 'pro', 'stripe');
    expect([res.status, res.body.payment], JSON.stringify(res.body)).toEqual([200, null]);
    expect(res.body.subscription).toMatchObject({ id: row.subscription_id, plan_code: 'pro', status: 'active', cancel_at_period_end: false });
    expect(stripe.sessionsCreated).toBe(sessions);
    expect(stripe.subscription(done.subscription!.id).cancel_at_period_end).toBe(false);
    expect(new Date((await subOf(row.subscription_id)).current_period_end).getTime()).toBe(new Date(before.current_period_end).getTime());
    // Resumed, it is on again: a second ask is "already subscribed".
    expect((await subscribeTo(rt.url, user.token, 'pro', 'stripe')).status).toBe(409);
  });

  it('resumes it without a charge, and YooKassa renewals are due again at the period end', async () => {
    const user = await registerUser(rt.url, 'resume-yoo');
    const { row, providerId } = await openCheckout(rt.url, user.token, 'pro', 'yookassa');
    await payYooKassa(rt.url, yookassa, providerId);
    await meWhen(rt.url, user.token, 'active', (m) => m.subscription?.status === 'active');
    expect((await request(rt.url, 'POST', '/api/subscriptions/me/cancel', { token: user.token })).status).toBe(200);
    expect((await subOf(row.subscription_id)).next_charge_at).toBeNull();

    const created = yookassa.paymentsCreated;
    const res = await subscribeTo(rt.url, user.token, 'pro', 'yookassa');
    expect([res.status, res.body.payment], JSON.stringify(res.body)).toEqual([200, null]);
    expect(res.body.subscription).toMatchObject({ plan_code: 'pro', status: 'active', cancel_at_period_end: false });
    expect(yookassa.paymentsCreated).toBe(created);
    const sub = await subOf(row.subscription_id);
    expect(new Date(sub.next_charge_at).getTime()).toBe(new Date(sub.current_period_end).getTime());
    expect(await db()('payments').where({ user_id: user.id })).toHaveLength(1);
  });
});
