/**
 * No document stays stuck when its jobs die: the minute's `documents.sweep` queues the
 * destruction of a deleted document again when none is queued (it failed for good, or was
 * never queued), and fails a document still shown as stored or processing whose ingestion flow
 * is over or was never queued,
 * so its owner sees why and can upload it again. A flow still under way is left alone. The
 * daily `documents.sweep-objects` deletes stored objects no document names, once an hour old.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { Redis } from 'ioredis';
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestJobId } from '../../../pipelines/documents-ingest.js';
import { destroyJobId } from '../../../pipelines/documents-sweep.js';
import { createQueues, type Queues } from '../../../pipelines/queues.js';
import { connect, waitFor } from '../../e2e/chat/harness.js';
import { filesUnder, upload } from '../../helpers/documents.js';
import { registerUser, request } from '../../helpers/http.js';
import { settledDocument } from '../../helpers/ingest.js';
import { runJobNow } from '../../helpers/jobs.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { REDIS_URL } from '../../helpers/services.js';
import path from 'node:path';
import { sha256 } from '../../helpers/documents.js';

let rt: TestRuntime;
let redis: Redis;
let queues: Queues;
const db = () => Model.knex();

beforeAll(async () => {
  rt = await startTestRuntime('docsweep');
  redis = new Redis(REDIS_URL);
  queues = createQueues(redis, rt.t.prefix);
});

afterAll(async () => {
  await queues?.close();
  redis?.disconnect();
  await rt?.close();
});

async function readyDocument(token: string, text: string) {
  const res = await upload(rt.url, '/api/documents', token, { name: 'договор.txt', data: Buffer.from(text) });
  expect(res.status).toBe(202);
  const doc = await settledDocument(rt.url, token, res.body.document.id);
  expect(doc.status).toBe('ready');
  return doc as { id: string; version: number };
}

/** As if it happened minutes ago: the sweep leaves what is younger to its own jobs. */
const minutesAgo = (n: number) => db().raw(`now() - make_interval(mins => ?)`, [n]);

describe('the documents sweep', () => {
  it('destroys a deleted document whose destruction died', async () => {
    const owner = await registerUser(rt.url, 'sweepdel');
    const doc = await readyDocument(owner.token, 'Договор поставки.');
    const objects = () => filesUnder(path.join(rt.t.dataDir, 'files')).filter((f) => f.includes(doc.id));
    expect(objects().length).toBeGreaterThan(0);
    // Hidden, with its destruction failed for good: a failed job kept under its id (a payload
    // its processor refuses stands in for attempts that ran out).
    await db()('documents').where({ id: doc.id }).update({ deleted_at: minutesAgo(5) });
    const failed = await queues.get('documents').add('documents.destroy', { document_id: 'not-a-document' }, { jobId: destroyJobId(doc.id), attempts: 1 });
    await waitFor('the stand-in job to fail', async () => ((await failed.getState()) === 'failed' ? true : undefined), 10_000);
    expect(await db()('documents').where({ id: doc.id }).first()).toBeDefined();

    expect(await runJobNow(rt.t.prefix, 'documents.sweep')).toMatchObject({ destroys: 1 });
    await waitFor('the document destroyed', async () => ((await db()('documents').where({ id: doc.id }).first()) ? undefined : true), 15_000);
    expect(objects()).toEqual([]);
    expect((await request(rt.url, 'GET', `/api/documents/${doc.id}`, { token: owner.token })).status).toBe(404);
  });

  it('fails a document left processing by a dead flow, and leaves one whose flow is still under way', async () => {
    const owner = await registerUser(rt.url, 'sweepdead');
    const dead = await readyDocument(owner.token, 'Договор аренды.');
    const alive = await readyDocument(owner.token, 'Договор подряда.');
    // Both shown as processing for minutes; only the second has its last stage still waiting.
    await db()('documents').whereIn('id', [dead.id, alive.id]).update({ status: 'processing', updated_at: minutesAgo(5) });
    const lastStage = ingestJobId('index', alive.id, alive.version);
    await (await queues.get('documents').getJob(lastStage))?.remove();
    await queues.get('documents').add('documents.index', { document_id: alive.id, version: alive.version }, { jobId: lastStage, delay: 60_000 });
    const socket = await connect(rt.url, owner.token);
    try {
      expect(await runJobNow(rt.t.prefix, 'documents.sweep')).toMatchObject({ failed: 1 });
      const shown = (await request(rt.url, 'GET', `/api/documents/${dead.id}`, { token: owner.token })).body;
      expect(shown).toMatchObject({ status: 'failed', error: { code: 'ingest_failed' } });
      expect((await request(rt.url, 'GET', `/api/documents/${alive.id}`, { token: owner.token })).body.status).toBe('processing');
      await waitFor('document.updated failed', () => socket.of('document.updated').find((e) => e.document?.id === dead.id && e.document.status === 'failed'));
    } finally {
      socket.close();
    }
  });

  it('fails a document left stored by an upload whose flow was never queued', async () => {
    const owner = await registerUser(rt.url, 'sweepstored');
    const doc = await readyDocument(owner.token, 'Договор поставки.');
    // As an API stopped between the commit and the enqueue leaves it: stored, no jobs behind it.
    await db()('documents').where({ id: doc.id }).update({ status: 'uploaded', progress: { stage: 'stored', percent: 10, version: doc.version }, updated_at: minutesAgo(5) });
    await (await queues.get('documents').getJob(ingestJobId('index', doc.id, doc.version)))?.remove();
    expect(await runJobNow(rt.t.prefix, 'documents.sweep')).toMatchObject({ failed: 1 });
    expect((await request(rt.url, 'GET', `/api/documents/${doc.id}`, { token: owner.token })).body).toMatchObject({ status: 'failed', error: { code: 'ingest_failed' } });
  });

  it('deletes the stored objects no document names once an hour old, and keeps every named one', async () => {
    const owner = await registerUser(rt.url, 'sweepobj');
    const doc = await readyDocument(owner.token, 'Договор хранения.');
    const files = path.join(rt.t.dataDir, 'files');
    const [named] = filesUnder(files).filter((f) => f.includes(doc.id));
    // What a process that died between storing and committing leaves: a version of this document
    // and a first upload that never got a row, and the local store's half-written temp file.
    const plant = (key: string, hoursAgo: number) => {
      const file = path.join(files, key);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, 'ciphertext');
      const at = new Date(Date.now() - hoursAgo * 3_600_000);
      fs.utimesSync(file, at, at);
      return file;
    };
    const orphans = [plant(`documents/${doc.id}/${randomUUID()}`, 2), plant(`documents/${randomUUID()}/${randomUUID()}`, 2), plant(`documents/${doc.id}/${randomUUID()}.4242.1700000000000.tmp`, 2)];
    // An upload still committing, and what is not a document's, are left alone.
    const young = plant(`documents/${randomUUID()}/${randomUUID()}`, 0.5);
    const other = plant(`exports/${randomUUID()}.zip`, 48);
    const old = new Date(Date.now() - 48 * 3_600_000);
    fs.utimesSync(named!, old, old);

    expect(await runJobNow(rt.t.prefix, 'documents.sweep-objects')).toMatchObject({ removed: 3 });
    expect(orphans.filter((f) => fs.existsSync(f))).toEqual([]);
    expect([named, young, other].every((f) => fs.existsSync(f!))).toBe(true);
    const download = await fetch(`${rt.url}/api/documents/${doc.id}/download`, { headers: { authorization: `Bearer ${owner.token}` } });
    expect([download.status, sha256(Buffer.from(await download.arrayBuffer()))]).toEqual([200, sha256(Buffer.from('Договор хранения.'))]);
    // Run again, it finds nothing more.
    expect(await runJobNow(rt.t.prefix, 'documents.sweep-objects')).toMatchObject({ removed: 0 });
  });
});
