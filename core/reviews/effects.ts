/**
 * What a review change sets off outside its transaction, run after the commit: realtime
 * events, routing jobs and timers. Implemented over BullMQ and the Socket.IO emitter in
 * pipelines/reviews.ts; core/ only states what must happen.
 */
import type { Knex } from 'knex';
import type { PublicMessage } from '../chat/messages.js';
import type { ReviewRow } from './view.js';

export interface ReviewEffects {
  /** `review.updated` to the requester, the lawyer and anyone else named (a lawyer who lost it, admins). */
  announce(review: ReviewRow, alsoTo?: string[], escalation?: 'sla_breached'): Promise<void>;
  /** `review.reminder` to the lawyer holding it: a deadline is near. */
  remind(review: ReviewRow, deadline: 'accept' | 'resolution'): Promise<void>;
  /** A lawyer message joined a chat. */
  messageCreated(chatId: string, userId: string, message: PublicMessage): Promise<void>;
  /** Classifies the subject, then routes (a review without a specialization). */
  classify(reviewId: string): Promise<void>;
  /** Routes one pending review; `round` is its assignment count, so one trigger per round runs. */
  route(reviewId: string, round: number): Promise<void>;
  /** A slot freed: routes the oldest pending reviews that fit. */
  routePending(): Promise<void>;
  /**
   * The reminder and the deadline of an assignment's accept window. Queued before the
   * assignment commits, so a crash cannot leave an assignment without its timers (a timer of
   * an assignment that rolled back finds another deadline, though maybe the same assignment
   * number, and does nothing; its job id names both, so it does not stand in for the next one's).
   */
  acceptTimers(review: Pick<ReviewRow, 'id' | 'assignment' | 'assigned_at' | 'accept_due'>): Promise<void>;
  /** The reminder and the deadline of the resolution SLA; queued before the request commits, likewise. */
  resolutionTimers(review: Pick<ReviewRow, 'id' | 'created_at' | 'resolution_due'>): Promise<void>;
}

/** Admins get escalations. */
export async function adminIds(db: Knex): Promise<string[]> {
  return (await db('users').where({ role: 'admin', status: 'active' }).select('id')).map((r: { id: string }) => r.id);
}
