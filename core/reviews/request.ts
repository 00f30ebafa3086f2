/**
 * A user asks a lawyer to check an assistant's answer or a document. The request takes one
 * of the plan's `reviews_per_month` for the period (a conditional upsert: parallel requests
 * cannot overrun it; 402 past it); a review cancelled before any lawyer took it on gives it
 * back. The comment is masked with the subject's registry. The resolution timers are queued
 * before the commit, routing after it.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { audit } from '../audit.js';
import { giveBackUsage, periodTaken, takeUsage } from '../billing/quotas.js';
import { maskInScope } from '../chat/masking.js';
import type { Db } from '../db/knex.js';
import type { Vault } from '../dlp/index.js';
import { ownDocument } from '../documents/documents.js';
import { domainErrors } from '../errors.js';
import type { Logger } from '../log.js';
import type { RegistryScope } from '../pii-vault.js';
import type { ReviewEffects } from './effects.js';
import type { Specialization } from './specializations.js';
import { loadReview, OPEN_STATUSES, type ReviewRow } from './view.js';

export interface RequestDeps {
  db: Db;
  vault: Vault;
  effects: ReviewEffects;
  log: Pick<Logger, 'warn'>;
  slaSeconds: { standard: number; urgent: number };
}

export interface ReviewRequest {
  comment?: string | undefined;
  urgency?: 'standard' | 'urgent' | undefined;
  specialization?: Specialization | undefined;
}

export type SubjectRef = { type: 'message' | 'document'; id: string };

/**
 * The subject must be the caller's completed answer or ready document; its registry masks the
 * comment, and a document's current version is the one reviewed. Its row is locked, so two
 * requests for one subject take turns and the second finds the first's review open.
 */
async function subjectScope(trx: Knex.Transaction, userId: string, subject: SubjectRef): Promise<{ scope: RegistryScope; version?: number }> {
  if (subject.type === 'document') {
    const doc = await ownDocument(userId, subject.id, trx);
    if (doc.status !== 'ready') throw domainErrors.conflict('the document is not ready yet');
    return { scope: { type: 'document', id: doc.id, owner: userId }, version: doc.version };
  }
  // The chat first, key-share locked: retention, which deletes a chat under update locks, then
  // waits for this review and keeps the chat, or has deleted it and this finds nothing.
  const chat = await trx('chats').where({ user_id: userId }).whereIn('id', trx('messages').select('chat_id').where({ id: subject.id })).forKeyShare().first('id');
  if (!chat) throw domainErrors.notFound('no such message');
  const message = await trx('messages').where({ id: subject.id, chat_id: chat.id }).first('chat_id', 'sender', 'status').forUpdate();
  if (!message) throw domainErrors.notFound('no such message');
  if (message.sender !== 'assistant' || message.status !== 'completed') throw domainErrors.conflict('only a completed answer of the assistant can be reviewed');
  return { scope: { type: 'chat', id: message.chat_id, owner: userId } };
}

export async function requestReview(deps: RequestDeps, userId: string, subject: SubjectRef, input: ReviewRequest): Promise<ReviewRow> {
  const id = randomUUID();
  const urgency = input.urgency ?? 'standard';
  await deps.db.transaction(async (trx) => {
    const { scope, version } = await subjectScope(trx, userId, subject);
    const column = subject.type === 'message' ? 'message_id' : 'document_id';
    const open = await trx('lawyer_reviews').where({ [column]: subject.id }).whereIn('status', OPEN_STATUSES).first('id');
    if (open) throw domainErrors.conflict('a review of this is already open');
    await takeUsage(trx, userId, 'reviews');
    const [comment] = input.comment ? await maskInScope(trx, deps.vault, scope, [input.comment]) : [null];
    const createdAt = new Date();
    const deadline = { id, created_at: createdAt, resolution_due: new Date(createdAt.getTime() + deps.slaSeconds[urgency] * 1000) };
    await trx('lawyer_reviews').insert({
      id, requester_id: userId, subject_type: subject.type, [column]: subject.id, document_version: version ?? null, urgency,
      specialization: input.specialization ?? null, comment, created_at: createdAt, updated_at: createdAt, resolution_due: deadline.resolution_due,
    });
    await audit({ actorId: userId, action: 'review.requested', targetType: 'review', targetId: id, meta: { subject: subject.type, urgency } }, trx);
    // Before the commit: no review may exist without its deadline (a timer of a request that
    // rolled back finds nothing and does nothing).
    await deps.effects.resolutionTimers(deadline).catch((err: Error) => {
      throw domainErrors.unavailable(`the review could not be queued (${err.name}); try again`);
    });
  });
  const review = await loadReview(deps.db, id);
  // The review is requested once committed. Should its route (or classify) job not be queued,
  // it waits pending for the minute's routing sweep, which classifies and routes such reviews
  // (routePending): taking it back here could undo one whose job did reach Redis and a lawyer.
  await (review.specialization ? deps.effects.route(id, 0) : deps.effects.classify(id))
    .catch((err: Error) => deps.log.warn({ err: err.message, review_id: id }, 'review not queued: the routing sweep takes it'));
  // Only an event: the review is requested and queued, so the answer is 202 all the same.
  await deps.effects.announce(review).catch((err: Error) => deps.log.warn({ err: err.message, review_id: id }, 'review.updated not sent'));
  return review;
}

/**
 * Gives back the allowance a review took, inside the transaction that ends it unreviewed. Only
 * when it was requested in the period still running: a past period's count is closed.
 */
export async function giveBackAllowance(trx: Knex.Transaction, review: Pick<ReviewRow, 'requester_id' | 'created_at'>): Promise<void> {
  const taken = await periodTaken(trx, review.requester_id, 'reviews');
  if (new Date(review.created_at) >= taken.periodStart) await giveBackUsage(trx, review.requester_id, taken);
}
