import { routePending } from '../core/reviews/routing.js';
import { sweepOverdue } from '../core/reviews/timers.js';
import { defineProcessor } from './processor.js';
import { reviewDeps } from './review-deps.js';

/** Acts on deadlines whose timer was lost, then hands freed slots to the oldest pending reviews that fit them. */
export default defineProcessor({
  name: 'reviews.route-pending',
  async process(_payload, ctx) {
    const deps = reviewDeps(ctx);
    const { overdue } = await sweepOverdue(deps);
    return { overdue, ...(await routePending(deps)) };
  },
});
