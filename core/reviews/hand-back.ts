/**
 * A lawyer who may no longer hold reviews (blocked, or given another role) hands the open ones
 * back to routing inside the transaction that changes the account, so no review is ever held
 * by someone who can neither work on it (403) nor lose it: the slot is released and the review
 * is pending again. After the commit `announceChanged` tells the requester and the lawyer and
 * routes it, as a decline does. A rerun finds nothing left to hand back.
 */
import type { Knex } from 'knex';
import { audit } from '../audit.js';
import type { Role, UserStatus } from '../db/models/index.js';
import { releaseSlot } from './routing.js';
import { reviewsQuery, type ReviewRow } from './view.js';
import type { ChangedReviews } from './work.js';

/** Routing's condition on the account (`FREE_FOR_REVIEW`): only an active lawyer holds reviews. */
export const mayHoldReviews = (account: { role: Role; status: UserStatus }) => account.role === 'lawyer' && account.status === 'active';

/** Whether the lawyer holding a review may still hold it (an erased one may not). */
export async function stillMayHold(trx: Knex.Transaction, lawyerId: string): Promise<boolean> {
  const account = await trx('users').where({ id: lawyerId }).first('role', 'status');
  return account !== undefined && mayHoldReviews(account);
}

export async function handBackReviewsOf(trx: Knex.Transaction, lawyerId: string, by: { actorId: string | null; via: string }): Promise<ChangedReviews> {
  const rows = (await trx('lawyer_reviews').where({ lawyer_id: lawyerId }).whereIn('status', ['assigned', 'in_progress']).orderBy('id').forUpdate()) as ReviewRow[];
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  await trx('lawyer_reviews').whereIn('id', ids).update({ status: 'pending', lawyer_id: null, accept_due: null, updated_at: trx.fn.now() });
  for (const row of rows) {
    await releaseSlot(trx, lawyerId);
    await audit({ actorId: by.actorId, action: 'review.handed_back', targetType: 'review', targetId: row.id, meta: { from: row.status, lawyer_id: lawyerId, via: by.via } }, trx);
  }
  const handed = (await reviewsQuery(trx).whereIn('r.id', ids)) as ReviewRow[];
  return handed.map((review) => ({ review, change: { alsoTo: [lawyerId], freed: true, reroute: true } }));
}
