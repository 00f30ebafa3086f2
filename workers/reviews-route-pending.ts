import { routePending } from '../core/reviews/routing.js';
import { defineProcessor } from './processor.js';
import { reviewDeps } from './review-deps.js';

/** Hands freed slots to the oldest pending reviews that fit them. */
export default defineProcessor({
  name: 'reviews.route-pending',
  async process(_payload, ctx) {
    return routePending(reviewDeps(ctx));
  },
});
