/**
 * A stored webhook event whose apply job ran out of attempts is not lost: Stripe's redelivery
 * queues it again, and so does the reconcile job's sweep for one Stripe does not send again.
 * The failure is real: Postgres refuses the subscription's update until the test lets it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openQueue, waitFor } from '../../e2e/chat/harness.js';
import { db, meWhen, openCheckout, payStripe, runJob, startFakePayments, stripeHook, WEBHOOK_SECRET } from '../../helpers/billing.js';
import type { FakeStripe } from '../../helpers/fake-providers/stripe.js';
import { registerUser } from '../../helpers/http.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

let rt: TestRuntime;
let fakes: Awaited<ReturnType<typeof startFakePayments>>;
let stripe: FakeStripe;

beforeAll(async () => {
  fakes = await startFakePayments();
  ({ stripe } = fakes);
  rt = await startTestRuntime('unapplied', { env: fakes.env });
});

afterAll(async () => {
  await rt?.close();
  await fakes?.close();
});

/** A user on pro through Stripe: our subscription id and Stripe's. */
async function stripePro(tag: string) {
  const user = await registerUser(rt.url, tag);
  const { row, providerId } = await openCheckout(rt.url, user.token, 'pro', 'stripe');
  const { done } = await payStripe(rt.url, stripe, providerId);
  await meWhen(rt.url, user.token, 'active', (m) => m.subscription?.status === 'active');
  return { subscriptionId: row.subscription_id as string, stripeId: done.subscription!.id };
}

/** Postgres refuses any change to these subscriptions until `heal()`. */
async function breakSubscriptions(ids: string[]) {
  await db().raw(`CREATE FUNCTION billing_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$`);
  // DDL takes no bind parameters: the ids (our own UUIDs) are written in.
  const list = ids.map((id) => `'${z.uuid().parse(id)}'`).join(',');
  await db().raw(`CREATE TRIGGER billing_test_refuse BEFORE UPDATE ON subscriptions FOR EACH ROW WHEN (OLD.id IN (${list})) EXECUTE FUNCTION billing_test_refuse()`);
  return async () => {
    await db().raw('DROP TRIGGER billing_test_refuse ON subscriptions');
    await db().raw('DROP FUNCTION billing_test_refuse()');
  };
}

const storedId = async (eventId: string) => (await db()('payment_events').where({ event_id: eventId }).first('id')).id as string;
const applied = (eventId: string) =>
  waitFor(`event ${eventId} applied`, async () => (await db()('payment_events').where({ event_id: eventId }).whereNotNull('applied_at').first('outcome'))?.outcome as string | undefined);

async function failedForGood(eventRowId: string) {
  const { queue, close } = openQueue('billing', rt.t.prefix);
  try {
    await waitFor('the apply job to run out of attempts', async () => ((await (await queue.getJob(`billing-event-${eventRowId}`))?.getState()) === 'failed' ? true : undefined), 40_000);
  } finally {
    await close();
  }
}

describe('an event whose apply job failed for good', () => {
  it('is applied when the provider delivers it again, or else by the reconcile job\'s sweep', async () => {
    const ended = await stripePro('redelivered');
    const failing = await stripePro('swept');
    const heal = await breakSubscriptions([ended.subscriptionId, failing.subscriptionId]);
    const deleted = stripe.event('customer.subscription.deleted', stripe.endSubscription(ended.stripeId));
    const unpaid = stripe.event('invoice.payment_failed', stripe.invoice(failing.stripeId, { paid: false }));
    for (const event of [deleted, unpaid]) expect((await stripe.sendWebhook(stripeHook(rt.url), event, { secret: WEBHOOK_SECRET })).status).toBe(200);
    await Promise.all([failedForGood(await storedId(deleted.id)), failedForGood(await storedId(unpaid.id))]);
    await heal();

    // Stripe sends the first again: it is queued afresh, not taken for a duplicate.
    expect((await stripe.sendWebhook(stripeHook(rt.url), deleted, { secret: WEBHOOK_SECRET })).status).toBe(200);
    expect(await applied(deleted.id)).toBe('canceled');
    expect((await db()('subscriptions').where({ id: ended.subscriptionId }).first()).status).toBe('canceled');

    // The second is never sent again: the sweep finds it once it has waited a while.
    await db()('payment_events').where({ event_id: unpaid.id }).update({ received_at: new Date(Date.now() - 10 * 60_000) });
    expect((await runJob(rt.t.prefix, 'billing.reconcile')).requeued).toBeGreaterThanOrEqual(1);
    expect(await applied(unpaid.id)).toBe('past_due');
    expect((await db()('subscriptions').where({ id: failing.subscriptionId }).first()).status).toBe('past_due');
  }, 90_000);
});
