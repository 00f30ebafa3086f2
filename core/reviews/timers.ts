/**
 * The SLA timers of a review, run by delayed jobs. Each timer names what it guards (the
 * accept window of one assignment, or the resolution deadline) and does nothing if the
 * review has moved on, so a late, repeated or duplicated timer changes nothing. The
 * reminders fire at 75% of each window.
 */
import { audit } from '../audit.js';
import type { Db } from '../db/knex.js';
import { adminIds, type ReviewEffects } from './effects.js';
import { reviewSlaBreaches } from '../telemetry/metrics.js';
import { stillMayHold } from './hand-back.js';
import { releaseSlot } from './routing.js';
import { loadReview, type ReviewRow } from './view.js';

export const REMINDER_AT = 0.75;

export interface TimerDeps {
  db: Db;
  effects: ReviewEffects;
}

export interface Timer {
  review_id: string;
  window: 'accept' | 'resolution';
  phase: 'reminder' | 'due';
  /** For the accept window: the assignment it belongs to. */
  assignment?: number | undefined;
  /**
   * For the accept window: its deadline (ms since the epoch). An assignment that rolled back
   * after queuing its timers leaves the next one the same number, not the same deadline.
   * Absent from timers queued before it existed: the number alone decides for those.
   */
  due_at?: number | undefined;
}

const stillAssigned = (r: ReviewRow, t: Timer) => r.status === 'assigned' && r.assignment === t.assignment
  && (t.due_at === undefined || new Date(r.accept_due!).getTime() === t.due_at);
const stillOpen = (r: ReviewRow) => r.status === 'assigned' || r.status === 'in_progress' || r.status === 'pending';

/** `review.reminder` to the lawyer holding the review. */
async function remind(deps: TimerDeps, t: Timer): Promise<string> {
  const r = await loadReview(deps.db, t.review_id).catch(() => undefined);
  const due = t.window === 'accept' ? r && stillAssigned(r, t) : r && stillOpen(r) && r.status !== 'pending';
  if (!r || !due || !r.lawyer_id) return 'moved on';
  await deps.effects.remind(r, t.window);
  return 'reminded';
}

/** The assigned lawyer did not accept in time: the review goes to someone else, never back to them. */
async function acceptExpired(deps: TimerDeps, t: Timer): Promise<string> {
  const lawyerId = await deps.db.transaction(async (trx) => {
    const r = (await trx('lawyer_reviews').where({ id: t.review_id }).forUpdate().first()) as ReviewRow | undefined;
    if (!r || !stillAssigned(r, t) || !r.lawyer_id) return undefined;
    await trx('review_passes').insert({ review_id: r.id, lawyer_id: r.lawyer_id, kind: 'expired' }).onConflict(['review_id', 'lawyer_id']).ignore();
    await releaseSlot(trx, r.lawyer_id);
    await trx('lawyer_reviews').where({ id: r.id }).update({ status: 'pending', lawyer_id: null, accept_due: null, updated_at: trx.fn.now() });
    await audit({ action: 'review.accept_expired', targetType: 'review', targetId: r.id, meta: { lawyer_id: r.lawyer_id, assignment: r.assignment } }, trx);
    return r.lawyer_id;
  });
  if (!lawyerId) return 'moved on';
  reviewSlaBreaches.inc({ kind: 'accept' });
  const review = await loadReview(deps.db, t.review_id);
  await deps.effects.announce(review, [lawyerId]);
  await deps.effects.route(review.id, review.assignment);
  await deps.effects.routePending();
  return 'rerouted';
}

/**
 * Past the resolution deadline: breached once, escalated to admins (event and audit entry),
 * and taken back for rerouting unless a lawyer who may still hold it is working on it (one
 * blocked or given another role could neither finish it nor give it back).
 */
async function resolutionBreached(deps: TimerDeps, t: Timer): Promise<string> {
  const outcome = await deps.db.transaction(async (trx) => {
    const r = (await trx('lawyer_reviews').where({ id: t.review_id }).forUpdate().first()) as ReviewRow | undefined;
    if (!r || !stillOpen(r) || r.breached_at) return undefined;
    const working = r.status === 'in_progress' && r.lawyer_id !== null && (await stillMayHold(trx, r.lawyer_id));
    const takenBack = r.status !== 'pending' && !working;
    const takeBack = takenBack ? r.lawyer_id : null;
    if (takeBack) {
      await trx('review_passes').insert({ review_id: r.id, lawyer_id: takeBack, kind: 'expired' }).onConflict(['review_id', 'lawyer_id']).ignore();
      await releaseSlot(trx, takeBack);
    }
    await trx('lawyer_reviews').where({ id: r.id }).update({
      breached_at: trx.fn.now(), updated_at: trx.fn.now(),
      ...(takenBack ? { status: 'pending', lawyer_id: null, accept_due: null } : {}),
    });
    await audit({ action: 'review.sla_breached', targetType: 'review', targetId: r.id, meta: { status: r.status, lawyer_id: r.lawyer_id, urgency: r.urgency } }, trx);
    return { takeBack, reroute: !working };
  });
  if (!outcome) return 'moved on';
  reviewSlaBreaches.inc({ kind: 'resolution' });
  const review = await loadReview(deps.db, t.review_id);
  await deps.effects.announce(review, [...(outcome.takeBack ? [outcome.takeBack] : []), ...(await adminIds(deps.db))], 'sla_breached');
  if (outcome.reroute) await deps.effects.route(review.id, review.assignment);
  if (outcome.takeBack) await deps.effects.routePending();
  return 'breached';
}

/** How long past a deadline its own timer job has to act before the sweep does. */
const SWEEP_GRACE = "interval '1 minute'";

/**
 * The deadlines whose timer job was lost (a delayed job fails for good when Postgres is down
 * through its retries): acted on by the minute's sweep. Acting twice changes nothing, since each
 * action checks that the review has not moved on.
 */
export async function sweepOverdue(deps: TimerDeps): Promise<{ overdue: number }> {
  const late = `< now() - ${SWEEP_GRACE}`;
  const accept = (await deps.db('lawyer_reviews').where({ status: 'assigned' }).whereRaw(`accept_due ${late}`).limit(100)
    .select('id', 'assignment', 'accept_due')) as Array<{ id: string; assignment: number; accept_due: Date }>;
  const resolution: string[] = await deps.db('lawyer_reviews').whereIn('status', ['pending', 'assigned', 'in_progress']).whereNull('breached_at')
    .whereRaw(`resolution_due ${late}`).limit(100).pluck('id');
  for (const r of accept) await acceptExpired(deps, { review_id: r.id, window: 'accept', phase: 'due', assignment: r.assignment, due_at: r.accept_due.getTime() });
  for (const id of resolution) await resolutionBreached(deps, { review_id: id, window: 'resolution', phase: 'due' });
  return { overdue: accept.length + resolution.length };
}

export async function runTimer(deps: TimerDeps, t: Timer): Promise<{ outcome: string }> {
  if (t.phase === 'reminder') return { outcome: await remind(deps, t) };
  return { outcome: await (t.window === 'accept' ? acceptExpired(deps, t) : resolutionBreached(deps, t)) };
}
