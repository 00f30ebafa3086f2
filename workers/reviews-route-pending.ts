import { routePending } from '../core/reviews/routing.js';
import { sweepOverdue } from '../core/reviews/timers.js';
import { defineProcessor } from './processor.js';
import { reviewDeps } from './review-deps.js';

/**
 * Hands freed slots to the oldest pending reviews that fit them. The minute's scheduled run
 * first acts on deadlines whose timer was lost; a run queued because a slot freed only routes.
 */
export default defineProcessor({
  name: 'reviews.route-pending',
  async process(payload, ctx) {
    const deps = reviewDeps(ctx);
    const overdue = payload.slot_freed ? 0 : (await sweepOverdue(deps)).overdue;
    return { overdue, ...(await routePending(deps)) };
  },
});
