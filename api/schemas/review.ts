import { z } from 'zod';
import { SPECIALIZATION_CODES } from '../../core/reviews/specializations.js';
import { isoDate } from './common.js';

const text = (max: number) => z.string().trim().min(1).max(max);

export const reviewParams = z.object({ review_id: z.uuid() });

export const requestReviewBody = z.strictObject({
  comment: text(2000).optional(),
  urgency: z.enum(['standard', 'urgent']).optional(),
  specialization: z.enum(SPECIALIZATION_CODES).optional(),
});

export const lawyerBody = z.strictObject({
  specializations: z.array(z.enum(SPECIALIZATION_CODES)).min(1).max(SPECIALIZATION_CODES.length),
  capacity: z.number().int().min(1).max(100),
  accepting: z.boolean(),
});

export const declineBody = z.strictObject({ reason: text(1000) });

export const completeBody = z.strictObject({
  verdict: z.enum(['approved', 'corrected', 'rejected']),
  comment: text(4000),
  corrected_content: text(20_000).optional(),
});

export const rateBody = z.strictObject({ score: z.number().int().min(1).max(5), comment: text(2000).optional() });

export const lawyerSchema = z.object({
  user_id: z.uuid(),
  name: z.string().nullable(),
  specializations: z.array(z.string()),
  capacity: z.number().int(),
  accepting: z.boolean(),
  active_reviews: z.number().int(),
  avg_rating: z.number().nullable(),
});

export const reviewSchema = z.object({
  id: z.uuid(),
  subject: z.object({ type: z.enum(['message', 'document']), id: z.uuid() }),
  status: z.enum(['pending', 'assigned', 'in_progress', 'completed', 'cancelled']),
  urgency: z.enum(['standard', 'urgent']),
  specialization: z.string().nullable(),
  comment: z.string().nullable(),
  lawyer: z.object({ id: z.uuid(), name: z.string().nullable() }).nullable(),
  sla: z.object({ accept_due: isoDate.nullable(), resolution_due: isoDate, breached: z.boolean() }),
  result: z.object({ verdict: z.enum(['approved', 'corrected', 'rejected']), comment: z.string().nullable(), corrected_content: z.string().nullable() }).nullable(),
  rating: z.object({ score: z.number().int(), comment: z.string().nullable() }).nullable(),
  created_at: isoDate,
  updated_at: isoDate,
});

/** The answer of a review action: the contract wraps the review, as `review.updated` does. */
export const reviewEnvelope = z.object({ review: reviewSchema });

export const subjectSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message'), question: z.string().nullable(), answer: z.string().nullable() }),
  z.object({ type: z.literal('document'), title: z.string().nullable(), version: z.number().int().nullable(), text: z.string().nullable() }),
]);

export const reviewsReportSchema = z.object({
  from: isoDate.nullable(),
  to: isoDate.nullable(),
  total: z.number().int(),
  completed: z.number().int(),
  sla_breached: z.number().int(),
  median_first_response_s: z.number().nullable(),
  median_resolution_s: z.number().nullable(),
  by_lawyer: z.array(z.object({
    lawyer_id: z.uuid(), name: z.string().nullable(), completed: z.number().int(), breached: z.number().int(), avg_rating: z.number().nullable(),
  })),
});
