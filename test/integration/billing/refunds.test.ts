/**
 * Refunds made at the provider: YooKassa's `refund.succeeded` (verified by fetching the refund)
 * and Stripe's `charge.refunded`. A full refund of the payment that paid the current period
 * marks it refunded and ends the subscription now (renewals stop; Stripe's is cancelled there);
 * a partial one, or one of an earlier period, is recorded and the plan goes on. Duplicates and
 * a refund arriving before the payment's own success change nothing more. A chargeback lost is
 * a refund; a dispute opened is told to the operators, with its deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, waitFor } from '../../e2e/chat/harness.js';
import { auditCount, db, me, meWhen, openCheckout, paymentRow, payStripe, payYooKassa, runJob, startFakePayments, stripeHook, WEBHOOK_SECRET, yooHook } from '../../helpers/billing.js';
import type { FakeStripe } from '../../helpers/fake-providers/stripe.js';
import type { FakeYooKassa } from '../../helpers/fake-providers/yookassa.js';
import { registerUser } from '../../helpers/http.js';
import { metricValue } from '../../helpers/metrics.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

let rt: TestRuntime;
let fakes: Awaited<ReturnType<typeof startFakePayments>>;
let stripe: FakeStripe;
let yookassa: FakeYooKassa;

beforeAll(async () => {
  fakes = await startFakePayments();
  ({ stripe, yookassa } = fakes);
  rt = await startTestRuntime('refunds', { env: fakes.env });
});

afterAll(async () => {
  await rt?.close();
  await fakes?.close();
});

const subOf = (id: string) => db()('subscriptions').where({ id }).first();
/** The stored event's apply job has run; its outcome. */
const outcomeOf = (provider: string, eventId: string) =>
  waitFor(`event ${eventId} applied`, async () => (await db()('payment_events').where({ provider, event_id: eventId }).whereNotNull('applied_at').first('outcome'))?.outcome as string | undefined);
const sendStripe = async (type: string, object: object, id?: string) => {
  const event = stripe.event(type, object, id ? { id } : {});
  expect((await stripe.sendWebhook(stripeHook(rt.url), event, { secret: WEBHOOK_SECRET })).status).toBe(200);
  return event.id;
};
const sendYoo = async (notification: object) => expect((await yookassa.sendNotification(yooHook(rt.url), notification)).status).toBe(200);

describe('YooKassa refunds', () => {
  async function yooPro(tag: string) {
    const user = await registerUser(rt.url, tag);
    const { row, providerId } = await openCheckout(rt.url, user.token, 'pro', 'yookassa');
    return { user, row, providerId };
  }

  it('a full refund ends the plan and its renewals, once however often it is announced', async () => {
    const { user, row, providerId } = await yooPro('yoo-refund');
    await payYooKassa(rt.url, yookassa, providerId);
    await meWhen(rt.url, user.token, 'on pro', (m) => m.subscription?.status === 'active');
    const refund = yookassa.refund(providerId);
    await sendYoo(yookassa.refundNotification(refund.id));
    await sendYoo(yookassa.refundNotification(refund.id));
    expect(await outcomeOf('yookassa', `refund:${refund.id}`)).toMatch(/refunded/);
    await meWhen(rt.url, user.token, 'back on free', (m) => m.subscription === null && m.plan.code === 'free');
    expect((await paymentRow(row.id)).status).toBe('refunded');
    expect(await auditCount('billing.payment_refunded', row.id)).toBe(1);
    // No renewal charges the refunded customer.
    await db()('subscriptions').where({ id: row.subscription_id }).update({ next_charge_at: new Date(Date.now() - 1000) });
    const created = yookassa.paymentsCreated;
    await runJob(rt.t.prefix, 'billing.renew');
    expect(yookassa.paymentsCreated).toBe(created);
  });

  it('a partial refund is recorded and the plan goes on; refunding the rest ends it', async () => {
    const { user, row, providerId } = await yooPro('yoo-partial');
    await payYooKassa(rt.url, yookassa, providerId);
    await meWhen(rt.url, user.token, 'on pro', (m) => m.subscription?.status === 'active');
    const part = yookassa.refund(providerId, '500.00');
    await sendYoo(yookassa.refundNotification(part.id));
    expect(await outcomeOf('yookassa', `refund:${part.id}`)).toMatch(/partial/);
    expect((await paymentRow(row.id)).status).toBe('succeeded');
    expect(await auditCount('billing.payment_partly_refunded', row.id)).toBe(1);
    expect((await me(rt.url, user.token)).subscription).toMatchObject({ plan_code: 'pro', status: 'active' });

    const rest = yookassa.refund(providerId);
    await sendYoo(yookassa.refundNotification(rest.id));
    await meWhen(rt.url, user.token, 'back on free', (m) => m.subscription === null);
    expect((await paymentRow(row.id)).status).toBe('refunded');
  });

  it('a refund applied before the payment\'s success starts nothing, and the late success changes nothing', async () => {
    const { user, row, providerId } = await yooPro('yoo-early-refund');
    yookassa.succeed(providerId);
    const refund = yookassa.refund(providerId);
    await sendYoo(yookassa.refundNotification(refund.id));
    await outcomeOf('yookassa', `refund:${refund.id}`);
    await sendYoo(yookassa.notification(providerId));
    await outcomeOf('yookassa', `${providerId}:succeeded`);
    expect((await paymentRow(row.id)).status).toBe('refunded');
    expect((await subOf(row.subscription_id)).status).toBe('canceled');
    expect(await me(rt.url, user.token)).toMatchObject({ subscription: null, plan: { code: 'free' } });
  });

  it('acknowledges, and stores nothing for, a refund notification YooKassa does not confirm', async () => {
    const { row, providerId } = await yooPro('yoo-forged-refund');
    await payYooKassa(rt.url, yookassa, providerId);
    const other = await yooPro('yoo-forged-other');
    await payYooKassa(rt.url, yookassa, other.providerId);
    const unknown = '2fa1b2c3-0015-5000-8000-000000000000';
    await sendYoo({ type: 'notification', event: 'refund.succeeded', object: { id: unknown, payment_id: providerId, status: 'succeeded', amount: { value: '1990.00', currency: 'RUB' } } });
    // A real refund, claimed for another payment.
    const elsewhere = yookassa.refundNotification(yookassa.refund(other.providerId).id);
    await sendYoo({ ...elsewhere, object: { ...elsewhere.object, payment_id: providerId } });
    expect(await db()('payment_events').whereIn('event_id', [`refund:${unknown}`, `refund:${elsewhere.object.id}`])).toHaveLength(0);
    expect((await paymentRow(row.id)).status).toBe('succeeded');
  });
});

describe('Stripe refunds', () => {
  async function stripePro(tag: string) {
    const user = await registerUser(rt.url, tag);
    const { row, providerId } = await openCheckout(rt.url, user.token, 'pro', 'stripe');
    const { done } = await payStripe(rt.url, stripe, providerId);
    await meWhen(rt.url, user.token, 'on pro', (m) => m.subscription?.status === 'active');
    return { user, row, stripeSub: done.subscription!.id, firstInvoice: done.invoice!.id };
  }
  const deletesOf = (id: string) => stripe.requests.filter((r) => r.method === 'DELETE' && r.path === `/v1/subscriptions/${id}`);

  it('a full refund of the first charge ends the plan now and cancels it at Stripe, once', async () => {
    const { user, row, stripeSub, firstInvoice } = await stripePro('stripe-refund');
    const charge = stripe.refundInvoice(firstInvoice);
    const eventId = await sendStripe('charge.refunded', charge);
    await sendStripe('charge.refunded', charge, eventId);
    expect(await outcomeOf('stripe', eventId)).toMatch(/refunded/);
    await meWhen(rt.url, user.token, 'back on free', (m) => m.subscription === null);
    expect((await paymentRow(row.id)).status).toBe('refunded');
    await waitFor('cancelled at Stripe', () => deletesOf(stripeSub).length > 0 || undefined);
    expect(stripe.subscription(stripeSub).status).toBe('canceled');
    expect(await auditCount('billing.payment_refunded', row.id)).toBe(1);
  });

  it('a refund of an earlier period, or a partial one, is recorded and the plan goes on', async () => {
    const { user, row, firstInvoice, stripeSub } = await stripePro('stripe-earlier');
    const renewal = stripe.invoice(stripeSub, { paid: true });
    await outcomeOf('stripe', await sendStripe('invoice.paid', renewal));
    const partial = await sendStripe('charge.refunded', stripe.refundInvoice(renewal.id, 10_000));
    expect(await outcomeOf('stripe', partial)).toMatch(/partial/);
    const earlier = await sendStripe('charge.refunded', stripe.refundInvoice(firstInvoice));
    expect(await outcomeOf('stripe', earlier)).toMatch(/refunded/);
    expect((await paymentRow(row.id)).status).toBe('refunded');
    expect((await db()('payments').where({ provider_payment_id: renewal.id }).first()).status).toBe('succeeded');
    expect((await me(rt.url, user.token)).subscription).toMatchObject({ plan_code: 'pro', status: 'active' });
    expect(deletesOf(stripeSub)).toHaveLength(0);
  });

  it('a dispute opened is told to the operators once, with its deadline, and the plan goes on; won it changes nothing, lost it ends the plan as a refund does', async () => {
    const { user, row, stripeSub, firstInvoice } = await stripePro('stripe-dispute');
    const disputes = async () => metricValue(await (await fetch(`${rt.url}/metrics`)).text(), 'payment_disputes_total', { provider: 'stripe' });
    const before = await disputes();
    const opened = stripe.dispute(firstInvoice, 'needs_response');
    expect(await outcomeOf('stripe', await sendStripe('charge.dispute.created', opened))).toMatch(/dispute opened/);
    // The same dispute announced again as another event (a resend from Stripe's dashboard) is recorded once.
    expect(await outcomeOf('stripe', await sendStripe('charge.dispute.created', opened))).toMatch(/already recorded/);
    expect(await db()('audit_logs').where({ action: 'billing.dispute_opened', target_id: row.id })).toEqual([
      expect.objectContaining({ meta: { dispute: opened.id, amount: opened.amount, currency: 'RUB', reason: 'fraudulent', due_by: new Date(opened.evidence_details.due_by * 1000).toISOString() } }),
    ]);
    expect(await disputes()).toBe(before + 1);
    // A disputed charge we hold no payment for is still the operators' to answer.
    const stray = { ...opened, id: 'dp_stray', charge: 'ch_stray', payment_intent: 'pi_stray' };
    expect(await outcomeOf('stripe', await sendStripe('charge.dispute.created', stray))).toMatch(/unknown payment/);
    expect(await disputes()).toBe(before + 2);
    const won = await sendStripe('charge.dispute.closed', stripe.dispute(firstInvoice, 'won'));
    expect(await db()('payment_events').where({ provider: 'stripe', event_id: won })).toHaveLength(0);
    await sleep(300);
    expect((await me(rt.url, user.token)).subscription).toMatchObject({ plan_code: 'pro', status: 'active' });
    expect((await paymentRow(row.id)).status).toBe('succeeded');

    const lost = await sendStripe('charge.dispute.closed', stripe.dispute(firstInvoice, 'lost'));
    expect(await outcomeOf('stripe', lost)).toMatch(/refunded: subscription ended/);
    await meWhen(rt.url, user.token, 'back on free', (m) => m.subscription === null && m.plan.code === 'free');
    expect((await paymentRow(row.id)).status).toBe('refunded');
    await waitFor('cancelled at Stripe', () => deletesOf(stripeSub).length > 0 || undefined);
    const [entry] = await db()('audit_logs').where({ action: 'billing.payment_refunded', target_id: row.id });
    expect(entry.meta).toMatchObject({ chargeback: true });
  });

  it('a renewal refunded before its invoice.paid is applied never extends the period', async () => {
    const { user, row, stripeSub } = await stripePro('stripe-early-refund');
    const before = await subOf(row.subscription_id);
    const renewal = stripe.invoice(stripeSub, { paid: true });
    await outcomeOf('stripe', await sendStripe('charge.refunded', stripe.refundInvoice(renewal.id)));
    await outcomeOf('stripe', await sendStripe('invoice.paid', renewal));
    await sleep(300);
    expect(await db()('payments').where({ provider_payment_id: renewal.id })).toEqual([expect.objectContaining({ status: 'refunded', kind: 'renewal' })]);
    const after = await subOf(row.subscription_id);
    expect(after.status).toBe('canceled');
    expect(new Date(after.current_period_end).getTime()).toBe(new Date(before.current_period_end).getTime());
    expect((await me(rt.url, user.token)).subscription).toBeNull();
    await waitFor('cancelled at Stripe', () => deletesOf(stripeSub).length > 0 || undefined);
  });
});
