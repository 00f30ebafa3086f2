/**
 * Plans and the plan a user is on: their live subscription's (active or past due), else
 * `free`. The period a per-period limit counts in is the subscription's current period, or
 * the UTC calendar month on `free`.
 */
import type { Knex } from 'knex';
import { audit } from '../audit.js';
import { domainErrors } from '../errors.js';

export const LIMIT_KEYS = ['messages_per_day', 'documents_per_month', 'storage_mb', 'reviews_per_month'] as const;
export type LimitKey = (typeof LIMIT_KEYS)[number];
export type Limits = Record<LimitKey, number>;

export interface PlanRow {
  id: string;
  code: string;
  name: string;
  price_minor: number;
  currency: string;
  period: string;
  limits: Limits;
}

/** An amount in minor units (kopecks, cents) and its currency. */
export interface Price { amount: number; currency: string }
export const priceOf = (row: { price_minor: number | string; currency: string }): Price => ({ amount: Number(row.price_minor), currency: row.currency });

export const toPublicPlan = (p: PlanRow) => ({
  code: p.code,
  name: p.name,
  price: priceOf(p),
  interval: p.period,
  limits: p.limits,
});
export type PublicPlan = ReturnType<typeof toPublicPlan>;

export const listPlans = (db: Knex): Promise<PlanRow[]> => db('plans').where({ active: true }).orderBy('price_minor');

export async function planByCode(db: Knex, code: string): Promise<PlanRow> {
  const plan = (await db('plans').where({ code, active: true }).first()) as PlanRow | undefined;
  if (!plan) throw domainErrors.notFound('no such plan');
  return plan;
}

/** Live means it counts: the user has the plan's limits. */
export const LIVE_STATUSES = ['active', 'past_due'];

export interface UserPlan {
  plan: PlanRow;
  subscription: Record<string, unknown> & { id: string; price_minor: number; currency: string; current_period_start: Date | null; current_period_end: Date | null } | null;
  /** Where the current period of per-period limits started and ends. */
  period: { start: Date; end: Date };
}

const monthOf = (now: Date) => ({
  start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)),
  end: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)),
});

export async function userPlan(db: Knex, userId: string): Promise<UserPlan> {
  const subscription = await db('subscriptions').where({ user_id: userId }).whereIn('status', LIVE_STATUSES).first();
  const plan = (await (subscription ? db('plans').where({ id: subscription.plan_id }) : db('plans').where({ code: 'free' })).first()) as PlanRow;
  const start = subscription?.current_period_start;
  const end = subscription?.current_period_end;
  return { plan, subscription: subscription ?? null, period: start && end ? { start: new Date(start), end: new Date(end) } : monthOf(new Date()) };
}

/** The cheapest plan whose `key` is above `than`: what lifts a limit. */
export async function planLifting(db: Knex, key: LimitKey, than: number): Promise<PlanRow | undefined> {
  return db('plans').where({ active: true }).whereRaw(`(limits ->> ?)::bigint > ?`, [key, than]).orderBy('price_minor').first();
}

export interface PlanChange {
  name?: string | undefined;
  price?: { amount: number; currency?: string | undefined } | undefined;
  limits?: Partial<Limits> | undefined;
}

/** The smallest charge both providers take (YooKassa 1 RUB, Stripe 0.50 USD/EUR), in minor units. */
export const MIN_PRICE_MINOR = 100;

/**
 * An admin's change to a plan, audited with what it was, in one transaction. A new price
 * applies to new checkouts: subscriptions keep the price they were bought at. `free` stays
 * free, and a paid plan costs at least what the providers charge: at 0 it could not be
 * bought, and its renewals would be refused.
 */
export async function updatePlan(db: Knex, actorId: string, code: string, change: PlanChange): Promise<PlanRow> {
  return db.transaction(async (trx) => {
    const before = (await trx('plans').where({ code }).forUpdate().first()) as PlanRow | undefined;
    if (!before) throw domainErrors.notFound('no such plan');
    const amount = change.price?.amount;
    if (amount !== undefined && code === 'free' && amount !== 0) throw domainErrors.invalid('the free plan stays free: its price is 0');
    if (amount !== undefined && code !== 'free' && amount < MIN_PRICE_MINOR) throw domainErrors.invalid(`a paid plan costs at least ${MIN_PRICE_MINOR} minor units (1.00), the smallest charge the payment providers take`);
    const [after] = await trx('plans').where({ code }).update({
      ...(change.name ? { name: change.name } : {}),
      ...(change.price ? { price_minor: change.price.amount, currency: change.price.currency ?? before.currency } : {}),
      ...(change.limits ? { limits: JSON.stringify({ ...before.limits, ...change.limits }) } : {}),
      updated_at: trx.fn.now(),
    }).returning('*');
    await audit({ actorId, action: 'admin.plan_update', targetType: 'plan', targetId: before.id, meta: { code, before: toPublicPlan(before), after: toPublicPlan(after) } }, trx);
    return after as PlanRow;
  });
}

/**
 * The caller's limit `key` as a scalar expression (one binding: the user id), for statements
 * that take usage conditionally: the live subscription's plan, else `free` (the SQL function
 * plan_limit, migrations/20261228000016_chat_admission.ts).
 */
export const planLimitSql = (key: LimitKey) => `plan_limit(?::uuid, '${key}')`;
