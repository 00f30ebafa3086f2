/**
 * A lawyer who may no longer hold reviews gives them back: blocking a lawyer or changing their
 * role hands their open reviews (assigned and in progress) back to routing in the change's
 * transaction, both sides told, the slot released, once; and a review in progress whose lawyer
 * is no longer eligible at its resolution deadline is taken back and rerouted.
 */
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, waitFor, type Client } from '../../e2e/chat/harness.js';
import { request } from '../../helpers/http.js';
import { backendOf, untilBlockedBy } from '../../helpers/locks.js';
import { account, answered, lawyer, requestReview, reviewAs, reviewWhen, type Session } from '../../helpers/reviews.js';
import { setPlanLimits } from '../../helpers/plans.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

let rt: TestRuntime;
let user: Session;
let admin: Session;
let userSocket: Client;

const db = () => Model.knex();
const post = (token: string, path: string, json: unknown = {}) => request(rt.url, 'POST', path, { token, json });
const patchUser = (id: string, json: unknown) => request(rt.url, 'PATCH', `/api/admin/users/${id}`, { token: admin.token, json });
const slotsOf = async (id: string) => (await db()('lawyer_profiles').where({ user_id: id }).first('active_reviews')).active_reviews;
const handedBack = (id: string) => db()('audit_logs').where({ target_id: id, action: 'review.handed_back' }).select('meta');

/** A review of a new answer, assigned to `to` (the only lawyer free for `specialization`). */
async function assignedTo(to: Session, specialization: string, question: string, urgency = 'standard'): Promise<string> {
  const { answerId } = await answered(rt.url, user.token, question);
  const id = (await requestReview(rt.url, user.token, answerId, { specialization, urgency })).body.review.id as string;
  await reviewWhen(rt.url, user.token, id, `assigned to ${to.id}`, (r) => r.status === 'assigned' && r.lawyer?.id === to.id);
  return id;
}

beforeAll(async () => {
  rt = await startTestRuntime('reviews-hand-back', { env: { AI_CACHE_TTL_SECONDS: '0', REVIEW_SLA_SECONDS_URGENT: '4' } });
  await setPlanLimits('free', { reviews_per_month: 20, messages_per_day: 100 });
  user = await account(rt.url, 'user');
  admin = await account(rt.url, 'admin');
  userSocket = await connect(rt.url, user.token);
});

afterAll(async () => {
  userSocket?.close();
  await rt?.close();
});

describe('a lawyer who may no longer hold reviews', () => {
  it('hands back every open review when blocked, once, and they go to another lawyer', async () => {
    const blocked = await lawyer(rt.url, 'blocked', { specializations: ['tax'], capacity: 2 });
    const assigned = await assignedTo(blocked, 'tax', 'Как вернуть переплату по НДФЛ?');
    const working = await assignedTo(blocked, 'tax', 'Как получить вычет за обучение?');
    expect((await post(blocked.token, `/api/reviews/${working}/accept`)).status).toBe(200);
    expect(await slotsOf(blocked.id)).toBe(2);

    expect((await patchUser(blocked.id, { status: 'blocked' })).status).toBe(200);
    // Handed back in the block's transaction: pending, no lawyer, the slots released.
    for (const id of [assigned, working]) expect(await reviewAs(rt.url, user.token, id)).toMatchObject({ status: 'pending', lawyer: null });
    expect(await slotsOf(blocked.id)).toBe(0);
    expect((await handedBack(working))[0].meta).toMatchObject({ from: 'in_progress', lawyer_id: blocked.id, via: 'api' });
    for (const id of [assigned, working]) {
      await waitFor(`review.updated pending: ${id}`, () => userSocket.of('review.updated').find((e) => e.review.id === id && e.review.status === 'pending'));
    }

    // Blocking again hands back nothing more.
    expect((await patchUser(blocked.id, { status: 'blocked' })).status).toBe(200);
    for (const id of [assigned, working]) expect(await handedBack(id)).toHaveLength(1);

    // Routed to the next lawyer free for them.
    const next = await lawyer(rt.url, 'next', { specializations: ['tax'], capacity: 2 });
    for (const id of [assigned, working]) await reviewWhen(rt.url, user.token, id, 'rerouted', (r) => r.status === 'assigned' && r.lawyer?.id === next.id);
    for (const id of [assigned, working]) expect((await post(user.token, `/api/reviews/${id}/cancel`)).status).toBe(200);
  });

  it('blocks a lawyer while their decline of a review is being written, without a deadlock', async () => {
    const declining = await lawyer(rt.url, 'declining', { specializations: ['consumer'], capacity: 1 });
    const id = await assignedTo(declining, 'consumer', 'Как вернуть в магазин неисправный телефон?');
    // What a decline does (work.ts): the review locked, then its pass recorded, which
    // key-share-locks the lawyer's account (the foreign key).
    const trx = await db().transaction();
    let block: ReturnType<typeof patchUser> | undefined;
    try {
      await trx('lawyer_reviews').where({ id }).forUpdate().first('id');
      const pid = await backendOf(trx);
      block = patchUser(declining.id, { status: 'blocked' });
      await untilBlockedBy(db(), pid, 'the block to wait for the review');
      await trx('review_passes').insert({ review_id: id, lawyer_id: declining.id, kind: 'declined' });
      await trx.commit();
    } catch (err) {
      await trx.rollback();
      throw err;
    }
    const blocked = await block;
    expect(blocked.status, JSON.stringify(blocked.body)).toBe(200);
    expect(blocked.body.status).toBe('blocked');
    expect(await slotsOf(declining.id)).toBe(0);
    expect((await post(user.token, `/api/reviews/${id}/cancel`)).status).toBe(200);
  });

  it('hands back the reviews of a lawyer whose role changes, and tells them', async () => {
    const demoted = await lawyer(rt.url, 'demoted', { specializations: ['labour'], capacity: 1 });
    const demotedSocket = await connect(rt.url, demoted.token);
    try {
      const id = await assignedTo(demoted, 'labour', 'Как оформить отпуск без сохранения зарплаты?');
      expect((await post(demoted.token, `/api/reviews/${id}/accept`)).status).toBe(200);
      expect((await patchUser(demoted.id, { role: 'user' })).status).toBe(200);
      expect(await reviewAs(rt.url, user.token, id)).toMatchObject({ status: 'pending', lawyer: null });
      expect(await slotsOf(demoted.id)).toBe(0);
      const told = await waitFor('the demoted lawyer told', () => demotedSocket.of('review.updated').find((e) => e.review.id === id && e.review.status === 'pending'));
      expect(told.review.lawyer).toBeNull();
      expect((await handedBack(id))[0].meta).toMatchObject({ from: 'in_progress', lawyer_id: demoted.id });
      const next = await lawyer(rt.url, 'labour-next', { specializations: ['labour'], capacity: 1 });
      await reviewWhen(rt.url, user.token, id, 'rerouted', (r) => r.status === 'assigned' && r.lawyer?.id === next.id);
      expect((await post(user.token, `/api/reviews/${id}/cancel`)).status).toBe(200);
    } finally {
      demotedSocket.close();
    }
  });

  it('takes back a breached review in progress whose lawyer is no longer eligible, and reroutes it', async () => {
    const gone = await lawyer(rt.url, 'gone', { specializations: ['land'], capacity: 1 });
    const id = await assignedTo(gone, 'land', 'Как оформить право собственности на участок?', 'urgent');
    expect((await post(gone.token, `/api/reviews/${id}/accept`)).status).toBe(200);
    // Blocked without the hand-back (as before it existed, or straight in the database).
    await db()('users').where({ id: gone.id }).update({ status: 'blocked' });
    const next = await lawyer(rt.url, 'land-next', { specializations: ['land'], capacity: 1 });
    const moved = await reviewWhen(rt.url, user.token, id, 'taken back at the deadline and rerouted', (r) => r.status === 'assigned' && r.lawyer?.id === next.id, 15_000);
    expect(moved.sla.breached).toBe(true);
    expect(await slotsOf(gone.id)).toBe(0);
    expect(await db()('audit_logs').where({ target_id: id, action: 'review.sla_breached' })).toHaveLength(1);
  });
});
