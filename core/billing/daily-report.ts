/**
 * The daily summary for admins: the day's usage (the usage report's figures for that day),
 * plus subscriptions by plan and status at the time of the run. Kept one row per UTC day in
 * `daily_reports`; a rerun rewrites the day.
 */
import type { Knex } from 'knex';
import { usageReport, type UsageDay } from '../reports/usage.js';

export interface DailySummary extends UsageDay {
  subscriptions: Array<{ plan: string; status: string; n: number }>;
}

export async function writeDailyReport(db: Knex, day: string): Promise<DailySummary> {
  const [usage] = await usageReport(db, { from: day, to: day });
  const subscriptions = await db('subscriptions as s').join('plans as p', 'p.id', 's.plan_id').whereIn('s.status', ['active', 'past_due'])
    .groupBy('p.code', 's.status').orderBy('p.code').select('p.code as plan', 's.status', db.raw('count(*)::int AS n'));
  const summary: DailySummary = { ...usage!, subscriptions };
  await db('daily_reports').insert({ day, summary: JSON.stringify(summary) }).onConflict('day').merge();
  return summary;
}
