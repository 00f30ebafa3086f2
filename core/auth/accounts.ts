/**
 * Changing an account's role or status (admins over HTTP, operators through the CLI). The
 * change, its audit row, on a block the cancellation of the account's unfinished replies, and
 * for an account that may no longer hold reviews the hand-back of its open ones are one
 * transaction. What lies outside the database (open sockets on every API node, queued jobs,
 * the handed-back reviews' events and routing) is handled right after the commit by
 * `AccountEffects`.
 */
import { audit } from '../audit.js';
import { ACCOUNT_BLOCKED } from '../chat/account-blocked.js';
import type { Db } from '../db/knex.js';
import { User, type Role, type UserStatus } from '../db/models/index.js';
import { domainErrors } from '../errors.js';
import { handBackReviewsOf, mayHoldReviews } from '../reviews/hand-back.js';
import { revokeSessionsOf } from './refresh-tokens.js';
import type { ChangedReviews } from '../reviews/work.js';

export interface AccountChange {
  role?: Role;
  status?: UserStatus;
}

export interface ChangedBy {
  actorId: string | null;
  ip?: string;
  via: 'api' | 'cli' | 'privacy.erasure';
}

/** Side effects outside the database, run after the commit. */
export interface AccountEffects {
  /**
   * Tells every API node to forget what it cached of the user; tells the requesters and the
   * lawyer of the reviews the change handed back, and routes them.
   */
  changed(userId: string, handedBack: ChangedReviews): Promise<void>;
  /**
   * Cancels the user's queued jobs and closes every socket of the user, on every API node;
   * an erasure's block leaves them open (`closeSockets: false`): the owner follows it there,
   * every client event refused, and the erasure closes them when it ends.
   */
  blocked(userId: string, cancelledReplyIds: string[], opts: { closeSockets: boolean }): Promise<void>;
}

/** Fails the user's unfinished replies (and questions still being masked); returns the reply ids. */
async function cancelUnfinished(trx: Db, userId: string): Promise<string[]> {
  await trx('messages').where({ user_id: userId, sender: 'user', status: 'pending' }).update({ status: 'failed', updated_at: trx.fn.now() });
  const rows: Array<{ id: string }> = await trx('messages')
    .where({ user_id: userId, sender: 'assistant' })
    .whereIn('status', ['queued', 'streaming'])
    .update({ status: 'failed', meta: JSON.stringify({ error: ACCOUNT_BLOCKED }), updated_at: trx.fn.now() })
    .returning('id');
  return rows.map((r) => r.id);
}

/** Applies the change to the account found by id or e-mail; answers the account as it now is. */
export async function changeAccount(
  db: Db,
  effects: AccountEffects,
  who: { id: string } | { email: string },
  change: AccountChange,
  by: ChangedBy,
): Promise<User> {
  const { user, cancelled, handedBack } = await db.transaction(async (trx) => {
    // No key changes: rows that point at the account (a lawyer's decline recorded meanwhile,
    // which holds the review this change hands back) may still reference it, or the two deadlock.
    const found = await User.query(trx).findOne(who).forNoKeyUpdate();
    if (!found) throw domainErrors.notFound('no such user');
    // The row's own id: Postgres reads a uuid in any letter case, a string comparison would not.
    if (by.actorId && found.id === by.actorId) throw domainErrors.conflict('an admin cannot change their own role or status');
    const before = { role: found.role, status: found.status }; // patchAndFetch updates `found` in place
    const user = await found.$query(trx).patchAndFetch(change);
    const blockedNow = before.status !== 'blocked' && user.status === 'blocked';
    const cancelled = blockedNow ? await cancelUnfinished(trx, user.id) : [];
    // A block ends the sessions: after an unblock the person signs in again, and a stolen
    // refresh token does not come back to life.
    if (blockedNow) await revokeSessionsOf(trx, user.id);
    // Checked on every change, not only a lawyer's: a rerun finds nothing, and a lawyer blocked
    // some other way gives their reviews back at the next change.
    const handedBack = mayHoldReviews(user) ? [] : await handBackReviewsOf(trx, user.id, { actorId: by.actorId, via: by.via });
    await audit({
      actorId: by.actorId,
      action: 'admin.user_update',
      targetType: 'user',
      targetId: user.id,
      ip: by.ip,
      meta: { ...change, from: before, via: by.via, cancelled_replies: cancelled.length, reviews_handed_back: handedBack.length },
    }, trx);
    return { user, cancelled, handedBack };
  });
  // Before `blocked` closes the sockets, so a blocked lawyer still hears of their reviews.
  await effects.changed(user.id, handedBack);
  // On every change that leaves the account blocked: a block whose effects failed after its
  // commit (Redis away) has them again when the admin repeats it. They are idempotent.
  if (user.status === 'blocked') await effects.blocked(user.id, cancelled, { closeSockets: by.via !== 'privacy.erasure' });
  return user;
}
