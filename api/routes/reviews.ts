/**
 * Lawyer review: lawyers' profiles, requests for an answer or a document, the lawyer's
 * work, the requester's cancel and rating, and the admins' report. The services in
 * core/reviews/ decide; routing and timers run as jobs on the `reviews` queue.
 */
import type { RedisClient } from '../../core/redis.js';
import { z } from 'zod';
import { audit } from '../../core/audit.js';
import type { Db } from '../../core/db/knex.js';
import type { ReadRouting } from '../../core/db/read-routing.js';
import { Vault } from '../../core/dlp/index.js';
import { reviewsReport } from '../../core/reports/reviews.js';
import { getLawyer, saveLawyer } from '../../core/reviews/lawyers.js';
import { requestReview, type SubjectRef } from '../../core/reviews/request.js';
import { SPECIALIZATIONS } from '../../core/reviews/specializations.js';
import { loadSubject, readableReview, reviewsQuery, toPublicReview, type ReviewRow } from '../../core/reviews/view.js';
import { acceptReview, cancelReview, completeReview, declineReview, rateReview } from '../../core/reviews/work.js';
import { createReviewEffects } from '../../pipelines/reviews.js';
import type { Queues } from '../../pipelines/queues.js';
import type { AppContext } from '../context.js';
import { decodeCursor, keysetPage } from '../cursor.js';
import { IDEMPOTENCY_HEADER, type Idempotent } from '../idempotency.js';
import { defineRoute, type AnyRoute } from '../routing.js';
import { page, pageQuery, rangeEnd, rangeStart, reportTime } from '../schemas/common.js';
import {
  completeBody, declineBody, lawyerBody, lawyerSchema, rateBody, requestReviewBody, reviewEnvelope, reviewParams, reviewSchema, reviewsReportSchema, subjectSchema,
} from '../schemas/review.js';

export interface ReviewRouteDeps {
  db: Db;
  /** List and search reads: the replica, or the writer right after this user's own write. */
  reads: ReadRouting;
  redis: RedisClient;
  queues: Queues;
  encryptionKey: Buffer;
  idempotent: Idempotent;
  slaSeconds: { standard: number; urgent: number };
}

const notFound = { description: 'No such review for you' };
const wrongState = { description: 'The review is not in a state that allows this' };
const reviewAnswer = { description: 'The review', schema: reviewEnvelope };

export function reviewRoutes(deps: ReviewRouteDeps): AnyRoute[] {
  const effects = createReviewEffects({ queues: deps.queues, redis: deps.redis });
  const vault = new Vault(deps.encryptionKey);
  // The request's logger: a follow-up that fails after the commit is logged under its request id.
  const work = (ctx: AppContext) => ({ db: deps.db, vault, effects, log: ctx.state.log });

  const requestRoute = <K extends string>(type: SubjectRef['type'], param: K) => defineRoute({
    method: 'post', path: `/api/reviews/${type}s/:${param}/request`, summary: `Ask a lawyer to check ${type === 'message' ? 'an answer of the assistant' : 'a document'}`, tags: ['reviews'], access: ['user'],
    params: z.object({ [param]: z.uuid() } as Record<K, z.ZodUUID>), body: requestReviewBody, headers: [IDEMPOTENCY_HEADER],
    responses: {
      202: { description: 'Requested: routing to a lawyer follows', schema: reviewEnvelope },
      404: { description: `No such ${type} of yours` },
      409: { description: `The ${type} cannot be reviewed (not ${type === 'message' ? 'a completed answer' : 'ready'}), or a review of it is open` },
      422: { description: 'Invalid body' },
      402: { description: '`quota_exceeded`: the plan\'s reviews for this period are used up (the detail names the plan that lifts it)' },
      503: { description: 'The review could not be queued' },
    },
    async handler(ctx, { params, body }) {
      const userId = ctx.state.user.id;
      await deps.idempotent(ctx, userId, body, async () => {
        const review = await requestReview({ ...work(ctx), slaSeconds: deps.slaSeconds }, userId, { type, id: (params as Record<string, string>)[param]! }, body);
        return { status: 202, body: { review: toPublicReview(review) } };
      });
    },
  });

  return [
    defineRoute({
      method: 'get', path: '/api/lawyers/specializations', summary: 'The specializations a lawyer may have', tags: ['reviews'], access: 'user',
      responses: { 200: { description: 'Codes and names', schema: z.object({ items: z.array(z.object({ code: z.string(), name: z.string() })) }) } },
      async handler(ctx) {
        ctx.body = { items: SPECIALIZATIONS };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/lawyers/me', summary: "The caller's lawyer profile", tags: ['reviews'], access: ['lawyer'],
      responses: { 200: { description: 'The profile', schema: lawyerSchema } },
      async handler(ctx) {
        ctx.body = await getLawyer(deps.db, ctx.state.user.id);
      },
    }),
    defineRoute({
      method: 'put', path: '/api/lawyers/me', summary: 'Set specializations, capacity and whether new reviews are taken', tags: ['reviews'], access: ['lawyer'],
      body: lawyerBody,
      responses: { 200: { description: 'The profile', schema: lawyerSchema }, 422: { description: 'Invalid body' } },
      async handler(ctx, { body }) {
        ctx.body = await saveLawyer(deps.db, ctx.state.user.id, body);
        // Room to take more: pending reviews may fit now.
        await effects.routePending();
      },
    }),
    requestRoute('message', 'message_id'),
    requestRoute('document', 'document_id'),
    defineRoute({
      method: 'get', path: '/api/reviews', summary: 'Reviews: yours (user), assigned to you (lawyer), all (admin); newest first', tags: ['reviews'], access: 'user',
      query: pageQuery.extend({ status: z.enum(['pending', 'assigned', 'in_progress', 'completed', 'cancelled']).optional() }),
      responses: { 200: { description: 'Reviews', schema: page(reviewSchema) } },
      async handler(ctx, { query }) {
        const { id, role } = ctx.state.user;
        const result = await deps.reads.read(id, (db) => {
          const rows = reviewsQuery(db);
          if (role === 'user') rows.where('r.requester_id', id);
          if (role === 'lawyer') rows.where('r.lawyer_id', id);
          if (query.status) rows.where('r.status', query.status);
          return keysetPage<ReviewRow>(db.from(rows.as('x')).select('*'), { limit: query.limit, after: decodeCursor(query.cursor), order: 'desc' });
        });
        ctx.body = { items: result.items.map(toPublicReview), next_cursor: result.next_cursor };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/reviews/:review_id', summary: 'A review with its masked subject', tags: ['reviews'], access: 'user',
      params: reviewParams,
      responses: { 200: { description: 'The review and what it is about, masked', schema: reviewEnvelope.extend({ subject: subjectSchema }) }, 404: notFound },
      async handler(ctx, { params }) {
        const review = await readableReview(deps.db, ctx.state.user, params.review_id);
        // A lawyer or an admin reading someone's (masked) answer or document is on record.
        if (review.requester_id !== ctx.state.user.id) {
          await audit({ actorId: ctx.state.user.id, action: ctx.state.user.role === 'admin' ? 'admin.read' : 'review.viewed', targetType: 'review', targetId: review.id, ip: ctx.ip });
        }
        ctx.body = { review: toPublicReview(review), subject: await loadSubject(deps.db, review) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/reviews/:review_id/accept', summary: 'Take on an assigned review', tags: ['reviews'], access: ['lawyer'],
      params: reviewParams,
      responses: { 200: reviewAnswer, 404: notFound, 409: wrongState },
      async handler(ctx, { params }) {
        ctx.body = { review: toPublicReview(await acceptReview(work(ctx), ctx.state.user.id, params.review_id)) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/reviews/:review_id/decline', summary: 'Give a review back; it goes to another lawyer', tags: ['reviews'], access: ['lawyer'],
      params: reviewParams, body: declineBody,
      responses: { 200: reviewAnswer, 404: notFound, 409: wrongState, 422: { description: 'Invalid body' } },
      async handler(ctx, { params, body }) {
        ctx.body = { review: toPublicReview(await declineReview(work(ctx), ctx.state.user.id, params.review_id, body.reason)) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/reviews/:review_id/complete', summary: 'The verdict; a correction of an answer joins the chat', tags: ['reviews'], access: ['lawyer'],
      params: reviewParams, body: completeBody,
      responses: { 200: reviewAnswer, 404: notFound, 409: wrongState, 422: { description: 'Invalid body (`corrected` needs `corrected_content`)' } },
      async handler(ctx, { params, body }) {
        ctx.body = { review: toPublicReview(await completeReview(work(ctx), ctx.state.user.id, params.review_id, body)) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/reviews/:review_id/cancel', summary: 'Withdraw a review before it is completed', tags: ['reviews'], access: ['user'],
      params: reviewParams,
      responses: { 200: reviewAnswer, 404: notFound, 409: wrongState },
      async handler(ctx, { params }) {
        ctx.body = { review: toPublicReview(await cancelReview(work(ctx), ctx.state.user.id, params.review_id)) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/reviews/:review_id/rate', summary: 'Rate a completed review (once)', tags: ['reviews'], access: ['user'],
      params: reviewParams, body: rateBody,
      responses: { 200: reviewAnswer, 404: notFound, 409: wrongState, 422: { description: 'Invalid body' } },
      async handler(ctx, { params, body }) {
        ctx.body = { review: toPublicReview(await rateReview(work(ctx), ctx.state.user.id, params.review_id, body.score, body.comment)) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/admin/reports/reviews', summary: 'Lawyer reviews requested from..to: totals, SLA breaches, medians, per lawyer', tags: ['admin'], access: ['admin'],
      query: z.object({ from: reportTime.optional(), to: reportTime.optional() }),
      responses: { 200: { description: 'The report', schema: reviewsReportSchema } },
      async handler(ctx, { query }) {
        const range = { from: query.from && rangeStart(query.from), to: query.to && rangeEnd(query.to) };
        ctx.body = await deps.reads.read(ctx.state.user.id, (db) => reviewsReport(db, range));
      },
    }),
  ];
}
