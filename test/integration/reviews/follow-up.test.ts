/**
 * A review action whose change committed answers with it even when what follows the commit
 * (events, route jobs: Redis) fails: the failure is logged, and the minute's
 * `reviews.route-pending` routes what it left pending, so a declined review still reaches
 * another lawyer.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vault } from '../../../core/dlp/index.js';
import type { ReviewEffects } from '../../../core/reviews/effects.js';
import { requestReview } from '../../../core/reviews/request.js';
import { declineReview } from '../../../core/reviews/work.js';
import { createQueues, type Queues } from '../../../pipelines/queues.js';
import { createReviewEffects } from '../../../pipelines/reviews.js';
import { account, answered, lawyer, reviewWhen, type Session } from '../../helpers/reviews.js';
import { setPlanLimits } from '../../helpers/plans.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { REDIS_URL } from '../../helpers/services.js';

const ENCRYPTION_KEY = randomBytes(32).toString('base64');

let rt: TestRuntime;
let queues: Queues;
let emitterRedis: Redis;
let user: Session;
let first: Session;

const down = () => Promise.reject(new Error('Connection is closed.'));

beforeAll(async () => {
  rt = await startTestRuntime('reviews-follow-up', { env: { AI_CACHE_TTL_SECONDS: '0', ENCRYPTION_KEY } });
  queues = createQueues(new Redis(REDIS_URL, { maxRetriesPerRequest: null }), rt.t.prefix);
  emitterRedis = new Redis(REDIS_URL);
  await setPlanLimits('free', { reviews_per_month: 10, messages_per_day: 100 });
  user = await account(rt.url, 'user');
  first = await lawyer(rt.url, 'first', { specializations: ['consumer'], capacity: 1 });
});

afterAll(async () => {
  await queues?.close();
  emitterRedis?.disconnect();
  await rt?.close();
});

describe('after the commit', () => {
  it('answers a committed request and decline though Redis fails, and the minute sweep reroutes the declined review', async () => {
    const warned: string[] = [];
    const log = { warn: (_: unknown, msg?: string) => void warned.push(msg ?? '') };
    const real = createReviewEffects({ queues, redis: emitterRedis });
    const deps = { db: Model.knex(), vault: new Vault(Buffer.from(ENCRYPTION_KEY, 'base64')), log };

    // The request's jobs are queued; only its event fails.
    const { answerId } = await answered(rt.url, user.token, 'Магазин не возвращает деньги за брак. Что делать?');
    const requested = await requestReview({ ...deps, effects: { ...real, announce: down }, slaSeconds: { standard: 3600, urgent: 600 } },
      user.id, { type: 'message', id: answerId }, { specialization: 'consumer' });
    expect(requested.status).toBe('pending');
    await reviewWhen(rt.url, user.token, requested.id, 'assigned', (r) => r.status === 'assigned' && r.lawyer?.id === first.id);

    // Everything after the decline's commit fails.
    const broken: ReviewEffects = { ...real, announce: down, route: down, routePending: down };
    const declined = await declineReview({ ...deps, effects: broken }, first.id, requested.id, 'Конфликт интересов');
    expect(declined).toMatchObject({ id: requested.id, status: 'pending', lawyer_id: null });
    expect(warned).toHaveLength(2);

    // Nothing was queued for it; the minute's sweep routes it to the next free lawyer.
    const second = await lawyer(rt.url, 'second', { specializations: ['consumer'], capacity: 1 });
    await queues.add('reviews.route-pending', {});
    await reviewWhen(rt.url, user.token, requested.id, 'rerouted by the sweep', (r) => r.status === 'assigned' && r.lawyer?.id === second.id);
  });
});
