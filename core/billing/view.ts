/** What a user sees of their billing: `GET /api/subscriptions/me`, and their payments. */
import type { Knex } from 'knex';
import { iso, isoOrNull } from '../iso.js';
import { priceOf, toPublicPlan, userPlan } from './plans.js';
import { usageOf } from './quotas.js';


export async function subscriptionOf(db: Knex, userId: string) {
  const { plan, subscription, period } = await userPlan(db, userId);
  const [usage, today] = await Promise.all([
    usageOf(db, userId, period.start),
    db('ai_usage_daily').where({ user_id: userId, day: new Date().toISOString().slice(0, 10) }).first('messages'),
  ]);
  return {
    subscription: subscription && {
      id: subscription.id,
      plan_code: plan.code,
      status: subscription.status as string,
      provider: subscription.provider as string,
      price: priceOf(subscription),
      current_period_end: isoOrNull(subscription.current_period_end),
      cancel_at_period_end: Boolean(subscription.cancel_at_period_end),
    },
    plan: toPublicPlan(plan),
    usage: {
      messages_today: Number(today?.messages ?? 0),
      documents_this_period: usage.documents,
      storage_mb: Math.round((usage.storage_bytes / (1024 * 1024)) * 10_000) / 10_000,
      reviews_this_period: usage.reviews,
      period_end: period.end.toISOString(),
    },
  };
}

export const toPublicPayment = (p: Record<string, unknown> & { id: string; created_at: Date }) => ({
  id: p.id,
  provider: p.provider as string,
  kind: p.kind as string,
  status: p.status as string,
  amount: { amount: Number(p.amount_minor), currency: p.currency as string },
  confirmation_url: (p.confirmation_url as string | null) ?? null,
  subscription_id: (p.subscription_id as string | null) ?? null,
  created_at: new Date(p.created_at).toISOString(),
  updated_at: iso(p.updated_at as Date),
});
