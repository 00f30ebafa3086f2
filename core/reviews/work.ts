/**
 * What the assigned lawyer and the requester do with a review. Each action locks the row,
 * checks who may act and in which state (`not_found` for anyone else, `conflict` for the
 * wrong state), writes and audits in one transaction, and only then announces the change
 * and frees or reroutes what it must. The committed action is the answer: a follow-up that
 * fails is logged, and the minute's `reviews.route-pending` routes what it left pending.
 */
import type { Knex } from 'knex';
import { audit } from '../audit.js';
import { maskInScope } from '../chat/masking.js';
import { toPublicMessage } from '../chat/messages.js';
import type { Db } from '../db/knex.js';
import type { Vault } from '../dlp/index.js';
import { domainErrors } from '../errors.js';
import type { Logger } from '../log.js';
import type { RegistryScope } from '../pii-vault.js';
import type { ReviewEffects } from './effects.js';
import { giveBackAllowance } from './request.js';
import { releaseSlot } from './routing.js';
import { loadReview, OPEN_STATUSES, reviewsQuery, type ReviewRow, type ReviewStatus } from './view.js';

export interface WorkDeps {
  db: Db;
  vault: Vault;
  effects: ReviewEffects;
  log: Pick<Logger, 'warn'>;
}

type Actor = { id: string; as: 'lawyer' | 'requester' };

/** The registry of what is reviewed: the requester's, who owns the answer or the document. */
const scopeOf = async (trx: Knex.Transaction, r: ReviewRow): Promise<RegistryScope> =>
  r.subject_type === 'document'
    ? { type: 'document', id: r.document_id!, owner: r.requester_id }
    : { type: 'chat', id: (await trx('messages').where({ id: r.message_id }).first('chat_id')).chat_id, owner: r.requester_id };

/** Locks the review for `actor`; someone who may not act on it learns nothing of it. */
async function lockFor(trx: Knex.Transaction, actor: Actor, id: string, states: ReviewStatus[], what: string): Promise<ReviewRow> {
  const row = (await trx('lawyer_reviews').where({ id }).forUpdate().first()) as ReviewRow | undefined;
  const mine = row && (actor.as === 'lawyer' ? row.lawyer_id === actor.id : row.requester_id === actor.id);
  if (!row || !mine) throw domainErrors.notFound('no such review');
  if (!states.includes(row.status)) throw domainErrors.conflict(`a review that is ${row.status} cannot be ${what}`);
  return row;
}

interface Change {
  /** Users told besides the requester and the current lawyer (a lawyer who let it go). */
  alsoTo?: string[];
  /** The lawyer's slot came free: pending reviews may take it. */
  freed?: boolean;
  /** Back to pending: route it again (round = its assignment count). */
  reroute?: boolean;
  afterCommit?: (review: ReviewRow) => Promise<void>;
}

async function act(deps: WorkDeps, actor: Actor, id: string, states: ReviewStatus[], what: string,
  change: (trx: Knex.Transaction, row: ReviewRow) => Promise<Change>): Promise<ReviewRow> {
  const { review, done } = await deps.db.transaction(async (trx) => {
    const row = await lockFor(trx, actor, id, states, what);
    const result = await change(trx, row);
    await audit({ actorId: actor.id, action: `review.${what}`, targetType: 'review', targetId: id, meta: { from: row.status } }, trx);
    // Read before the commit: nothing after it may fail the answer of an action that took effect.
    return { review: await loadReview(trx, id), done: result };
  });
  await followUp(deps.effects, review, done).catch((err: Error) =>
    deps.log.warn({ err: err.message, review_id: id, action: what }, 'review follow-up failed after the commit: its routing is left to the minute sweep'));
  return review;
}

/** What a committed change sets off: the announcement, a reroute, routing into a freed slot. */
async function followUp(effects: ReviewEffects, review: ReviewRow, done: Change): Promise<void> {
  await done.afterCommit?.(review);
  await effects.announce(review, done.alsoTo);
  if (done.reroute) await effects.route(review.id, review.assignment);
  if (done.freed) await effects.routePending();
}

const touch = (trx: Knex.Transaction) => ({ updated_at: trx.fn.now() });

export const acceptReview = (deps: WorkDeps, lawyerId: string, id: string) =>
  act(deps, { id: lawyerId, as: 'lawyer' }, id, ['assigned'], 'accepted', async (trx) => {
    await trx('lawyer_reviews').where({ id }).update({ status: 'in_progress', accepted_at: trx.raw('coalesce(accepted_at, now())'), ...touch(trx) });
    return {};
  });

/** The lawyer gives the review back; it goes to someone else, never to them again. */
export const declineReview = (deps: WorkDeps, lawyerId: string, id: string, reason: string) =>
  act(deps, { id: lawyerId, as: 'lawyer' }, id, ['assigned', 'in_progress'], 'declined', async (trx, row) => {
    const [masked] = await maskInScope(trx, deps.vault, await scopeOf(trx, row), [reason]);
    await trx('review_passes').insert({ review_id: id, lawyer_id: lawyerId, kind: 'declined', reason: masked }).onConflict(['review_id', 'lawyer_id']).merge();
    await releaseSlot(trx, lawyerId);
    await trx('lawyer_reviews').where({ id }).update({ status: 'pending', lawyer_id: null, accept_due: null, ...touch(trx) });
    return { alsoTo: [lawyerId], freed: true, reroute: true };
  });

export interface Completion {
  verdict: 'approved' | 'corrected' | 'rejected';
  comment: string;
  corrected_content?: string | undefined;
}

/**
 * The lawyer's verdict. On an answer, the verdict joins the chat as a `lawyer` message: the
 * corrected answer, or the lawyer's comment when they approve or reject it.
 */
export const completeReview = (deps: WorkDeps, lawyerId: string, id: string, input: Completion) =>
  act(deps, { id: lawyerId, as: 'lawyer' }, id, ['in_progress'], 'completed', async (trx, row) => {
    if (input.verdict === 'corrected' && !input.corrected_content) throw domainErrors.invalid('a `corrected` verdict needs `corrected_content`');
    const scope = await scopeOf(trx, row);
    const [comment, corrected] = await maskInScope(trx, deps.vault, scope, [input.comment, input.corrected_content ?? '']);
    let lawyerMessageId: string | null = null;
    let afterCommit: Change['afterCommit'];
    if (scope.type === 'chat') {
      const [message] = await trx('messages').insert({
        chat_id: scope.id, user_id: row.requester_id, sender: 'lawyer', content: corrected || comment, status: 'completed',
        meta: { review_id: id, verdict: input.verdict, reviewed_message_id: row.message_id, ...(corrected ? { comment } : {}) },
      }).returning('*');
      await trx('chats').where({ id: scope.id }).update(touch(trx));
      lawyerMessageId = message.id;
      afterCommit = () => deps.effects.messageCreated(scope.id, row.requester_id, toPublicMessage(message));
    }
    await releaseSlot(trx, lawyerId);
    await trx('lawyer_reviews').where({ id }).update({
      status: 'completed', verdict: input.verdict, result_comment: comment, corrected_content: corrected || null,
      lawyer_message_id: lawyerMessageId, completed_at: trx.fn.now(), ...touch(trx),
    });
    return { freed: true, ...(afterCommit ? { afterCommit } : {}) };
  });

/**
 * Ends an open review as `cancelled`; the lawyer holding it gets the slot back, and the
 * requester the allowance when no lawyer ever took it on (a cancel happens once per review).
 */
async function cancelOpen(trx: Knex.Transaction, row: ReviewRow): Promise<Change> {
  if (row.lawyer_id) await releaseSlot(trx, row.lawyer_id);
  await trx('lawyer_reviews').where({ id: row.id }).update({ status: 'cancelled', ...touch(trx) });
  if (row.accepted_at === null) await giveBackAllowance(trx, row);
  return { freed: row.lawyer_id !== null };
}

export const cancelReview = (deps: WorkDeps, userId: string, id: string) =>
  act(deps, { id: userId, as: 'requester' }, id, OPEN_STATUSES, 'cancelled', cancelOpen);

/** Reviews changed inside a transaction (cancelled before a delete, handed back), for `announceChanged` after its commit. */
export type ChangedReviews = Array<{ review: ReviewRow; change: Change }>;

/**
 * Cancels, inside `trx`, the open reviews of a subject that is about to be deleted (a
 * document being destroyed, an erased requester's chats) as the requester's cancel would:
 * the delete cascades to the review rows, and without this the lawyer's slot would stay taken
 * for good. The rows are read back as cancelled now, since after the commit they are gone.
 */
export async function cancelReviewsOf(trx: Knex.Transaction, subject: { document_id: string } | { requester_id: string }, via: string): Promise<ChangedReviews> {
  const rows = (await trx('lawyer_reviews').where(subject).whereIn('status', OPEN_STATUSES).orderBy('id').forUpdate()) as ReviewRow[];
  const changes = new Map<string, Change>();
  for (const row of rows) {
    changes.set(row.id, await cancelOpen(trx, row));
    await audit({ actorId: row.requester_id, action: 'review.cancelled', targetType: 'review', targetId: row.id, meta: { from: row.status, via } }, trx);
  }
  if (!rows.length) return [];
  const cancelled = (await reviewsQuery(trx).whereIn('r.id', [...changes.keys()])) as ReviewRow[];
  return cancelled.map((review) => ({ review, change: changes.get(review.id)! }));
}

/** After the commit of `cancelReviewsOf` or `handBackReviewsOf`: what the endpoints set off, for each review. */
export async function announceChanged(effects: ReviewEffects, changed: ChangedReviews): Promise<void> {
  for (const { review, change } of changed) await followUp(effects, review, change);
}

export const rateReview = (deps: WorkDeps, userId: string, id: string, score: number, comment?: string) =>
  act(deps, { id: userId, as: 'requester' }, id, ['completed'], 'rated', async (trx, row) => {
    if (row.rating_score !== null) throw domainErrors.conflict('this review is already rated');
    const [masked] = comment ? await maskInScope(trx, deps.vault, await scopeOf(trx, row), [comment]) : [null];
    await trx('lawyer_reviews').where({ id }).update({ rating_score: score, rating_comment: masked, ...touch(trx) });
    return {};
  });
