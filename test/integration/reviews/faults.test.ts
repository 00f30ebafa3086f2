/**
 * What a fault between Postgres and the queue leaves of a review. A request commits before its
 * route job is queued: when that enqueue fails (Redis gone for a moment), the request still
 * stands, and the minute's routing sweep gives it to a free lawyer. An assignment queues its
 * accept timers before it commits: when it rolls back, those timers must not cut short the
 * window of the next assignment, which takes the same number.
 */
import { Redis } from 'ioredis';
import { Model } from 'objection';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vault } from '../../../core/dlp/index.js';
import { requestReview } from '../../../core/reviews/request.js';
import { routePending } from '../../../core/reviews/routing.js';
import type { Specialization } from '../../../core/reviews/specializations.js';
import { createQueues, type Queues } from '../../../pipelines/queues.js';
import { createReviewEffects, timerJobId } from '../../../pipelines/reviews.js';
import { waitFor } from '../../e2e/chat/harness.js';
import { request } from '../../helpers/http.js';
import { setPlanLimits } from '../../helpers/plans.js';
import { account, answered, lawyer, reviewAs, reviewWhen, type Session } from '../../helpers/reviews.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { REDIS_URL } from '../../helpers/services.js';

let rt: TestRuntime;
let redis: Redis;
let queues: Queues;

beforeAll(async () => {
  rt = await startTestRuntime('reviews-unqueued');
  await setPlanLimits('free', { reviews_per_month: 5 });
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  queues = createQueues(redis, rt.t.prefix);
});

afterAll(async () => {
  await queues?.close();
  redis?.disconnect();
  await rt?.close();
});

const effects = () => createReviewEffects({ queues, redis });

/** Requests a review as the API does, with a queue that refuses its route job. */
async function requestUnqueued(user: Session, question: string, specialization: Specialization) {
  const { answerId } = await answered(rt.url, user.token, question);
  const queueDown = { ...effects(), route: () => Promise.reject(new Error('Connection is closed.')) };
  const warnings: string[] = [];
  const deps = {
    db: Model.knex(), vault: new Vault(Buffer.alloc(32, 7)), effects: queueDown,
    log: pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) }),
    slaSeconds: { standard: 3600, urgent: 600 },
  };
  const review = await requestReview(deps, user.id, { type: 'message', id: answerId }, { specialization });
  return { review, warnings };
}

describe('a review whose route job could not be queued', () => {
  it('stays requested and pending, and the routing sweep assigns it', async () => {
    const user = await account(rt.url, 'user');
    const { review, warnings } = await requestUnqueued(user, 'Как расторгнуть договор аренды досрочно?', 'housing');
    expect(review.status).toBe('pending');
    expect(warnings.join('')).toMatch(/routing sweep/);
    expect((await reviewAs(rt.url, user.token, review.id))?.status).toBe('pending');
    const usage = (await request(rt.url, 'GET', '/api/subscriptions/me', { token: user.token })).body.usage;
    expect(usage.reviews_this_period).toBe(1);

    // A lawyer free for it (a new profile also queues a sweep), then the minute's sweep.
    const landlordLawyer = await lawyer(rt.url, 'housing', { specializations: ['housing'], capacity: 1 });
    await routePending({ db: Model.knex(), effects: effects(), acceptSeconds: 3600 });
    const assigned = await reviewWhen(rt.url, user.token, review.id, 'assigned', (r) => r.status === 'assigned');
    expect(assigned.lawyer.id).toBe(landlordLawyer.id);
  });
});

describe('an assignment that rolled back after queuing its accept timers', () => {
  it('leaves the next assignment its whole accept window', async () => {
    const held = await lawyer(rt.url, 'labour', { specializations: ['labour'], capacity: 1 });
    // The sweep the new profile queued has run: nothing routes the review but this test.
    await waitFor('the queue to settle', async () => {
      const counts = await queues.get('reviews').getJobCounts('waiting', 'active');
      return (counts.waiting ?? 0) + (counts.active ?? 0) === 0 ? true : undefined;
    });
    const user = await account(rt.url, 'user', 'worker');
    const { review } = await requestUnqueued(user, 'Могут ли уволить за опоздание?', 'labour');

    // The first assignment queues its timers (a window of 1 s), then fails before its commit.
    let rolledBackDue = 0;
    const commitFails = {
      ...effects(),
      acceptTimers: async (r: Parameters<ReturnType<typeof effects>['acceptTimers']>[0]) => {
        await effects().acceptTimers(r);
        rolledBackDue = new Date(r.accept_due!).getTime();
        throw new Error('connection lost before the commit');
      },
    };
    await expect(routePending({ db: Model.knex(), effects: commitFails, acceptSeconds: 1 })).rejects.toThrow(/before the commit/);
    expect((await reviewAs(rt.url, user.token, review.id))?.status).toBe('pending');

    // The next assignment, of the same number, has an hour to be accepted.
    await routePending({ db: Model.knex(), effects: effects(), acceptSeconds: 3600 });
    const assigned = await reviewWhen(rt.url, user.token, review.id, 'assigned', (r) => r.status === 'assigned');
    expect(assigned.lawyer.id).toBe(held.id);

    // The rolled-back assignment's deadline passes and its timer runs: it finds nothing to do.
    const stale = timerJobId({ review_id: review.id, window: 'accept', phase: 'due', assignment: 1, due_at: rolledBackDue });
    const ran = await waitFor('the rolled-back deadline to run', async () => {
      const job = await queues.get('reviews').getJob(stale);
      return job && (await job.getState()) === 'completed' ? job : undefined;
    });
    expect(ran.returnvalue).toEqual({ outcome: 'moved on' });
    const still = await reviewAs(rt.url, user.token, review.id);
    expect(still).toMatchObject({ status: 'assigned', lawyer: { id: held.id } });
    expect(Date.parse(still.sla.accept_due) - Date.now()).toBeGreaterThan(3_000_000);
  });
});
