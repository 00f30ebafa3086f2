/**
 * Per-period allowances (documents and reviews a period, storage), taken with one
 * conditional upsert on `usage_counters`: the row only grows while it stays within the
 * plan's limit, so N parallel requests at a limit of L succeed at most L times. Past a limit
 * the answer is `402 quota_exceeded`, naming the plan that lifts it.
 */
import type { Knex } from 'knex';
import { domainErrors } from '../errors.js';
import { planLifting, userPlan, type LimitKey } from './plans.js';

export type Metric = 'documents' | 'reviews' | 'storage_bytes';

const LIMIT_OF: Record<Metric, { key: LimitKey; unit: number; what: string }> = {
  documents: { key: 'documents_per_month', unit: 1, what: 'documents a period' },
  reviews: { key: 'reviews_per_month', unit: 1, what: 'lawyer reviews a period' },
  storage_bytes: { key: 'storage_mb', unit: 1024 * 1024, what: 'MB of storage' },
};

/** Storage is not periodic: one counter from the epoch. */
const ALWAYS = new Date(0);

export interface Taken {
  metric: Metric;
  amount: number;
  periodStart: Date;
}

export async function takeUsage(db: Knex, userId: string, metric: Metric, amount = 1): Promise<Taken> {
  const { plan, period } = await userPlan(db, userId);
  const { key, unit, what } = LIMIT_OF[metric];
  const limit = plan.limits[key] * unit;
  const periodStart = metric === 'storage_bytes' ? ALWAYS : period.start;
  const { rows } = (await db.raw(
    `INSERT INTO usage_counters AS u (user_id, metric, period_start, used)
       SELECT ?::uuid, ?, ?::timestamptz, ?::bigint WHERE ?::bigint <= ?::bigint
     ON CONFLICT (user_id, metric, period_start) DO UPDATE SET used = u.used + excluded.used WHERE u.used + excluded.used <= ?::bigint
     RETURNING used`,
    [userId, metric, periodStart, amount, amount, limit, limit],
  )) as { rows: unknown[] };
  if (!rows.length) {
    const lifting = await planLifting(db, key, plan.limits[key]);
    throw domainErrors.exhausted(`the ${plan.code} plan allows ${plan.limits[key]} ${what}${lifting ? `; the ${lifting.code} plan allows ${lifting.limits[key]}` : ''}`);
  }
  return { metric, amount, periodStart };
}

/** Gives back what was taken for something that did not happen (never below zero). */
export async function giveBackUsage(db: Knex, userId: string, taken: Taken): Promise<void> {
  await db('usage_counters').where({ user_id: userId, metric: taken.metric, period_start: taken.periodStart })
    .update({ used: db.raw('greatest(used - ?, 0)', [taken.amount]) });
}

/** What `takeUsage(metric)` took in the user's current period: to give one back later. */
export async function periodTaken(db: Knex, userId: string, metric: Metric, amount = 1): Promise<Taken> {
  return { metric, amount, periodStart: metric === 'storage_bytes' ? ALWAYS : (await userPlan(db, userId)).period.start };
}

/** Stored bytes that are gone (a withdrawn upload, a destroyed document). */
export const releaseStorage = (db: Knex, userId: string, bytes: number) =>
  giveBackUsage(db, userId, { metric: 'storage_bytes', amount: Number(bytes), periodStart: ALWAYS });

/** What a user used in the current period, for `GET /api/subscriptions/me`. */
export async function usageOf(db: Knex, userId: string, periodStart: Date): Promise<Record<Metric, number>> {
  const rows = await db('usage_counters').where({ user_id: userId })
    .where((q) => q.where({ period_start: periodStart }).orWhere({ metric: 'storage_bytes', period_start: ALWAYS }))
    .select('metric', 'used');
  const of = (m: Metric) => Number(rows.find((r: { metric: string }) => r.metric === m)?.used ?? 0);
  return { documents: of('documents'), reviews: of('reviews'), storage_bytes: of('storage_bytes') };
}
