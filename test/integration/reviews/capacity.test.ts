/**
 * Twenty reviews requested at once against three lawyers with five slots between them: no
 * lawyer ever holds more than their capacity, the first five are assigned at once, and the
 * rest are assigned, oldest first, as lawyers finish and slots free.
 */
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, waitFor } from '../../e2e/chat/harness.js';
import { request } from '../../helpers/http.js';
import { account, answered, lawyer, requestReview, type Session } from '../../helpers/reviews.js';
import { setPlanLimits } from '../../helpers/plans.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

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
