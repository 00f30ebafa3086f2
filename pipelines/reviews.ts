/**
 * Review effects over BullMQ and the Socket.IO emitter. Job ids name what they do, so a
 * repeated trigger adds nothing: one route per review and assignment round, one timer per
 * window and phase (and assignment and its deadline). Timers are delayed jobs: they live in Redis and fire
 * after a worker restart all the same.
 */
import { createEmitter, type Emitter } from '../core/emitter.js';
import type { RedisClient } from '../core/redis.js';
import type { ReviewEffects } from '../core/reviews/effects.js';
import { REMINDER_AT, type Timer } from '../core/reviews/timers.js';
import { toPublicReview, type ReviewRow } from '../core/reviews/view.js';
import { chatRoom, userRoom } from '../core/rooms.js';
import { reviewChanges } from '../core/telemetry/metrics.js';
import type { Queues } from './queues.js';
import { DEFAULT_JOB_OPTIONS } from './registry.js';

/** Routing retries while no lawyer is free: 2 s, 4 s, … about 8 minutes in all; then the minute sweep. */
const ROUTE_OPTIONS = { ...DEFAULT_JOB_OPTIONS, attempts: 8, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: true, removeOnFail: true } as const;

export const timerJobId = (t: Timer) =>
  `review-${t.review_id}-${t.window}-${t.phase}${t.assignment ? `-a${t.assignment}` : ''}${t.due_at ? `-${t.due_at}` : ''}`;

const ms = (d: Date | string) => new Date(d).getTime();

export function createReviewEffects(deps: { queues: Queues; emitter?: Emitter; redis: RedisClient }): ReviewEffects {
  const emitter = deps.emitter ?? createEmitter(deps.redis, deps.queues.prefix);
  const timer = async (t: Timer, at: number) => {
    await deps.queues.add('reviews.timer', t, { jobId: timerJobId(t), delay: Math.max(0, at - Date.now()) });
  };
  const windowTimers = async (t: Omit<Timer, 'phase'>, from: Date, due: Date) => {
    await timer({ ...t, phase: 'reminder' }, ms(from) + REMINDER_AT * (ms(due) - ms(from)));
    await timer({ ...t, phase: 'due' }, ms(due));
  };
  return {
    async announce(review: ReviewRow, alsoTo = [], escalation) {
      reviewChanges.inc({ status: review.status });
      const to = [...new Set([review.requester_id, ...(review.lawyer_id ? [review.lawyer_id] : []), ...alsoTo])];
      emitter.to(to.map(userRoom)).emit('review.updated', { review: toPublicReview(review), ...(escalation ? { escalation } : {}) });
    },
    async remind(review, deadline) {
      if (review.lawyer_id) emitter.to(userRoom(review.lawyer_id)).emit('review.reminder', { review: toPublicReview(review), deadline });
    },
    async messageCreated(chatId, userId, message) {
      emitter.to([chatRoom(chatId), userRoom(userId)]).emit('message.created', { chat_id: chatId, message });
    },
    async classify(reviewId) {
      // Not kept when it fails for good: the minute's sweep adds it again under the same id.
      await deps.queues.add('reviews.classify', { review_id: reviewId }, { jobId: `review-classify-${reviewId}`, removeOnFail: true });
    },
    async route(reviewId, round) {
      await deps.queues.add('reviews.route', { review_id: reviewId }, { ...ROUTE_OPTIONS, jobId: `review-route-${reviewId}-${round}` });
    },
    async routePending() {
      await deps.queues.add('reviews.route-pending', { slot_freed: true }, { removeOnComplete: true, removeOnFail: { count: 100 } });
    },
    async acceptTimers(review) {
      const window = { review_id: review.id, window: 'accept', assignment: review.assignment, due_at: ms(review.accept_due!) } as const;
      await windowTimers(window, review.assigned_at!, review.accept_due!);
    },
    async resolutionTimers(review) {
      await windowTimers({ review_id: review.id, window: 'resolution' }, review.created_at, review.resolution_due);
    },
  };
}
