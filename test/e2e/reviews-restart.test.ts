/**
 * Lawyer-review SLA timers across a worker crash: the accept and resolution timers are BullMQ
 * delayed jobs, so a workers process killed with SIGKILL while they wait loses none of them.
 * The next workers process fires each one exactly once: the first lawyer loses the review
 * to the second at the accept deadline, and the resolution deadline marks it breached and
 * escalates it to admins, once.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies, job data and log lines are whatever was sent */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindModels, createDb, type Db } from '../../core/db/knex.js';
import { REMINDER_AT } from '../../core/reviews/timers.js';
import { timerJobId } from '../../pipelines/reviews.js';
import { account, answered, lawyer, requestReview, reviewWhen, type Session } from '../helpers/reviews.js';
import type { Spawned } from '../helpers/spawn.js';
import { cluster, connect, FAST_STALLS, openQueue, sleep, waitFor, type Client } from './chat/harness.js';

// Room for a slow workers start (several seconds on a busy machine) inside the accept window;
// the resolution deadline falls inside the second lawyer's accept window.
const ACCEPT_SECONDS = 20;
const SLA_SECONDS = 30;

const c = cluster('reviewsrestart', {
  REVIEW_ACCEPT_SECONDS: String(ACCEPT_SECONDS),
  REVIEW_SLA_SECONDS_STANDARD: String(SLA_SECONDS),
  ...FAST_STALLS,
});
let api: string;
let workers: Spawned;
let db: Db;
let reviews: ReturnType<typeof openQueue>;
let adminSocket: Client | undefined;

beforeAll(async () => {
  ({ url: api } = await c.startApi());
  workers = await c.startWorkers();
  // The test process sets roles as an operator would: through the models, on the cluster's schema.
  db = createDb({ database: { url: c.t.env.DATABASE_URL, schema: c.t.schema, poolMax: 2 }, dataDir: c.t.dataDir });
  bindModels(db);
  reviews = openQueue('reviews', c.t.prefix);
}, 60_000);

afterAll(async () => {
  adminSocket?.close();
  await reviews?.close();
  await db?.destroy();
  await c.stopAll();
});

/** The `review timer` lines a workers process logged for one review. */
const timerLogs = (proc: Spawned, reviewId: string): any[] =>
  proc.output().split('\n').flatMap((line) => {
    try {
      const entry = JSON.parse(line);
      return entry.msg === 'review timer' && entry.review_id === reviewId ? [entry] : [];
    } catch {
      return [];
    }
  });

/** The state first, then the job: read the other way, a finished job's fields could be from before it ended. */
async function jobState(id: string) {
  const state = await reviews.queue.getJobState(id);
  const job = await reviews.queue.getJob(id);
  return job ? { job, state } : undefined;
}

describe('lawyer-review SLA timers across a worker SIGKILL', () => {
  it('the accept and resolution timers survive the crash and each fires exactly once', async () => {
    const user = await account(api, 'user');
    const admin = await account(api, 'admin');
    const lawyers: Session[] = [
      await lawyer(api, 'labour-1', { specializations: ['labour'], capacity: 1 }),
      await lawyer(api, 'labour-2', { specializations: ['labour'], capacity: 1 }),
    ];
    adminSocket = await connect(api, admin.token);

    const { answerId } = await answered(api, user.token, 'Работодатель уволил меня без предупреждения. Что делать?');
    const requested = await requestReview(api, user.token, answerId, { specialization: 'labour' });
    expect(requested.status, JSON.stringify(requested.body)).toBe(202);
    const id: string = requested.body.review.id;
    const resolutionDue = Date.parse(requested.body.review.sla.resolution_due);

    const first = await reviewWhen(api, user.token, id, 'assigned', (r) => r.status === 'assigned', 15_000);
    const x: string = first.lawyer.id;
    const y = lawyers.find((l) => l.id !== x)!.id;
    const acceptDue = Date.parse(first.sla.accept_due);
    // The accept window ends before the resolution deadline, and the second lawyer's would end after it.
    expect(acceptDue).toBeLessThan(resolutionDue);
    expect(acceptDue + ACCEPT_SECONDS * 1000).toBeGreaterThan(resolutionDue);

    // The crash: well before the first reminder (75% of the accept window), so no timer has run.
    const killedAt = Date.now();
    const firstReminder = acceptDue - (1 - REMINDER_AT) * ACCEPT_SECONDS * 1000;
    if (killedAt > firstReminder - 1_000) throw new Error(`too slow to kill before the first timer: ${firstReminder - killedAt} ms left`);
    const killed = workers;
    await killed.stop('SIGKILL');
    expect(killed.child.signalCode).toBe('SIGKILL');

    // Every timer is still waiting in Redis, as a delayed job due when its window says.
    const ids = {
      acceptReminder: timerJobId({ review_id: id, window: 'accept', phase: 'reminder', assignment: 1, due_at: acceptDue }),
      acceptDue: timerJobId({ review_id: id, window: 'accept', phase: 'due', assignment: 1, due_at: acceptDue }),
      resolutionReminder: timerJobId({ review_id: id, window: 'resolution', phase: 'reminder' }),
      resolutionDue: timerJobId({ review_id: id, window: 'resolution', phase: 'due' }),
    };
    for (const jobId of Object.values(ids)) {
      const found = await jobState(jobId);
      expect(found?.state, `${jobId} after the crash`).toBe('delayed');
    }
    const dueAt = async (jobId: string) => {
      const { job } = (await jobState(jobId))!;
      return job.timestamp + (job.opts.delay ?? 0);
    };
    expect(Math.abs((await dueAt(ids.acceptDue)) - acceptDue)).toBeLessThan(1_000);
    expect(Math.abs((await dueAt(ids.resolutionDue)) - resolutionDue)).toBeLessThan(1_000);
    expect(timerLogs(killed, id)).toEqual([]);

    // A new workers process, started while both deadlines are still ahead.
    workers = await c.startWorkers();
    const restartedAt = Date.now();
    expect(restartedAt, `the new workers took ${restartedAt - killedAt} ms to start, past the accept deadline`).toBeLessThan(acceptDue);

    // The accept deadline passes: the first lawyer loses the review to the second.
    const second = await reviewWhen(api, user.token, id, 'assigned to the other lawyer',
      (r) => r.status === 'assigned' && r.lawyer?.id === y, ACCEPT_SECONDS * 1000 + 20_000);
    expect(second.sla.breached).toBe(false);
    expect(Date.now()).toBeGreaterThanOrEqual(acceptDue - 100);

    // The resolution deadline passes while the second lawyer holds it: breached and escalated.
    const breached = await reviewWhen(api, user.token, id, 'breached', (r) => r.sla.breached, SLA_SECONDS * 1000 + 20_000);
    expect(Date.now()).toBeGreaterThanOrEqual(resolutionDue - 100);
    expect(breached).toMatchObject({ status: 'pending', lawyer: null });
    const escalations = () => adminSocket!.of('review.updated').filter((e) => e.review?.id === id && e.escalation === 'sla_breached');
    await waitFor('the escalation to the admin', () => escalations().length > 0, 10_000);

    // The second assignment's accept deadline then passes too (brought forward: what it finds
    // is the same): a no-op (the review moved on), and time for any duplicate firing to show.
    const secondAcceptDue = timerJobId({ review_id: id, window: 'accept', phase: 'due', assignment: 2, due_at: Date.parse(second.sla.accept_due) });
    const waiting = await jobState(secondAcceptDue);
    if (waiting?.state === 'delayed') await waiting.job.promote();
    await waitFor(`${secondAcceptDue} to run`, async () => (await jobState(secondAcceptDue))?.state === 'completed', ACCEPT_SECONDS * 1000 + 20_000);
    await sleep(1_500);

    // Each timer job ran once, in the new process, and did what its window says.
    const outcomes: Record<string, string | undefined> = {};
    for (const [name, jobId] of Object.entries({ ...ids, secondAcceptDue })) {
      const found = await jobState(jobId);
      expect(found?.state, `${jobId} state`).toBe('completed');
      expect(found!.job.attemptsStarted, `${jobId} started`).toBe(1);
      expect(found!.job.stalledCounter, `${jobId} stalled`).toBe(0);
      outcomes[name] = found!.job.returnvalue?.outcome;
    }
    expect(outcomes).toMatchObject({ acceptDue: 'rerouted', resolutionDue: 'breached', secondAcceptDue: 'moved on' });
    const logged = timerLogs(workers, id);
    expect(logged.filter((l) => l.phase === 'due' && l.outcome === 'rerouted')).toHaveLength(1);
    expect(logged.filter((l) => l.phase === 'due' && l.outcome === 'breached')).toHaveLength(1);
    expect(logged.filter((l) => l.phase === 'due')).toHaveLength(3);
    expect(timerLogs(killed, id)).toEqual([]);

    // Exactly once in the database.
    const passes = await db('review_passes').where({ review_id: id }).select('lawyer_id', 'kind');
    expect(passes.filter((p) => p.lawyer_id === x)).toEqual([{ lawyer_id: x, kind: 'expired' }]);
    // The breach took the review back from the second lawyer, who had not accepted it either.
    expect(passes.filter((p) => p.lawyer_id === y)).toEqual([{ lawyer_id: y, kind: 'expired' }]);

    const audits = await db('audit_logs').where({ target_id: id }).orderBy('seq').select('action', 'meta');
    const expired = audits.filter((a) => a.action === 'review.accept_expired');
    expect(expired).toHaveLength(1);
    expect(expired[0].meta).toMatchObject({ lawyer_id: x, assignment: 1 });
    const slaBreached = audits.filter((a) => a.action === 'review.sla_breached');
    expect(slaBreached).toHaveLength(1);
    expect(slaBreached[0].meta).toMatchObject({ status: 'assigned', lawyer_id: y, urgency: 'standard' });

    const row = await db('lawyer_reviews').where({ id }).first();
    expect(row).toMatchObject({ assignment: 2, status: 'pending', lawyer_id: null });
    expect(row.breached_at).not.toBeNull();
    const load = await db('lawyer_profiles').whereIn('user_id', [x, y]).select('user_id', 'active_reviews');
    expect(load.map((p) => p.active_reviews)).toEqual([0, 0]);

    // The admin, connected before the deadline, was told once.
    expect(escalations()).toHaveLength(1);
    expect(escalations()[0].review).toMatchObject({ id, status: 'pending', sla: { breached: true } });
  }, 120_000);
});
