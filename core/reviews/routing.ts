/**
 * Routing: a pending review goes to an accepting lawyer with its specialization and the
 * lowest load relative to capacity, never to one who passed on it, nor to its requester.
 * The slot is taken by one conditional UPDATE of the lawyer's profile row (locked with SKIP
 * LOCKED, re-checked by the UPDATE under the lock), so two routings at once can never both
 * take a lawyer's last slot, even where they do not take turns (a lawyer's own writes).
 */
import type { Knex } from 'knex';
import type { Db } from '../db/knex.js';
import type { ReviewEffects } from './effects.js';
import { loadReview, type ReviewRow } from './view.js';

/** Thrown by the route job while no lawyer is free: BullMQ retries it with backoff. */
export class NoLawyerFree extends Error {
  override name = 'NoLawyerFree';
}

export interface RoutingDeps {
  db: Db;
  effects: ReviewEffects;
  acceptSeconds: number;
}

/**
 * A lawyer `p` (with their account `u`) free to take review `r`: accepting, a slot free, the
 * review's specialization, an active lawyer account, not its requester, not one who passed on it.
 */
const FREE_FOR_REVIEW = `p.accepting AND p.active_reviews < p.capacity AND r.specialization = ANY (p.specializations)
  AND u.role = 'lawyer' AND u.status = 'active' AND p.user_id <> r.requester_id
  AND NOT EXISTS (SELECT 1 FROM review_passes x WHERE x.review_id = r.id AND x.lawyer_id = p.user_id)`;

/** Takes a slot of the best lawyer for `review`; undefined when none is free. */
async function takeSlot(trx: Knex.Transaction, review: ReviewRow): Promise<string | undefined> {
  const { rows } = (await trx.raw(
    `WITH pick AS (
       SELECT p.user_id FROM lawyer_reviews r, lawyer_profiles p JOIN users u ON u.id = p.user_id
        WHERE r.id = ? AND ${FREE_FOR_REVIEW}
        ORDER BY p.active_reviews::float / p.capacity, p.active_reviews, p.updated_at
        LIMIT 1
        FOR UPDATE OF p SKIP LOCKED)
     UPDATE lawyer_profiles p SET active_reviews = p.active_reviews + 1
       FROM pick WHERE p.user_id = pick.user_id AND p.active_reviews < p.capacity
     RETURNING p.user_id`,
    [review.id],
  )) as { rows: Array<{ user_id: string }> };
  return rows[0]?.user_id;
}

/** Gives a lawyer's slot back (the review left `assigned`/`in_progress`). */
export async function releaseSlot(trx: Knex.Transaction, lawyerId: string): Promise<void> {
  await trx('lawyer_profiles').where({ user_id: lawyerId }).where('active_reviews', '>', 0).decrement('active_reviews', 1);
}

type Attempt = 'assigned' | 'not_pending' | 'no_lawyer';

/**
 * Routes one review if it is still pending. Routing decisions take turns (a transaction-scoped
 * advisory lock), so the oldest pending review is offered a freed slot before a younger one.
 */
async function tryRoute(deps: RoutingDeps, reviewId: string): Promise<Attempt> {
  const outcome = await deps.db.transaction(async (trx): Promise<Attempt> => {
    await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', ['reviews-routing']);
    const row = (await trx('lawyer_reviews').where({ id: reviewId }).forUpdate().first()) as ReviewRow | undefined;
    if (!row || row.status !== 'pending' || !row.specialization) return 'not_pending';
    const lawyerId = await takeSlot(trx, row);
    if (!lawyerId) return 'no_lawyer';
    const assignedAt = new Date();
    const assignment = { id: reviewId, assignment: row.assignment + 1, assigned_at: assignedAt, accept_due: new Date(assignedAt.getTime() + deps.acceptSeconds * 1000) };
    await trx('lawyer_reviews').where({ id: reviewId }).update({
      status: 'assigned', lawyer_id: lawyerId, assignment: assignment.assignment,
      assigned_at: assignment.assigned_at, accept_due: assignment.accept_due, updated_at: trx.fn.now(),
    });
    // Before the commit: a crash after it must not leave the assignment without its deadline.
    await deps.effects.acceptTimers(assignment);
    return 'assigned';
  });
  if (outcome === 'assigned') await deps.effects.announce(await loadReview(deps.db, reviewId));
  return outcome;
}

const PENDING_BATCH = 100;

/**
 * Routes the oldest pending reviews that a lawyer is free to take (after a slot frees, and every
 * minute): reviews no lawyer can take (no one with the specialization, or all of them passed)
 * would otherwise fill the batch and keep younger ones from a freed slot. A review still without
 * a specialization a minute after its request lost its classify job (a crash after the commit):
 * it is classified again.
 */
export async function routePending(deps: RoutingDeps, also?: string): Promise<{ assigned: number }> {
  let assigned = 0;
  const unlabelled: string[] = await deps.db('lawyer_reviews').where({ status: 'pending' }).whereNull('specialization')
    .where('created_at', '<', deps.db.raw(`now() - interval '1 minute'`)).limit(PENDING_BATCH).pluck('id');
  for (const id of unlabelled) await deps.effects.classify(id);
  const pending: string[] = await deps.db('lawyer_reviews as r').where('r.status', 'pending').whereNotNull('r.specialization')
    .whereExists((q) => q.select(1).from('lawyer_profiles as p').join('users as u', 'u.id', 'p.user_id').whereRaw(FREE_FOR_REVIEW))
    .orderBy('r.created_at').limit(PENDING_BATCH).pluck('r.id');
  if (also && !pending.includes(also)) pending.push(also);
  for (const id of pending) {
    const free = await deps.db('lawyer_profiles').where({ accepting: true }).whereRaw('active_reviews < capacity').first('user_id');
    if (!free) break;
    if ((await tryRoute(deps, id)) === 'assigned') assigned++;
  }
  return { assigned };
}

/**
 * The route job of one review: older pending reviews are served first, then this one; while
 * it is still pending, NoLawyerFree makes BullMQ retry it with backoff.
 */
export async function routeReview(deps: RoutingDeps, reviewId: string): Promise<{ assigned: number }> {
  const done = await routePending(deps, reviewId);
  const row = await deps.db('lawyer_reviews').where({ id: reviewId }).first('status', 'specialization');
  if (row?.status === 'pending' && row.specialization) throw new NoLawyerFree('no lawyer with a free slot for this review');
  return done;
}
