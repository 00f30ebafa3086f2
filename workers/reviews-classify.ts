import { classifySubject } from '../core/reviews/classify.js';
import { loadReview, loadSubject } from '../core/reviews/view.js';
import { domesticOnly } from '../core/privacy/consents.js';
import { defineProcessor } from './processor.js';
import { reviewDeps } from './review-deps.js';

/** Labels a review with a specialization from its masked subject, then hands it to routing. */
export default defineProcessor({
  name: 'reviews.classify',
  async process(payload, ctx) {
    const review = await loadReview(ctx.db, payload.review_id).catch(() => undefined);
    if (!review || review.status !== 'pending') return { skipped: 'no longer pending' };
    if (!review.specialization) {
      const subject = await loadSubject(ctx.db, review);
      const text = subject.type === 'message' ? [subject.question, subject.answer].filter(Boolean).join('\n\n') : `${subject.title ?? ''}\n\n${subject.text ?? ''}`;
      const { specialization, by } = await classifySubject(ctx.ai, [review.comment ?? '', text].join('\n\n'), await domesticOnly(ctx.db, review.requester_id));
      await ctx.db('lawyer_reviews').where({ id: review.id }).whereNull('specialization').update({ specialization, updated_at: ctx.db.fn.now() });
      ctx.log.info({ review_id: review.id, specialization, by }, 'review classified');
    }
    await reviewDeps(ctx).effects.route(review.id, review.assignment);
    return { routed: true };
  },
});
