/**
 * Subscribing and cancelling. A subscription starts `incomplete` with its first payment
 * `pending`; the provider is asked for a payment under an idempotency key derived from our
 * payment row, so a retried call never charges twice. The period starts when the provider
 * reports the payment succeeded (webhook or poll), not before.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { audit } from '../audit.js';
import { domainErrors } from '../errors.js';
import { LIVE_STATUSES, planByCode } from './plans.js';
import type { PaymentProvider, ProviderName } from './provider.js';
import { createStripe, type StripeConfig, type StripeProvider } from './stripe.js';
import { createYooKassa, type YooKassaConfig } from './yookassa.js';

export interface Providers {
  stripe?: StripeProvider | undefined;
  yookassa?: PaymentProvider | undefined;
}

export function providerOf(providers: Providers, name: ProviderName): PaymentProvider {
  const provider = providers[name];
  if (!provider) throw domainErrors.unavailable(`payments through ${name} are not configured on this server`, 'payments_unavailable');
  return provider;
}

export interface SubscribeInput {
  plan_code: string;
  provider: ProviderName;
  return_url: string;
}

export async function subscribe(deps: { db: Knex; providers: Providers; firstPollSeconds: number }, userId: string, input: SubscribeInput) {
  const provider = providerOf(deps.providers, input.provider);
  const plan = await planByCode(deps.db, input.plan_code);
  if (plan.price_minor <= 0) throw domainErrors.invalid('the free plan needs no subscription');
  const subscriptionId = randomUUID();
  const paymentId = randomUUID();
  const user = await deps.db.transaction(async (trx) => {
    const account = await trx('users').where({ id: userId }).forUpdate().first('email');
    const live = await trx('subscriptions').where({ user_id: userId }).whereIn('status', LIVE_STATUSES).first('plan_id', 'cancel_at_period_end');
    if (live?.plan_id === plan.id && !live.cancel_at_period_end) throw domainErrors.conflict(`already subscribed to ${plan.code}`);
    await trx('subscriptions').insert({ id: subscriptionId, user_id: userId, plan_id: plan.id, provider: input.provider });
    await trx('payments').insert({
      id: paymentId, user_id: userId, subscription_id: subscriptionId, provider: input.provider, kind: 'initial',
      amount_minor: plan.price_minor, currency: plan.currency,
      next_poll_at: trx.raw(`now() + make_interval(secs => ?)`, [deps.firstPollSeconds]),
    });
    await audit({ actorId: userId, action: 'billing.subscribe', targetType: 'subscription', targetId: subscriptionId, meta: { plan: plan.code, provider: input.provider } }, trx);
    return account as { email: string };
  });
  let created;
  try {
    created = await provider.create({ paymentId, subscriptionId, plan, returnUrl: input.return_url, email: user.email });
  } catch (err) {
    // Nothing was charged (the provider refused or did not answer): nothing is left waiting.
    await deps.db.transaction(async (trx) => {
      await trx('payments').where({ id: paymentId, status: 'pending' }).update({ status: 'canceled', next_poll_at: null, updated_at: trx.fn.now() });
      await trx('subscriptions').where({ id: subscriptionId, status: 'incomplete' }).update({ status: 'canceled', canceled_at: trx.fn.now(), updated_at: trx.fn.now() });
    });
    throw err;
  }
  await deps.db('payments').where({ id: paymentId }).update({
    provider_payment_id: created.providerPaymentId, confirmation_url: created.confirmationUrl ?? null, updated_at: deps.db.fn.now(),
  });
  return { subscriptionId, paymentId, planCode: plan.code, confirmationUrl: created.confirmationUrl ?? null };
}

/** Ends the live subscription at its period's end: Stripe is told; YooKassa renewals stop. */
export async function cancelAtPeriodEnd(deps: { db: Knex; providers: Providers }, userId: string): Promise<void> {
  const sub = await deps.db('subscriptions').where({ user_id: userId }).whereIn('status', LIVE_STATUSES).first();
  if (!sub) throw domainErrors.notFound('no paid subscription');
  if (sub.cancel_at_period_end) return;
  if (sub.provider === 'stripe' && sub.provider_subscription_id) await (providerOf(deps.providers, 'stripe') as StripeProvider).cancelAtPeriodEnd(sub.provider_subscription_id);
  await deps.db.transaction(async (trx) => {
    await trx('subscriptions').where({ id: sub.id }).update({ cancel_at_period_end: true, next_charge_at: null, updated_at: trx.fn.now() });
    await audit({ actorId: userId, action: 'billing.cancel_at_period_end', targetType: 'subscription', targetId: sub.id }, trx);
  });
}

/**
 * Ends at Stripe, now, a Stripe subscription we already hold canceled (replaced by another
 * plan), so Stripe stops billing it. Only a canceled one: a stray job never ends a live plan.
 */
export async function cancelStripeSubscription(deps: { db: Knex; providers: Providers }, subscriptionId: string): Promise<string> {
  const sub = await deps.db('subscriptions').where({ id: subscriptionId }).first('provider', 'status', 'provider_subscription_id');
  if (sub?.provider !== 'stripe' || !sub.provider_subscription_id) return 'not at Stripe';
  if (sub.status !== 'canceled') return `still ${sub.status}`;
  return (providerOf(deps.providers, 'stripe') as StripeProvider).cancelNow(sub.provider_subscription_id);
}

/** The providers this server has keys for. */
export function createProviders(config: { stripe?: StripeConfig | undefined; yookassa?: YooKassaConfig | undefined }): Providers & { yookassa?: ReturnType<typeof createYooKassa> | undefined } {
  return {
    ...(config.stripe ? { stripe: createStripe(config.stripe) } : {}),
    ...(config.yookassa ? { yookassa: createYooKassa(config.yookassa) } : {}),
  };
}

/**
 * An operator grants a plan for `days` (a `manual` subscription, ended by the expire job
 * when its period is over); any live subscription it replaces ends now. Audited.
 */
export async function grantPlan(db: Knex, email: string, planCode: string, days: number): Promise<{ userId: string; until: Date }> {
  const plan = await planByCode(db, planCode);
  return db.transaction(async (trx) => {
    const user = await trx('users').where({ email }).forUpdate().first('id');
    if (!user) throw domainErrors.notFound(`no account with email ${email}`);
    // A Stripe one is cancelled at Stripe by the reconcile job (stripeEndedLately): the CLI has no queues.
    await trx('subscriptions').where({ user_id: user.id }).whereIn('status', LIVE_STATUSES)
      .update({ status: 'canceled', canceled_at: trx.fn.now(), next_charge_at: null, updated_at: trx.fn.now() });
    const [sub] = await trx('subscriptions').insert({
      user_id: user.id, plan_id: plan.id, provider: 'manual', status: 'active',
      current_period_start: trx.fn.now(), current_period_end: trx.raw(`now() + make_interval(days => ?)`, [days]),
    }).returning(['id', 'current_period_end']);
    await audit({ action: 'billing.plan_granted', targetType: 'subscription', targetId: sub.id, meta: { user_id: user.id, plan: plan.code, days, via: 'cli' } }, trx);
    return { userId: user.id, until: new Date(sub.current_period_end) };
  });
}
