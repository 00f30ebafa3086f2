/**
 * Subscribing and cancelling. A subscription starts `incomplete` with its first payment
 * `pending`; the provider is asked for a payment under an idempotency key derived from our
 * payment row, so a retried call never charges twice. The period starts when the provider
 * reports the payment succeeded (webhook or poll), not before. A user has one open checkout
 * at a time (checkouts.ts).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import { audit } from '../audit.js';
import { domainErrors } from '../errors.js';
import type { Logger } from '../log.js';
import { settlePayment } from './apply.js';
import { closeCheckouts, OPEN_PAYMENT_STATUSES } from './checkouts.js';
import { afterSettle, expireStripeCheckouts } from './effects.js';
import { LIVE_STATUSES, planByCode, priceOf, type PlanRow, type Price } from './plans.js';
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

export interface SubscribeDeps {
  db: Knex;
  providers: Providers;
  firstPollSeconds: number;
  log: Logger;
}

/** What asking for a plan did: a new checkout, the open one given back, or the plan resumed (nothing to pay). */
export type Subscribed =
  | { kind: 'opened' | 'reopened'; subscriptionId: string; paymentId: string; planCode: string; price: Price; confirmationUrl: string | null }
  | { kind: 'resumed'; subscriptionId: string };

/**
 * A checkout whose provider call has not come back is waited for this long after it was made;
 * older, its request died (the providers' timeouts and retries end well before) and it is closed.
 */
const OPENING_SECONDS = 60;
/** Decisions per request: at most a wait, then a checkout found settled since, then the answer. */
const MAX_STEPS = 4;

interface LiveRow { id: string; plan_id: string; cancel_at_period_end: boolean; provider: string; provider_subscription_id: string | null }
interface OpenRow { subscription_id: string; payment_id: string; provider_payment_id: string | null; confirmation_url: string | null; price_minor: number; currency: string; opening: boolean }

type Step =
  | { kind: 'resume'; live: LiveRow }
  | { kind: 'reopen'; open: OpenRow & { provider_payment_id: string } }
  | { kind: 'wait'; paymentId: string }
  | { kind: 'open'; subscriptionId: string; paymentId: string; email: string; expireAtStripe: string[] };

/**
 * Subscribes to a plan. While a checkout for the same plan and provider is open it is given
 * back (a double click, a second tab) rather than a second one made; any other open checkout is
 * closed first. The plan the user is on, cancelled at its period's end, is resumed unpaid.
 */
export async function subscribe(deps: SubscribeDeps, userId: string, input: SubscribeInput): Promise<Subscribed> {
  // What is wrong with the request comes before what this server lacks: an unknown plan is 404
  // and the free plan 422 whether or not the provider has keys here (then 503).
  const plan = await planByCode(deps.db, input.plan_code);
  if (plan.price_minor <= 0) throw domainErrors.invalid('the free plan needs no subscription');
  const provider = providerOf(deps.providers, input.provider);
  const effects = { db: deps.db, stripe: deps.providers.stripe, log: deps.log };
  for (let step = 0; step < MAX_STEPS; step++) {
    const next = await decide(deps, userId, plan, input.provider);
    if (next.kind === 'resume') return resume(deps, userId, next.live);
    if (next.kind === 'wait') {
      await opened(deps.db, next.paymentId);
      continue;
    }
    if (next.kind === 'reopen') {
      const reported = await provider.fetch(next.open.provider_payment_id);
      if (OPEN_PAYMENT_STATUSES.includes(reported.status)) {
        const { open: o } = next;
        return { kind: 'reopened', subscriptionId: o.subscription_id, paymentId: o.payment_id, planCode: plan.code, price: priceOf(o), confirmationUrl: o.confirmation_url };
      }
      // Paid or expired since, its event not applied yet: applied now (a Stripe subscription it
      // replaces is cancelled by the reconciliation's sweep), then decided again.
      await afterSettle(effects, await settlePayment(deps.db, input.provider, reported));
      continue;
    }
    await expireStripeCheckouts(effects, next.expireAtStripe);
    return open(deps, provider, plan, next, input.return_url);
  }
  throw domainErrors.unavailable('the checkout is still being opened; try again', 'payments_unavailable');
}

/** Under the user's lock: what asking for `plan` through `provider` means now; a new checkout's rows are made here. */
async function decide(deps: SubscribeDeps, userId: string, plan: PlanRow, provider: ProviderName): Promise<Step> {
  return deps.db.transaction(async (trx): Promise<Step> => {
    // The account row as the per-user lock, changing no key: rows being written that point at
    // it (a message, a review's pass) go on, as they do beside a block (core/auth/accounts.ts).
    const account = await trx('users').where({ id: userId }).forNoKeyUpdate().first('email');
    const live: LiveRow | undefined = await trx('subscriptions').where({ user_id: userId }).whereIn('status', LIVE_STATUSES)
      .first('id', 'plan_id', 'cancel_at_period_end', 'provider', 'provider_subscription_id');
    if (live?.plan_id === plan.id) {
      if (!live.cancel_at_period_end) throw domainErrors.conflict(`already subscribed to ${plan.code}`);
      return { kind: 'resume', live };
    }
    const same: OpenRow | undefined = await trx('subscriptions as s').join('payments as p', 'p.subscription_id', 's.id')
      .where({ 's.user_id': userId, 's.status': 'incomplete', 's.plan_id': plan.id, 's.provider': provider, 'p.kind': 'initial' })
      .whereIn('p.status', OPEN_PAYMENT_STATUSES).orderBy('p.created_at', 'desc')
      .first('s.id as subscription_id', 'p.id as payment_id', 'p.provider_payment_id', 'p.confirmation_url', 's.price_minor', 's.currency',
        trx.raw('p.created_at > now() - make_interval(secs => ?) AS opening', [OPENING_SECONDS]));
    if (same?.provider_payment_id) return { kind: 'reopen', open: { ...same, provider_payment_id: same.provider_payment_id } };
    if (same?.opening) return { kind: 'wait', paymentId: same.payment_id };
    const expireAtStripe = await closeCheckouts(trx, userId, 'another checkout was opened');
    const subscriptionId = randomUUID();
    const paymentId = randomUUID();
    // The price is the plan's now, for good: renewals charge it (migrations/20270105000022_subscription_price.ts).
    await trx('subscriptions').insert({ id: subscriptionId, user_id: userId, plan_id: plan.id, provider, price_minor: plan.price_minor, currency: plan.currency });
    await trx('payments').insert({
      id: paymentId, user_id: userId, subscription_id: subscriptionId, provider, kind: 'initial',
      amount_minor: plan.price_minor, currency: plan.currency,
      next_poll_at: trx.raw(`now() + make_interval(secs => ?)`, [deps.firstPollSeconds]),
    });
    await audit({ actorId: userId, action: 'billing.subscribe', targetType: 'subscription', targetId: subscriptionId, meta: { plan: plan.code, provider } }, trx);
    return { kind: 'open', subscriptionId, paymentId, email: (account as { email: string }).email, expireAtStripe };
  });
}

/** Waits until another request's provider call for this payment has come back, or that request is taken for dead. */
async function opened(db: Knex, paymentId: string): Promise<void> {
  for (;;) {
    const row = await db('payments').where({ id: paymentId })
      .first(db.raw(`provider_payment_id IS NOT NULL OR status <> 'pending' OR created_at <= now() - make_interval(secs => ?) AS done`, [OPENING_SECONDS]));
    if (!row || row.done) return;
    await sleep(200);
  }
}

/** Asks the provider for the checkout's payment, keyed by our payment row. */
async function open(deps: SubscribeDeps, provider: PaymentProvider, plan: PlanRow, step: Extract<Step, { kind: 'open' }>, returnUrl: string): Promise<Subscribed> {
  const { subscriptionId, paymentId } = step;
  let created;
  try {
    created = await provider.create({ paymentId, subscriptionId, plan, returnUrl, email: step.email });
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
  return { kind: 'opened', subscriptionId, paymentId, planCode: plan.code, price: priceOf(plan), confirmationUrl: created.confirmationUrl ?? null };
}

/** The plan the user is on, cancelled at its period's end, goes on: nothing is charged now; Stripe is told, YooKassa renewals are due again. */
async function resume(deps: SubscribeDeps, userId: string, live: LiveRow): Promise<Subscribed> {
  if (live.provider === 'stripe' && live.provider_subscription_id) await (providerOf(deps.providers, 'stripe') as StripeProvider).setCancelAtPeriodEnd(live.provider_subscription_id, false);
  await deps.db.transaction(async (trx) => {
    const resumed = await trx('subscriptions').where({ id: live.id, cancel_at_period_end: true }).whereIn('status', LIVE_STATUSES).update({
      cancel_at_period_end: false, updated_at: trx.fn.now(),
      // At the period's end; at once when it is past due (its dunning goes on).
      next_charge_at: live.provider === 'yookassa' ? trx.raw('greatest(current_period_end, now())') : null,
    });
    if (resumed) await audit({ actorId: userId, action: 'billing.resume', targetType: 'subscription', targetId: live.id }, trx);
    // Not resumed here: another request did (fine), or its period ran out meanwhile.
    else if (!(await trx('subscriptions').where({ id: live.id }).whereIn('status', LIVE_STATUSES).first('id'))) throw domainErrors.conflict('the subscription ended meanwhile: subscribe again');
  });
  return { kind: 'resumed', subscriptionId: live.id };
}

/** Ends the live subscription at its period's end: Stripe is told; YooKassa renewals stop. */
export async function cancelAtPeriodEnd(deps: { db: Knex; providers: Providers }, userId: string): Promise<void> {
  const sub = await deps.db('subscriptions').where({ user_id: userId }).whereIn('status', LIVE_STATUSES).first();
  if (!sub) throw domainErrors.notFound('no paid subscription');
  if (sub.cancel_at_period_end) return;
  if (sub.provider === 'stripe' && sub.provider_subscription_id) await (providerOf(deps.providers, 'stripe') as StripeProvider).setCancelAtPeriodEnd(sub.provider_subscription_id, true);
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
    const user = await trx('users').where({ email }).forNoKeyUpdate().first('id'); // the per-user lock, as in decide()
    if (!user) throw domainErrors.notFound(`no account with email ${email}`);
    // A Stripe one is cancelled at Stripe by the reconcile job (stripeEndedLately): the CLI has no queues.
    // Open checkouts close too (the CLI cannot expire a Stripe session: one paid anyway is flagged for a refund).
    await closeCheckouts(trx, user.id, 'an operator granted a plan');
    await trx('subscriptions').where({ user_id: user.id }).whereIn('status', LIVE_STATUSES)
      .update({ status: 'canceled', canceled_at: trx.fn.now(), next_charge_at: null, updated_at: trx.fn.now() });
    const [sub] = await trx('subscriptions').insert({
      // Granted: its holder pays nothing for it.
      user_id: user.id, plan_id: plan.id, provider: 'manual', status: 'active', price_minor: 0, currency: plan.currency,
      current_period_start: trx.fn.now(), current_period_end: trx.raw(`now() + make_interval(days => ?)`, [days]),
    }).returning(['id', 'current_period_end']);
    await audit({ action: 'billing.plan_granted', targetType: 'subscription', targetId: sub.id, meta: { user_id: user.id, plan: plan.code, days, via: 'cli' } }, trx);
    return { userId: user.id, until: new Date(sub.current_period_end) };
  });
}
