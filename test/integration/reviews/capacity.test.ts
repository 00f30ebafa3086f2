/**
 * Twenty reviews requested at once against three lawyers with five slots between them: no
 * lawyer ever holds more than their capacity, the first five are assigned at once, and the
 * rest are assigned, oldest first, as lawyers finish and slots free.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, waitFor } from '../../e2e/chat/harness.js';
import { request } from '../../helpers/http.js';
import { account, answered, lawyer, requestReview, type Session } from '../../helpers/reviews.js';
import { setPlanLimits } from '../../helpers/plans.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { REDIS_URL } from '../../helpers/services.js';

let rt: TestRuntime;
let user: Session;
let lawyers: Array<Session & { capacity: number }>;

const db = () => Model.knex();

/**
 * Reviews held per lawyer, counted from the reviews themselves and from the slot counter, in one
 * statement: one snapshot, so a routing that commits meanwhile is seen in both or in neither.
 */
async function loads(): Promise<Array<{ id: string; held: number; counter: number; capacity: number }>> {
  const { rows } = await db().raw(
    `SELECT p.user_id AS id, p.active_reviews AS counter, p.capacity,
       (SELECT count(*)::int FROM lawyer_reviews r WHERE r.lawyer_id = p.user_id AND r.status IN ('assigned', 'in_progress')) AS held
     FROM lawyer_profiles p`,
  );
  return rows;
}

async function expectWithinCapacity() {
  for (const l of await loads()) {
    expect(l.held, `lawyer ${l.id}`).toBeLessThanOrEqual(l.capacity);
    expect(l.counter, `slot counter of ${l.id}`).toBe(l.held);
  }
}

beforeAll(async () => {
  rt = await startTestRuntime('reviews-capacity', { env: { AI_CACHE_TTL_SECONDS: '0' } });
  await setPlanLimits('free', { reviews_per_month: 100, messages_per_day: 100 });
  user = await account(rt.url, 'user');
  lawyers = [];
  for (const [tag, capacity] of [['two-a', 2], ['two-b', 2], ['one', 1]] as const) {
    lawyers.push({ ...(await lawyer(rt.url, tag, { specializations: ['civil'], capacity })), capacity });
  }
});

afterAll(async () => {
  await rt?.close();
});

describe('capacity under concurrency', () => {
  it('never puts a lawyer over capacity, and assigns the rest as slots free', async () => {
    const answers = [];
    for (let i = 0; i < 20; i++) answers.push((await answered(rt.url, user.token, `Вопрос о договоре займа номер ${i + 1}`)).answerId);
    const requested = await Promise.all(answers.map((id) => requestReview(rt.url, user.token, id, { specialization: 'civil' })));
    expect(requested.map((r) => r.status)).toEqual(Array(20).fill(202));

    await waitFor('five assigned', async () => Number((await db()('lawyer_reviews').where({ status: 'assigned' }).count({ n: '*' }))[0]?.n) === 5 || undefined);
    await sleep(500); // routing has settled: nothing more may be assigned
    await expectWithinCapacity();
    expect(Number((await db()('lawyer_reviews').where({ status: 'pending' }).count({ n: '*' }))[0]?.n)).toBe(15);

    // Lawyers work through their queues; every finished review lets the next one in.
    let completed = 0;
    while (completed < 20) {
      const next = await waitFor('an assigned review', async () => (await db()('lawyer_reviews').where({ status: 'assigned' }).orderBy('created_at').first()) ?? undefined);
      const token = lawyers.find((l) => l.id === next.lawyer_id)!.token;
      // The oldest pending is always the next to be assigned: pending ones are all younger.
      const olderPending = await db()('lawyer_reviews').where({ status: 'pending' }).where('created_at', '<', next.created_at).first();
      expect(olderPending).toBeUndefined();
      expect((await request(rt.url, 'POST', `/api/reviews/${next.id}/accept`, { token })).status).toBe(200);
      expect((await request(rt.url, 'POST', `/api/reviews/${next.id}/complete`, { token, json: { verdict: 'approved', comment: 'Верно.' } })).status).toBe(200);
      completed++;
      await expectWithinCapacity();
    }
    expect(Number((await db()('lawyer_reviews').where({ status: 'completed' }).count({ n: '*' }))[0]?.n)).toBe(20);
    for (const l of await loads()) expect([l.held, l.counter]).toEqual([0, 0]);
  });
});

describe('one open review per subject', () => {
  it('opens one review of an answer asked for twice at once, and refuses the other with 409', async () => {
    const { answerId } = await answered(rt.url, user.token, 'Вопрос о неустойке по договору поставки');
    // No lawyer takes family cases here: the review stays pending and takes no one's slot.
    const both = await Promise.all([0, 1].map(() => requestReview(rt.url, user.token, answerId, { specialization: 'family' })));
    expect(both.map((r) => r.status).sort()).toEqual([202, 409]);
    expect(both.find((r) => r.status === 409)!.body.code).toBe('conflict');
    expect(Number((await db()('lawyer_reviews').where({ message_id: answerId }).count({ n: '*' }))[0]?.n)).toBe(1);
  });
});

describe('reviews no lawyer can take', () => {
  it('do not keep a younger review from a freed slot, however many of them wait', async () => {
    const taxLawyer = await lawyer(rt.url, 'tax', { specializations: ['tax'], capacity: 1 });
    // A hundred and more old pending reviews that no lawyer here takes (family cases).
    const { answerId: stuck } = await answered(rt.url, user.token, 'Вопрос об алиментах');
    const old = new Date(Date.now() - 3600_000);
    await db()('lawyer_reviews').insert(Array.from({ length: 120 }, () => ({
      requester_id: user.id, subject_type: 'message', message_id: stuck, specialization: 'family', status: 'pending',
      created_at: old, updated_at: old, resolution_due: new Date(Date.now() + 86_400_000),
    })));
    const first = await requestReview(rt.url, user.token, (await answered(rt.url, user.token, 'Вопрос о налоговом вычете')).answerId, { specialization: 'tax' });
    const held = await waitFor('the tax lawyer to hold the first', async () => ((await db()('lawyer_reviews').where({ id: first.body.review.id, status: 'assigned' }).first()) ? true : undefined));
    expect(held).toBe(true);
    const second = await requestReview(rt.url, user.token, (await answered(rt.url, user.token, 'Вопрос о налоге на имущество')).answerId, { specialization: 'tax' });
    expect(second.status).toBe(202);
    // Its own route job found no one three times: its next try is 8 s away (2 s, 4 s, 8 s backoff).
    const reviewsQueue = new Queue('reviews', { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix: rt.t.prefix });
    try {
      await waitFor('three tries of its route job', async () => ((await reviewsQueue.getJob(`review-route-${second.body.review.id}-0`))?.attemptsMade ?? 0) >= 3 || undefined, 20_000);
    } finally {
      await reviewsQueue.close();
    }
    expect((await db()('lawyer_reviews').where({ id: second.body.review.id }).first()).status).toBe('pending');
    const finish = (action: string, json?: object) => request(rt.url, 'POST', `/api/reviews/${first.body.review.id}/${action}`, { token: taxLawyer.token, ...(json ? { json } : {}) });
    expect((await finish('accept')).status).toBe(200);
    expect((await finish('complete', { verdict: 'approved', comment: 'Верно.' })).status).toBe(200);
    // The freed slot goes to it at once, not at its route job's next try.
    const assigned = await waitFor('the second to be assigned', async () => (await db()('lawyer_reviews').where({ id: second.body.review.id, status: 'assigned' }).first()) ?? undefined, 3000);
    expect(assigned.lawyer_id).toBe(taxLawyer.id);
  }, 30_000);
});
