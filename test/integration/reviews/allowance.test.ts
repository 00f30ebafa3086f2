/**
 * The monthly review allowance is used by reviews a lawyer took on: one cancelled before any
 * lawyer accepted it (by its requester, or because its document was deleted) gives it back,
 * once; one a lawyer accepted keeps it used.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../e2e/chat/harness.js';
import { upload } from '../../helpers/documents.js';
import { request } from '../../helpers/http.js';
import { settledDocument } from '../../helpers/ingest.js';
import { account, answered, lawyer, requestReview, reviewWhen, type Session } from '../../helpers/reviews.js';
import { setPlanLimits } from '../../helpers/plans.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

let rt: TestRuntime;
let user: Session;

const post = (token: string, path: string) => request(rt.url, 'POST', path, { token, json: {} });
const used = async () => (await request(rt.url, 'GET', '/api/subscriptions/me', { token: user.token })).body.usage.reviews_this_period;

beforeAll(async () => {
  rt = await startTestRuntime('reviews-allowance', { env: { AI_CACHE_TTL_SECONDS: '0' } });
  await setPlanLimits('free', { reviews_per_month: 1, messages_per_day: 100, documents_per_month: 10 });
  user = await account(rt.url, 'user');
});

afterAll(async () => {
  await rt?.close();
});

describe('the monthly review allowance', () => {
  it('comes back, once, when the requester cancels a review no lawyer took on', async () => {
    // No lawyer takes criminal cases here: the review stays pending.
    const { answerId } = await answered(rt.url, user.token, 'Как обжаловать приговор?');
    const id = (await requestReview(rt.url, user.token, answerId, { specialization: 'criminal' })).body.review.id;
    expect(await used()).toBe(1);
    expect((await post(user.token, `/api/reviews/${id}/cancel`)).status).toBe(200);
    expect(await used()).toBe(0);
    expect((await post(user.token, `/api/reviews/${id}/cancel`)).status).toBe(409);
    expect(await used()).toBe(0);
    const again = await requestReview(rt.url, user.token, answerId, { specialization: 'criminal' });
    expect(again.status, JSON.stringify(again.body)).toBe(202);
    expect((await post(user.token, `/api/reviews/${again.body.review.id}/cancel`)).status).toBe(200);
  });

  it("comes back when a pending review's document is deleted", async () => {
    const up = await upload(rt.url, '/api/documents', user.token, { name: 'appeal.txt', data: Buffer.from('Апелляционная жалоба на приговор.\n') });
    expect((await settledDocument(rt.url, user.token, up.body.document.id)).status).toBe('ready');
    const requested = await post(user.token, `/api/reviews/documents/${up.body.document.id}/request`);
    expect(requested.status).toBe(202);
    expect(await used()).toBe(1);
    expect((await request(rt.url, 'DELETE', `/api/documents/${up.body.document.id}`, { token: user.token })).status).toBe(204);
    await waitFor('the allowance back', async () => ((await used()) === 0 ? true : undefined));
  });

  it('stays used once a lawyer accepted the review', async () => {
    const defender = await lawyer(rt.url, 'defender', { specializations: ['criminal'], capacity: 1 });
    const { answerId } = await answered(rt.url, user.token, 'Можно ли получить условный срок?');
    const id = (await requestReview(rt.url, user.token, answerId, { specialization: 'criminal' })).body.review.id;
    await reviewWhen(rt.url, user.token, id, 'assigned', (r) => r.status === 'assigned' && r.lawyer?.id === defender.id);
    expect((await post(defender.token, `/api/reviews/${id}/accept`)).status).toBe(200);
    expect((await post(user.token, `/api/reviews/${id}/cancel`)).status).toBe(200);
    expect(await used()).toBe(1);
    const refused = await requestReview(rt.url, user.token, (await answered(rt.url, user.token, 'Ещё вопрос о сроке.')).answerId, { specialization: 'criminal' });
    expect([refused.status, refused.body.code]).toEqual([402, 'quota_exceeded']);
  });
});
