/**
 * An erasure survives the death of the worker running it. The workers process is killed
 * with SIGKILL in the middle of the `documents` step: every document already marked deleted,
 * half of them destroyed, one with its stored objects gone but its row still there. A new
 * workers process takes the stalled job over, finishes the step and the rest, and completes
 * the request once: nothing of the person is left in Postgres, storage or Redis, and the
 * admin reads the destruction act.
 *
 * Where the kill lands is not left to timing. The test holds row locks the erasure's
 * transactions must wait on, and kills the worker once Postgres shows it waiting there.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies, rows and job data are whatever was sent */
import path from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindModels, createDb, type Db } from '../../core/db/knex.js';
import { QUEUE_NAMES } from '../../pipelines/registry.js';
import { filesUnder, upload } from '../helpers/documents.js';
import { request, uniqueEmail } from '../helpers/http.js';
import { settledDocument } from '../helpers/ingest.js';
import { backendOf } from '../helpers/locks.js';
import { setPlanLimits } from '../helpers/plans.js';
import { redisDump, redisKeys } from '../helpers/redis-dump.js';
import { account, answered } from '../helpers/reviews.js';
import type { Spawned } from '../helpers/spawn.js';
import { cluster, FAST_STALLS, openQueue, waitFor } from './chat/harness.js';

const DOCUMENTS = 10;
/** Where in its order the erasure is held when the worker dies: this many documents destroyed before. */
const HELD_AT = 5;
const PERSON = { name: 'Эрастова Зинаида', surname: 'Эрастова', first: 'Зинаида', phone: '+7 916 555-12-34' };
/** Her phone in any spelling: 555-12-34, 555 12 34, 5551234. */
const PHONE = /555[\s-]?12[\s-]?34/;
const docText = (i: number) => `Договор поручения № ${i}. Доверитель: ${PERSON.name}, телефон ${PERSON.phone}.\n`;

const c = cluster('erasurerestart', { ...FAST_STALLS });
const filesDir = path.join(c.t.dataDir, 'files');
let api: string;
let workers: Spawned;
let db: Db;
let queues: Array<ReturnType<typeof openQueue>> = [];

beforeAll(async () => {
  ({ url: api } = await c.startApi());
  workers = await c.startWorkers();
  // The test process works as an operator would: through its own handle on the cluster's schema.
  db = createDb({ database: { url: c.t.env.DATABASE_URL, schema: c.t.schema, poolMax: 4 }, dataDir: c.t.dataDir });
  bindModels(db);
  await setPlanLimits('free', { documents_per_month: 1000, storage_mb: 1000 }, db);
  queues = QUEUE_NAMES.map((name) => openQueue(name, c.t.prefix));
}, 60_000);

afterAll(async () => {
  await Promise.all(queues.map((q) => q.close()));
  await db?.destroy();
  await c.stopAll();
});

/** Every row of every table of the schema, as text. */
async function databaseDump(): Promise<string> {
  const tables: string[] = await db('pg_tables').where({ schemaname: c.t.schema }).pluck('tablename');
  const rows: string[] = [];
  for (const table of tables) rows.push(...(await db.raw('SELECT t::text AS row FROM ?? t', [table])).rows.map((r: any) => r.row));
  return rows.join('\n');
}

/** Which of her details a text holds. */
const traces = (text: string, email: string) => {
  const lower = text.toLowerCase();
  return { email: lower.includes(email.toLowerCase()), surname: lower.includes(PERSON.surname.toLowerCase()), first: lower.includes(PERSON.first.toLowerCase()), phone: PHONE.test(text) };
};
const NONE = { email: false, surname: false, first: false, phone: false };

const count = async (table: string, where: (q: any) => any) => Number((await where(db(table)).count({ n: '*' }))[0]!.n);

/** Jobs kept or waiting in any queue whose data names the account. */
async function jobsNaming(userId: string): Promise<string[]> {
  const found: string[] = [];
  for (const { queue } of queues) {
    for (const job of await queue.getJobs(['completed', 'failed', 'delayed', 'wait', 'prioritized', 'waiting-children', 'active'])) {
      if (job && (job.data?.user_id === userId || job.data?.requester_id === userId)) found.push(`${queue.name}/${job.name}/${job.id}`);
    }
  }
  return found;
}

/** The one backend waiting on a lock held by `pid`: the erasure's transaction destroying a document. */
async function waitingOn(pid: number, what: string): Promise<{ pid: number; query: string }> {
  const rows = await waitFor(what, async () => {
    const found = (await db.raw('SELECT pid, query FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))', [pid])).rows;
    return found.length ? found : undefined;
  }, 30_000);
  expect(rows).toHaveLength(1);
  expect(rows[0].query).toMatch(/^delete from "documents"/i);
  return rows[0];
}

describe('erasure across a worker SIGKILL', () => {
  it('resumes in a new workers process, completes once and leaves nothing of the person', async () => {
    const consent = await request(api, 'GET', '/api/privacy/consent-document');
    expect(consent.status).toBe(200);
    const email = uniqueEmail('erastova');
    const password = 'correct horse battery';
    const reg = await request(api, 'POST', '/api/auth/register', { json: { email, password, name: PERSON.name, consent_version: consent.body.version } });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    const token: string = reg.body.access_token;
    const userId: string = reg.body.user.id;
    const admin = await account(api, 'admin', 'erasure-admin');
    const filesBefore = filesUnder(filesDir);

    // Her chats, her name and phone in the questions.
    const chats = [
      await answered(api, token, `Меня зовут ${PERSON.name}, мой телефон ${PERSON.phone}. Как отозвать доверенность?`),
      await answered(api, token, `Это снова ${PERSON.name} (${PERSON.phone}). Нужно ли уведомлять поверенного письменно?`),
    ];
    const chatIds = chats.map((ch) => ch.chatId);
    const replyStreams = async () => (await Promise.all(chats.map((ch) => redisKeys(`${c.t.prefix}:reply-stream:${ch.answerId}*`)))).flat();

    // Her documents, each stored, extracted and chunked before the erasure starts.
    const documentIds: string[] = [];
    for (let i = 0; i < DOCUMENTS; i++) {
      const res = await upload(api, '/api/documents', token, { name: `poruchenie-${i}.txt`, data: Buffer.from(docText(i)), type: 'text/plain' }, { title: `Поручение ${PERSON.name} ${i}` });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      documentIds.push(res.body.document.id);
    }
    for (const id of documentIds) expect((await settledDocument(api, token, id)).status, id).toBe('ready');
    const documentFiles = () => filesUnder(filesDir).filter((f) => documentIds.some((id) => f.includes(id)));
    expect(documentFiles().length).toBeGreaterThanOrEqual(DOCUMENTS);
    expect(await count('document_chunks', (q) => q.whereIn('document_id', documentIds))).toBeGreaterThanOrEqual(DOCUMENTS);
    // What the searches at the end look for is there to find now. (Her phone is stored
    // masked or sealed everywhere, so that search guards against a regression only.)
    expect(traces(await databaseDump(), email)).toMatchObject({ email: true, surname: true, first: true });
    expect(await replyStreams()).not.toEqual([]);
    expect(await jobsNaming(userId)).not.toEqual([]);

    // Two locks place the kill. `stall` (on the documents' texts) stops the erasure at the
    // first document it destroys, after it has read the ids in its order; `hold` (on the
    // versions of the document halfway down that order) stops it there once `stall` lets go.
    const stall = await db.transaction();
    let hold: Knex.Transaction | undefined;
    try {
      const stallPid = await backendOf(stall);
      expect((await stall('document_texts').whereIn('document_id', documentIds).forUpdate().select('document_id')).length).toBeGreaterThanOrEqual(DOCUMENTS);

      const res = await request(api, 'POST', '/api/privacy/erasure', { token, json: { password } });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      expect(res.body.request).toMatchObject({ type: 'erasure', status: 'queued' });
      const requestId: string = res.body.request.id;
      // Shut at once: no new session, and the old one opens nothing.
      expect([401, 403]).toContain((await request(api, 'POST', '/api/auth/login', { json: { email, password } })).status);
      expect((await request(api, 'GET', '/api/auth/me', { token })).status).toBe(403);

      const stalled = await waitingOn(stallPid, 'the erasure to reach its first document');
      // The order the erasure destroys them in: the query it ran, on the same rows.
      const order: string[] = await db('documents').where({ user_id: userId }).pluck('id');
      expect([...order].sort()).toEqual([...documentIds].sort());
      expect(documentFiles().filter((f) => f.includes(order[0]!))).toEqual([]);
      const held = order[HELD_AT]!;
      hold = await db.transaction();
      const holdPid = await backendOf(hold);
      expect(await hold('document_versions').where({ document_id: held }).forUpdate().select('id')).toHaveLength(1);
      await stall.rollback();
      const waiting = await waitingOn(holdPid, 'the erasure to reach the held document');
      expect(waiting.pid).toBe(stalled.pid);

      const stateAtKill = {
        request: await db('privacy_requests').where({ id: requestId }).first(),
        left: (await db('documents').where({ user_id: userId }).pluck('id')).sort(),
        undeleted: await count('documents', (q) => q.where({ user_id: userId }).whereNull('deleted_at')),
        heldFiles: documentFiles().filter((f) => f.includes(held)),
      };
      const killed = workers;
      await killed.stop('SIGKILL');
      expect(killed.child.signalCode).toBe('SIGKILL');
      await hold.rollback();

      // Killed mid-step: the step unrecorded, every document marked deleted, the first
      // HELD_AT destroyed, and the held one half done (its objects deleted, its row there).
      expect(stateAtKill.request).toMatchObject({ status: 'queued', completed_at: null });
      expect(stateAtKill.request.progress.documents).toBeUndefined();
      expect(stateAtKill.undeleted).toBe(0);
      expect(stateAtKill.left).toEqual(order.slice(HELD_AT).sort());
      expect(stateAtKill.heldFiles).toEqual([]);
      // The dead worker's transaction never commits: its backend ends once it finds the client gone.
      await waitFor('the dead worker\'s backend to end', async () =>
        (await db.raw('SELECT 1 FROM pg_stat_activity WHERE pid = ?', [waiting.pid])).rows.length === 0, 15_000);
      expect(await count('documents', (q) => q.where({ id: held }))).toBe(1);
      expect(await db('privacy_requests').where({ id: requestId }).first()).toMatchObject({ status: 'queued', completed_at: null });

      // A new workers process takes the stalled job over and finishes.
      workers = await c.startWorkers();
      const done = await waitFor('the erasure to complete', async () => {
        const row = await db('privacy_requests').where({ id: requestId }).first();
        return row.status === 'completed' ? row : undefined;
      }, 60_000);
      expect(done.progress).toMatchObject({ documents: expect.anything(), redis: expect.anything(), database: expect.anything(), act: true });
      // Started twice, taken over once as a stalled job, finished by its one completed attempt (no failure, no retry).
      const privacy = queues.find((q) => q.queue.name === 'privacy')!.queue;
      await waitFor('the erase job to complete', async () => (await privacy.getJobState(`privacy-erase-${requestId}`)) === 'completed' || undefined);
      // Read after it completed: a copy read while it ran would show the counters of then.
      const job = (await privacy.getJob(`privacy-erase-${requestId}`))!;
      expect({ started: job.attemptsStarted, stalled: job.stalledCounter, made: job.attemptsMade, failed: job.failedReason }).toEqual({ started: 2, stalled: 1, made: 1, failed: undefined });

      const seen = await request(api, 'GET', `/api/admin/privacy/requests/${requestId}`, { token: admin.token });
      expect(seen.status).toBe(200);
      expect(seen.body).toMatchObject({ account_id: userId, request: { id: requestId, status: 'completed' } });

      // No rows of hers.
      expect(await count('users', (q) => q.where({ id: userId })), 'users').toBe(0);
      for (const table of ['chats', 'messages', 'documents', 'consents', 'refresh_tokens', 'ai_cache', 'ai_usage_records', 'usage_counters']) {
        expect(await count(table, (q) => q.where({ user_id: userId })), table).toBe(0);
      }
      for (const table of ['document_versions', 'document_texts', 'document_chunks']) {
        expect(await count(table, (q) => q.whereIn('document_id', documentIds)), table).toBe(0);
      }
      expect(await count('messages', (q) => q.whereIn('chat_id', chatIds)), 'messages of her chats').toBe(0);
      expect(await count('pii_vaults', (q) => q.whereIn('scope_id', [...chatIds, ...documentIds])), 'pii_vaults').toBe(0);

      // No objects of hers in storage: what is left is what was there before she uploaded.
      expect(documentFiles()).toEqual([]);
      expect(filesUnder(filesDir).sort()).toEqual([...filesBefore].sort());

      // Not her e-mail, name or phone in any row of any table, nor anywhere in Redis.
      expect(traces(await databaseDump(), email)).toEqual(NONE);
      expect(traces(await redisDump(c.t.prefix), email)).toEqual(NONE);
      expect(await replyStreams()).toEqual([]);
      expect(await jobsNaming(userId)).toEqual([]);

      // The act, for the admin. (Its document count is the resumed run's only: not checked.)
      const act = await request(api, 'GET', `/api/admin/privacy/acts/${requestId}`, { token: admin.token });
      expect(act.status).toBe(200);
      expect(act.body).toMatchObject({ request_id: requestId, account_id: userId, email_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(act.body.act.audit_extract.length).toBeGreaterThan(0);
      expect(act.body.act.audit_extract.map((e: any) => e.action)).toEqual(expect.arrayContaining(['auth.register', 'privacy.erasure_requested']));
      expect(traces(JSON.stringify(act.body), email)).toEqual(NONE);
      expect(await count('destruction_acts', (q) => q.where({ request_id: requestId }))).toBe(1);

      // Completed once; the account is gone.
      expect(await count('audit_logs', (q) => q.where({ action: 'privacy.erasure_completed', target_id: requestId }))).toBe(1);
      expect((await request(api, 'POST', '/api/auth/login', { json: { email, password } })).status).toBe(401);
    } finally {
      if (!stall.isCompleted()) await stall.rollback();
      if (hold && !hold.isCompleted()) await hold.rollback();
    }
  }, 180_000);
});
