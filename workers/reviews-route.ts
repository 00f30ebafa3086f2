import { routeReview } from '../core/reviews/routing.js';
import { defineProcessor } from './processor.js';
import { reviewDeps } from './review-deps.js';

/** Assigns one pending review; throws while no lawyer is free, so BullMQ retries it with backoff. */
export default defineProcessor({
  name: 'reviews.route',
  async process(payload, ctx) {
    return routeReview(reviewDeps(ctx), payload.review_id);
  },
});
