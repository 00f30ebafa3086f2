/**
 * The lawyer-review report for admins: totals, SLA breaches, median time to first response
 * (the first accept) and to resolution, and per lawyer (the one holding or having resolved
 * each review). Two grouped queries over `lawyer_reviews (created_at)`; nothing is summed in
 * memory.
 */
import type { Db } from '../db/knex.js';

export interface ReviewsReport {
  from: string | null;
  to: string | null;
  total: number;
  completed: number;
  sla_breached: number;
  median_first_response_s: number | null;
  median_resolution_s: number | null;
  by_lawyer: Array<{ lawyer_id: string; name: string | null; completed: number; breached: number; avg_rating: number | null }>;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 100) / 100);

export async function reviewsReport(db: Db, range: { from?: string | undefined; to?: string | undefined }): Promise<ReviewsReport> {
  const inRange = (alias: string) => {
    const q = db(`lawyer_reviews as ${alias}`);
    if (range.from) q.where(`${alias}.created_at`, '>=', range.from);
    if (range.to) q.where(`${alias}.created_at`, '<', range.to);
    return q;
  };
  const [totals] = await inRange('r').select(
    db.raw('count(*)::int AS total'),
    db.raw(`count(*) FILTER (WHERE r.status = 'completed')::int AS completed`),
    db.raw('count(*) FILTER (WHERE r.breached_at IS NOT NULL)::int AS sla_breached'),
    db.raw('percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.accepted_at - r.created_at)) FILTER (WHERE r.accepted_at IS NOT NULL) AS first_response'),
    db.raw('percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.completed_at - r.created_at)) FILTER (WHERE r.completed_at IS NOT NULL) AS resolution'),
  );
  const lawyers = await inRange('r').join('users as u', 'u.id', 'r.lawyer_id').groupBy('r.lawyer_id', 'u.name').orderBy('u.name').select(
    'r.lawyer_id', 'u.name',
    db.raw(`count(*) FILTER (WHERE r.status = 'completed')::int AS completed`),
    db.raw('count(*) FILTER (WHERE r.breached_at IS NOT NULL)::int AS breached'),
    db.raw('avg(r.rating_score) AS avg_rating'),
  );
  return {
    from: range.from ?? null,
    to: range.to ?? null,
    total: totals.total,
    completed: totals.completed,
    sla_breached: totals.sla_breached,
    median_first_response_s: num(totals.first_response),
    median_resolution_s: num(totals.resolution),
    by_lawyer: lawyers.map((l: { lawyer_id: string; name: string | null; completed: number; breached: number; avg_rating: unknown }) => ({ ...l, avg_rating: num(l.avg_rating) })),
  };
}
