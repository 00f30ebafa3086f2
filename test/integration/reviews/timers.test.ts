/**
 * SLA timers with short deadlines: an assigned lawyer is reminded at 75% of the accept
 * window and loses the review past it; a review still open at its resolution deadline is
 * marked breached once, escalated to admins (event and audit entry), and rerouted unless a
 * lawyer is working on it. A timer that fires after the review moved on changes nothing.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are whatever the server sent */
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, sleep, type Client } from '../../e2e/chat/harness.js';
import { request } from '../../helpers/http.js';
import { account, answered, lawyer, requestReview, reviewAs, reviewWhen, type Session } from '../../helpers/reviews.js';
import { setPlanLimits } from '../../helpers/plans.js';
import { metricValue } from '../../helpers/metrics.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { createQueues } from '../../../pipelines/queues.js';
import { timerJobId } from '../../../pipelines/reviews.js';
import { Redis } from 'ioredis';
import { REDIS_URL } from '../../helpers/services.js';

let rt: TestRuntime;
let user: Session;
let admin: Session;
let first: Session;
let second: Session;
let adminSocket: Client;
const lawyerSockets: Record<string, Client> = {};

const db = () => Model.knex();
const auditOf = (id: string, action: string) => db()('audit_logs').where({ target_id: id, action });

beforeAll(async () => {
  rt = await startTestRuntime('reviews-timers', {
    // Short, yet long enough for a lawyer's accept to land in time on a busy machine: an urgent
    // review is accepted before its resolution deadline, which comes after the accept window.
    env: { REVIEW_ACCEPT_SECONDS: '4', REVIEW_SLA_SECONDS_STANDARD: '30', REVIEW_SLA_SECONDS_URGENT: '6' },
  });
  await setPlanLimits('free', { reviews_per_month: 10 });
  user = await account(rt.url, 'user');
  admin = await account(rt.url, 'admin');
  first = await lawyer(rt.url, 'first', { specializations: ['housing'], capacity: 1 });
  second = await lawyer(rt.url, 'second', { specializations: ['housing'], capacity: 1 });
  adminSocket = await connect(rt.url, admin.token);
  for (const l of [first, second]) lawyerSockets[l.id] = await connect(rt.url, l.token);
});

afterAll(async () => {
  adminSocket?.close();
  for (const s of Object.values(lawyerSockets)) s.close();
  await rt?.close();
});

describe('review timers', () => {
  it('reminds the assigned lawyer, then reroutes past the accept deadline, never back to them', async () => {
    const subject = await answered(rt.url, user.token, 'Соседи затопили квартиру, как взыскать ущерб?');
    const id = (await requestReview(rt.url, user.token, subject.answerId, { specialization: 'housing' })).body.review.id;
    const assigned = await reviewWhen(rt.url, user.token, id, 'assigned', (r) => r.status === 'assigned');
    const late = assigned.lawyer.id;
    const other = late === first.id ? second : first;
    expect(Date.parse(assigned.sla.accept_due) - Date.parse(assigned.created_at)).toBeLessThan(6000);

    const reminded = await lawyerSockets[late]!.first('review.reminder', undefined, 8000);
    expect(reminded).toMatchObject({ deadline: 'accept', review: { id } });
    const moved = await reviewWhen(rt.url, user.token, id, 'rerouted', (r) => r.status === 'assigned' && r.lawyer.id === other.id, 15_000);
    expect(Date.parse(moved.sla.accept_due)).toBeGreaterThan(Date.parse(assigned.sla.accept_due));
    expect((await request(rt.url, 'GET', `/api/reviews/${id}`, { token: (late === first.id ? first : second).token })).status).toBe(404);
    expect(await auditOf(id, 'review.accept_expired')).toHaveLength(1);

    // The second lawyer accepts in time: their accept timer then finds nothing to do.
    expect((await request(rt.url, 'POST', `/api/reviews/${id}/accept`, { token: other.token })).status).toBe(200);
    await sleep(4500);
    const kept = await reviewAs(rt.url, user.token, id);
    expect(kept).toMatchObject({ status: 'in_progress', lawyer: { id: other.id } });
    expect(await auditOf(id, 'review.accept_expired')).toHaveLength(1);
    await request(rt.url, 'POST', `/api/reviews/${id}/complete`, { token: other.token, json: { verdict: 'approved', comment: 'Всё верно.' } });
  });

  it('marks an urgent review in progress breached once and escalates it to admins, without taking it from its lawyer', async () => {
    const subject = await answered(rt.url, user.token, 'Управляющая компания не делает ремонт крыши.');
    const id = (await requestReview(rt.url, user.token, subject.answerId, { specialization: 'housing', urgency: 'urgent' })).body.review.id;
    const assigned = await reviewWhen(rt.url, user.token, id, 'assigned', (r) => r.status === 'assigned');
    const holder = assigned.lawyer.id === first.id ? first : second;
    expect((await request(rt.url, 'POST', `/api/reviews/${id}/accept`, { token: holder.token })).status).toBe(200);
    const breached = await reviewWhen(rt.url, user.token, id, 'breached', (r) => r.sla.breached, 15_000);
    expect(breached).toMatchObject({ status: 'in_progress', lawyer: { id: holder.id } });
    const escalation = await adminSocket.first('review.updated', undefined, 5000);
    expect(escalation).toMatchObject({ escalation: 'sla_breached', review: { id, sla: { breached: true } } });
    expect(await auditOf(id, 'review.sla_breached')).toHaveLength(1);

    // A duplicate delivery of the deadline changes nothing.
    const queues = createQueues(new Redis(REDIS_URL, { maxRetriesPerRequest: null }), rt.t.prefix);
    await queues.add('reviews.timer', { review_id: id, window: 'resolution', phase: 'due' });
    await sleep(800);
    expect(await auditOf(id, 'review.sla_breached')).toHaveLength(1);
    expect(adminSocket.of('review.updated').filter((e) => e.review.id === id)).toHaveLength(1);
    await queues.close();
    await request(rt.url, 'POST', `/api/reviews/${id}/complete`, { token: holder.token, json: { verdict: 'approved', comment: 'Поздно, но верно.' } });
    const report = (await request(rt.url, 'GET', '/api/admin/reports/reviews', { token: admin.token })).body;
    expect(report.sla_breached).toBe(1);
    expect(report.by_lawyer.find((l: any) => l.lawyer_id === holder.id)).toMatchObject({ breached: 1 });
  });

  it('escalates a review nobody could take, and keeps it pending for the next free slot', async () => {
    const subject = await answered(rt.url, user.token, 'Как оспорить кадастровую стоимость земельного участка?');
    const id = (await requestReview(rt.url, user.token, subject.answerId, { specialization: 'land', urgency: 'urgent' })).body.review.id;
    const breached = await reviewWhen(rt.url, user.token, id, 'breached', (r) => r.sla.breached, 15_000);
    expect(breached).toMatchObject({ status: 'pending', lawyer: null });
    expect(await auditOf(id, 'review.sla_breached')).toHaveLength(1);
    const land = await lawyer(rt.url, 'land', { specializations: ['land'], capacity: 1 });
    const routed = await reviewWhen(rt.url, user.token, id, 'assigned to the new land lawyer', (r) => r.status === 'assigned');
    expect(routed.lawyer.id).toBe(land.id);
  });

  it('counts deadlines passed and review changes in /metrics', async () => {
    const text = await (await fetch(`${rt.url}/metrics`)).text();
    expect(metricValue(text, 'review_sla_breaches_total', { kind: 'accept' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, 'review_sla_breaches_total', { kind: 'resolution' })).toBe(2);
    expect(metricValue(text, 'reviews_total', { status: 'assigned' })).toBeGreaterThanOrEqual(4);
    expect(metricValue(text, 'reviews_total', { status: 'completed' })).toBe(2);
  });

  it('acts on a deadline whose timer job was lost, at the minute sweep', async () => {
    const subject = await answered(rt.url, user.token, 'Можно ли перепланировать балкон без согласования?');
    const id = (await requestReview(rt.url, user.token, subject.answerId, { specialization: 'housing' })).body.review.id;
    const assigned = await reviewWhen(rt.url, user.token, id, 'assigned', (r) => r.status === 'assigned');
    const queues = createQueues(new Redis(REDIS_URL, { maxRetriesPerRequest: null }), rt.t.prefix);
    try {
      // The assignment's timers are gone (as when a delayed job failed for good while Postgres
      // was down), and its accept deadline passed long ago.
      const timers = queues.get('reviews');
      for (const phase of ['reminder', 'due'] as const) {
        const jobId = timerJobId({ review_id: id, window: 'accept', phase, assignment: 1, due_at: Date.parse(assigned.sla.accept_due) });
        expect(await timers.remove(jobId)).toBe(1);
      }
      await db()('lawyer_reviews').where({ id }).update({ accept_due: new Date(Date.now() - 120_000) });
      await queues.add('reviews.route-pending', {});
      const moved = await reviewWhen(rt.url, user.token, id, 'rerouted by the sweep', (r) => r.status === 'assigned' && r.lawyer.id !== assigned.lawyer.id, 10_000);
      expect(await auditOf(id, 'review.accept_expired')).toHaveLength(1);
      const holder = moved.lawyer.id === first.id ? first : second;
      expect((await request(rt.url, 'POST', `/api/reviews/${id}/accept`, { token: holder.token })).status).toBe(200);
      expect((await request(rt.url, 'POST', `/api/reviews/${id}/complete`, { token: holder.token, json: { verdict: 'approved', comment: 'Верно.' } })).status).toBe(200);
    } finally {
      await queues.close();
    }
  });
});
