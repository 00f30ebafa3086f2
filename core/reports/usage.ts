/**
 * The usage report (GET /api/admin/reports/usage): per day, active users, messages, AI tokens
 * by provider, documents, reviews and revenue. Each figure is one grouped query over a range
 * of an indexed column (see migrations/20261201000003_usage_reports.ts); days without
 * activity are listed with zeros.
 */
import type { Knex } from 'knex';
import type { Db } from '../db/knex.js';

export interface UsageDay {
  day: string;
  active_users: number;
  messages: number;
  ai_tokens: Array<{ provider: string; input_tokens: number; output_tokens: number }>;
  documents: number;
  reviews: number;
  revenue: Array<{ currency: string; amount_minor: number }>;
}

/** A closed range of UTC days, `from` and `to` as YYYY-MM-DD. */
export interface DayRange {
  from: string;
  to: string;
}

const dayAfter = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const createdDay = (db: Db, table: string) => db.raw(`to_char(??.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`, [table]);

/** The report's queries, one per figure; exported so a test can EXPLAIN each of them. */
export function usageQueries(db: Db, { from, to }: DayRange): Record<string, Knex.QueryBuilder> {
  const [start, end] = [new Date(`${from}T00:00:00Z`), new Date(`${dayAfter(to)}T00:00:00Z`)];
  const byCreated = (table: string) => db(table).where(`${table}.created_at`, '>=', start).where(`${table}.created_at`, '<', end);
  return {
    usage: db('ai_usage_daily')
      .whereBetween('day', [from, to])
      .groupBy('day')
      .select(db.raw(`to_char(day, 'YYYY-MM-DD') AS day`), db.raw('count(*) FILTER (WHERE messages > 0) AS active_users'), db.raw('coalesce(sum(messages), 0) AS messages')),
    tokens: db('ai_usage_provider_daily')
      .whereBetween('day', [from, to])
      .groupBy('day', 'provider')
      .select(db.raw(`to_char(day, 'YYYY-MM-DD') AS day`), 'provider', db.raw('sum(input_tokens) AS input_tokens'), db.raw('sum(output_tokens) AS output_tokens')),
    documents: byCreated('documents').groupByRaw('1').select(createdDay(db, 'documents').wrap('', ' AS day'), db.raw('count(*) AS n')),
    reviews: byCreated('lawyer_reviews').groupByRaw('1').select(createdDay(db, 'lawyer_reviews').wrap('', ' AS day'), db.raw('count(*) AS n')),
    revenue: byCreated('payments')
      .where({ status: 'succeeded' })
      .groupByRaw('1, currency')
      .select(createdDay(db, 'payments').wrap('', ' AS day'), 'currency', db.raw('sum(amount_minor) AS amount_minor')),
  };
}

export async function usageReport(db: Db, range: DayRange): Promise<UsageDay[]> {
  const q = usageQueries(db, range);
  const [usage, tokens, documents, reviews, revenue] = await Promise.all([q.usage!, q.tokens!, q.documents!, q.reviews!, q.revenue!]);
  const days = new Map<string, UsageDay>();
  for (let day = range.from; day <= range.to; day = dayAfter(day)) {
    days.set(day, { day, active_users: 0, messages: 0, ai_tokens: [], documents: 0, reviews: 0, revenue: [] });
  }
  const at = (day: string) => days.get(day)!;
  for (const r of usage) Object.assign(at(r.day), { active_users: Number(r.active_users), messages: Number(r.messages) });
  for (const r of tokens) at(r.day).ai_tokens.push({ provider: r.provider, input_tokens: Number(r.input_tokens), output_tokens: Number(r.output_tokens) });
  for (const r of documents) at(r.day).documents = Number(r.n);
  for (const r of reviews) at(r.day).reviews = Number(r.n);
  for (const r of revenue) at(r.day).revenue.push({ currency: r.currency, amount_minor: Number(r.amount_minor) });
  return [...days.values()];
}
