/**
 * `GET /api/reviews` shows each role its own: a user the reviews they asked for, a lawyer those
 * assigned to them, an admin all; `?status=` narrows any of them, and an unknown status is 400.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are whatever the server sent */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../helpers/http.js';
import { setPlanLimits } from '../../helpers/plans.js';
import { account, answered, lawyer, requestReview, reviewWhen, type Session } from '../../helpers/reviews.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

let rt: TestRuntime;

beforeAll(async () => {
  rt = await startTestRuntime('reviews-list', { env: { AI_CACHE_TTL_SECONDS: '0' } });
  await setPlanLimits('free', { reviews_per_month: 5 });
});

afterAll(async () => {
  await rt?.close();
});

const listed = async (s: Session, query = '') => {
  const res = await request(rt.url, 'GET', `/api/reviews${query}`, { token: s.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.items as any[]).map((r) => r.id).sort();
};

describe('the review list', () => {
  it("shows a user their own, a lawyer what is assigned to them, an admin all, each narrowed by ?status=", async () => {
    const [first, second, admin] = [await account(rt.url, 'user', 'first'), await account(rt.url, 'user', 'second'), await account(rt.url, 'admin')];
    // One slot: the first request takes it, the second waits unassigned.
    const family = await lawyer(rt.url, 'family', { specializations: ['family'], capacity: 1 });
    const asked = async (s: Session) => {
      const { answerId } = await answered(rt.url, s.token, 'Как разделить имущество при разводе?');
      const res = await requestReview(rt.url, s.token, answerId, { specialization: 'family' });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      return res.body.review.id as string;
    };
    const assigned = await asked(first);
    await reviewWhen(rt.url, first.token, assigned, 'assigned', (r) => r.status === 'assigned');
    const pending = await asked(second);
    await reviewWhen(rt.url, second.token, pending, 'left pending', (r) => r.status === 'pending');

    expect(await listed(first)).toEqual([assigned]);
    expect(await listed(second)).toEqual([pending]);
    expect(await listed(family)).toEqual([assigned]);
    expect(await listed(admin)).toEqual([assigned, pending].sort());
    expect(await listed(admin, '?status=pending')).toEqual([pending]);
    expect(await listed(admin, '?status=assigned')).toEqual([assigned]);
    expect(await listed(first, '?status=pending')).toEqual([]);
    expect(await listed(family, '?status=completed')).toEqual([]);
    const bad = await request(rt.url, 'GET', '/api/reviews?status=lost', { token: admin.token });
    expect([bad.status, bad.body.code]).toEqual([400, 'validation_failed']);
  });
});
