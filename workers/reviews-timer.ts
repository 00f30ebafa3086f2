import { runTimer } from '../core/reviews/timers.js';
import { defineProcessor } from './processor.js';
import { reviewDeps } from './review-deps.js';

/** A review's reminder or deadline; a no-op when the review has moved on. */
export default defineProcessor({
  name: 'reviews.timer',
  async process(payload, ctx) {
    const outcome = await runTimer(reviewDeps(ctx), payload);
    ctx.log.info({ review_id: payload.review_id, window: payload.window, phase: payload.phase, ...outcome }, 'review timer');
    return outcome;
  },
});
