/**
 * POST /api/ai/complete: a one-off answer through the same queue, masking and orchestrator
 * as chat replies. Waits a short while for the job: 200 with the answer when it is done by
 * then, otherwise 202 with an id to poll at GET /api/ai/complete/{id}.
 */
import { randomUUID } from 'node:crypto';
import type { Job, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { completeJobId, createCompletionSlots } from '../../core/chat/complete-inflight.js';
import { admitMessage, type FairUseLimits } from '../../core/chat/fair-use.js';
import type { Sealer } from '../../core/chat/seal.js';
import type { Db } from '../../core/db/knex.js';
import { problems } from '../../core/http/problem.js';
import type { Queues } from '../../pipelines/queues.js';
import { COMPLETE_JOB_OPTIONS, JOBS } from '../../pipelines/registry.js';
import { IDEMPOTENCY_HEADER, type Idempotent } from '../idempotency.js';
import { defineRoute, type AnyRoute } from '../routing.js';

export interface AiRouteDeps {
  db: Db;
  queues: Queues;
  redis: Redis;
  events: QueueEvents;
  sealer: Sealer;
  idempotent: Idempotent;
  limits: FairUseLimits;
  waitMs: number;
}

const usage = z.object({ input_tokens: z.number(), output_tokens: z.number() });
const answer = z.object({ text: z.string(), provider: z.string(), model: z.string(), usage, cached: z.boolean() });
const doneSchema = answer.extend({ id: z.uuid() });
const statusSchema = z.object({
  id: z.uuid(),
  status: z.enum(['queued', 'running', 'completed', 'failed']),
  result: answer.optional(),
  error: z.object({ code: z.string() }).optional(),
});

async function statusOf(job: Job, id: string): Promise<z.infer<typeof statusSchema>> {
  const state = await job.getState();
  if (state === 'completed') return { id, status: 'completed', result: job.returnvalue };
  if (state === 'failed') return { id, status: 'failed', error: { code: job.failedReason || 'internal_error' } };
  return { id, status: state === 'active' ? 'running' : 'queued' };
}

export function aiRoutes(deps: AiRouteDeps): AnyRoute[] {
  const queue = () => deps.queues.get(JOBS['ai.complete'].queue);
  const slots = createCompletionSlots(queue(), deps.redis, deps.queues.prefix);
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
          const id = randomUUID();
          const payload = JOBS['ai.complete'].payload.parse({ request_id: id, user_id: userId, sealed: deps.sealer.seal(body.prompt, id), max_tokens: body.max_tokens });
          // Counted, enqueued and tracked under the user's fair-use lock (taken by admitMessage).
          const job = await deps.db.transaction(async (trx) => {
            await admitMessage(trx, userId, deps.limits, { what: 'answers', count: (_trx, user) => slots.count(user) });
            const added = await queue().add('ai.complete', payload, { ...COMPLETE_JOB_OPTIONS, jobId: completeJobId(id) });
            await slots.track(userId, id);
            return added;
          });
          // From here on the job exists: whatever goes wrong while waiting, the answer is its id.
          const pending = { status: 202, body: { id, status: 'queued' as const }, headers: { Location: `/api/ai/complete/${id}` } };
          try {
            const result = await job.waitUntilFinished(deps.events, Math.max(1, deps.waitMs));
            return { status: 200, body: { id, ...result } };
          } catch (err) {
            const status = await statusOf(job, id).catch(() => undefined);
            if (!status) return pending;
            if (status.status === 'failed') throw problems.unavailable(`the AI answer failed: ${status.error?.code ?? (err as Error).message}`);
            if (status.status === 'completed') return { status: 200, body: { id, ...status.result } };
            return { ...pending, body: status };
          }
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
        ctx.body = await statusOf(job, params.id);
      },
    }),
  ];
}
