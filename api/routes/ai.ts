/**
 * POST /api/ai/complete: a one-off answer through the same queue, masking and orchestrator
 * as chat replies. The service in core/chat/one-off.ts waits a short while for the job: 200
 * with the answer when it is done by then, otherwise 202 with an id to poll at
 * GET /api/ai/complete/{id}.
 */
import type { QueueEvents } from 'bullmq';
import type { RedisClient } from '../../core/redis.js';
import { z } from 'zod';
import { completeJobId, createCompletionSlots } from '../../core/chat/complete-inflight.js';
import type { FairUseLimits } from '../../core/chat/fair-use.js';
import { completionState, failedCompletionError, requestCompletion, type CompletionState } from '../../core/chat/one-off.js';
import type { Sealer } from '../../core/chat/seal.js';
import type { Db } from '../../core/db/knex.js';
import type { Queues } from '../../pipelines/queues.js';
import { COMPLETE_JOB_OPTIONS, JOBS } from '../../pipelines/registry.js';
import { IDEMPOTENCY_HEADER, type Idempotent } from '../idempotency.js';
import { problems } from '../problem.js';
import { defineRoute, type AnyRoute } from '../routing.js';

export interface AiRouteDeps {
  db: Db;
  queues: Queues;
  redis: RedisClient;
  events: QueueEvents;
  sealer: Sealer;
  idempotent: Idempotent;
  limits: FairUseLimits;
  waitMs: number;
}

const usage = z.object({ input_tokens: z.number(), output_tokens: z.number() });
// degraded: the canned offline answer stood in for failed providers (not cached, not counted).
const answer = z.object({ text: z.string(), provider: z.string(), model: z.string(), usage, cached: z.boolean(), degraded: z.boolean().optional() });
const doneSchema = answer.extend({ id: z.uuid() });
const statusSchema = z.object({
  id: z.uuid(),
  status: z.enum(['queued', 'running', 'completed', 'failed']),
  result: answer.optional(),
  error: z.object({ code: z.string() }).optional(),
});

export function aiRoutes(deps: AiRouteDeps): AnyRoute[] {
  const queue = () => deps.queues.get(JOBS['ai.complete'].queue);
  const oneOff = {
    db: deps.db, sealer: deps.sealer, limits: deps.limits, events: deps.events, waitMs: deps.waitMs,
    slots: createCompletionSlots(queue(), deps.redis, deps.queues.prefix),
    enqueue: (data: unknown) => {
      const payload = JOBS['ai.complete'].payload.parse(data);
      return queue().add('ai.complete', payload, { ...COMPLETE_JOB_OPTIONS, jobId: completeJobId(payload.request_id) });
    },
    find: (id: string) => queue().getJob(completeJobId(id)),
  };
  return [
    defineRoute({
      method: 'post', path: '/api/ai/complete', summary: 'One-off AI answer (masked before it leaves)', tags: ['ai'], access: 'user',
      body: z.strictObject({ prompt: z.string().trim().min(1).max(20_000), max_tokens: z.number().int().min(1).max(8000).optional() }),
      headers: [IDEMPOTENCY_HEADER],
      responses: {
        200: { description: 'The answer, finished within the short wait', schema: doneSchema },
        202: { description: 'Still running: poll GET /api/ai/complete/{id}', schema: statusSchema },
        401: { description: 'Not signed in' },
        409: { description: 'Idempotency-Key in use' },
        422: { description: 'Invalid body or reused Idempotency-Key' },
        429: { description: '`rate_limited` (answers in progress) or `quota_exceeded` (daily quota), with Retry-After' },
        503: { description: 'No AI provider could answer' },
      },
      async handler(ctx, { body }) {
        const userId = ctx.state.user.id;
        await deps.idempotent(ctx, userId, body, async () => {
          const state: CompletionState = await requestCompletion(oneOff, userId, body.prompt, body.max_tokens);
          if (state.status === 'completed') return { status: 200, body: { id: state.id, ...state.result } };
          if (state.status === 'failed') throw failedCompletionError(state.error.code);
          return { status: 202, body: state, headers: { Location: `/api/ai/complete/${state.id}` } };
        });
      },
    }),
    defineRoute({
      method: 'get', path: '/api/ai/complete/:id', summary: 'State of a one-off AI answer', tags: ['ai'], access: 'user',
      params: z.object({ id: z.uuid() }),
      responses: { 200: { description: 'Its state, and the answer once completed', schema: statusSchema }, 400: { description: 'Bad id' }, 401: { description: 'Not signed in' }, 404: { description: 'No such request for this user' } },
      async handler(ctx, { params }) {
        const job = await queue().getJob(completeJobId(params.id));
        if (!job || (job.data as { user_id?: string }).user_id !== ctx.state.user.id) throw problems.notFound('no such request');
        ctx.body = await completionState(job, params.id);
      },
    }),
  ];
}
