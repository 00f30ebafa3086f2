/**
 * Uploads under `Idempotency-Key` (one document and one object per key and user), and an
 * upload whose processing cannot be queued: a 503 that keeps nothing. The API runs without
 * workers, so a document stays as its upload left it.
 */
import http from 'node:http';
import path from 'node:path';
import { Redis } from 'ioredis';
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docxFixture, filesUnder, pdfFixture, sha256 } from '../../helpers/documents.js';
import { registerUser, request } from '../../helpers/http.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { waitFor } from '../../e2e/chat/harness.js';
import { REDIS_URL } from '../../helpers/services.js';

let rt: TestRuntime;
let redis: Redis;
let owner: Awaited<ReturnType<typeof registerUser>>;
let other: Awaited<ReturnType<typeof registerUser>>;

beforeAll(async () => {
  rt = await startTestRuntime('uploadidem', { mode: 'api' });
  redis = new Redis(REDIS_URL);
  owner = await registerUser(rt.url, 'owner');
  other = await registerUser(rt.url, 'other');
});
afterAll(async () => {
  redis?.disconnect();
  await rt?.close();
});

const send = (urlPath: string, token: string, file: { name: string; data: Buffer }, key?: string) => {
  const form = new FormData();
  form.append('file', new Blob([file.data]), file.name);
  return request(rt.url, 'POST', urlPath, { token, raw: form, headers: key ? { 'Idempotency-Key': key } : {} });
};
const objects = () => filesUnder(path.join(rt.t.dataDir, 'files', 'documents'));
const documentsOf = async (userId: string) => (await Model.knex()('documents').where({ user_id: userId }).orderBy('created_at')).map((d) => d.id as string);
const versionsOf = async (id: string) => (await request(rt.url, 'GET', `/api/documents/${id}/versions`, { token: owner.token })).body.items.map((v: { version: number }) => v.version);

describe('Idempotency-Key on uploads', () => {
  it('creates one document and one object for a key sent twice; another user with the same key gets their own', async () => {
    const file = { name: 'lease.pdf', data: pdfFixture('IDEMPOTENT-UPLOAD') };
    const objectsBefore = objects().length;
    const first = await send('/api/documents', owner.token, file, 'upload-key-1');
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    const again = await send('/api/documents', owner.token, file, 'upload-key-1');
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    // The replay is the stored answer, in the contract's shape.
    expect(again.body).toEqual(first.body);
    expect(again.body.document).toMatchObject({ status: 'uploaded', version: 1, title: 'lease' });
    expect(await documentsOf(owner.id)).toEqual([first.body.document.id]);
    expect(objects().length).toBe(objectsBefore + 1);

    const theirs = await send('/api/documents', other.token, file, 'upload-key-1');
    expect(theirs.status).toBe(202);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(theirs.body.document.id).not.toBe(first.body.document.id);
    expect(await documentsOf(other.id)).toEqual([theirs.body.document.id]);
    expect(objects().length).toBe(objectsBefore + 2);
  });

  it('adds one version for a key sent twice, and refuses the key on another route', async () => {
    const created = await send('/api/documents', owner.token, { name: 'claim.pdf', data: pdfFixture('V1') });
    const v2 = { name: 'claim.docx', data: docxFixture('Вторая редакция') };
    const first = await send(`/api/documents/${created.body.document.id}/versions`, owner.token, v2, 'version-key-1');
    const again = await send(`/api/documents/${created.body.document.id}/versions`, owner.token, v2, 'version-key-1');
    expect([first.status, again.status]).toEqual([202, 202]);
    expect(again.body).toEqual(first.body);
    expect(again.body.document).toMatchObject({ id: created.body.document.id, version: 2 });
    expect(await versionsOf(created.body.document.id)).toEqual([2, 1]);

    const elsewhere = await send('/api/documents', owner.token, v2, 'version-key-1');
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.body.code).toBe('idempotency_key_reused');
  });
});

describe('a client that goes away mid-upload', () => {
  /** Sends the multipart head and `part` bytes of a file announced much larger, then drops the connection. */
  const abandon = (key: string, part: Buffer) => new Promise<void>((resolve, reject) => {
    const boundary = 'abandoned-upload';
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n`);
    const req = http.request(`${rt.url}/api/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}`, 'idempotency-key': key, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + 10 * part.length) },
    });
    req.on('error', () => undefined); // the connection is ours to drop
    req.on('response', () => reject(new Error('answered before the body was sent')));
    req.write(Buffer.concat([head, part]));
    // Once the server has started storing the part, the client is gone.
    setTimeout(() => {
      req.destroy();
      resolve();
    }, 300);
  });

  it('leaves no object behind and frees its Idempotency-Key for the retry', async () => {
    const objectsBefore = objects().length;
    const docsBefore = await documentsOf(owner.id);
    await abandon('dropped-key-1', pdfFixture('DROPPED', 256 * 1024));
    await waitFor('the partial object to be removed', () => (objects().length === objectsBefore ? true : undefined), 5000);
    // The request ended (it did not hang holding its key): the same key now uploads.
    const retried = await waitFor('the key to be released', async () => {
      const res = await send('/api/documents', owner.token, { name: 'big.pdf', data: pdfFixture('DROPPED') }, 'dropped-key-1');
      return res.status === 409 ? undefined : res;
    }, 5000);
    expect(retried.status, JSON.stringify(retried.body)).toBe(202);
    expect(await documentsOf(owner.id)).toEqual([...docsBefore, retried.body.document.id]);
    expect(objects().length).toBe(objectsBefore + 1);
  });
});

describe('an upload whose processing cannot be queued', () => {
  // BullMQ numbers every job it adds with INCR on the queue's `id` key; a value that is not
  // a number makes Redis refuse every add to the `documents` queue until it is removed.
  const refuseEnqueue = async <T>(work: () => Promise<T>): Promise<T> => {
    const idKey = `${rt.t.prefix}:documents:id`;
    const saved = await redis.get(idKey);
    await redis.set(idKey, 'refused');
    try {
      return await work();
    } finally {
      if (saved === null) await redis.del(idKey);
      else await redis.set(idKey, saved);
    }
  };

  it('answers 503 unavailable and keeps no document, no row and no object; the retry with the same key works', async () => {
    const file = { name: 'decision.pdf', data: pdfFixture('NOT-QUEUED') };
    const objectsBefore = objects().length;
    const docsBefore = await documentsOf(owner.id);
    const refused = await refuseEnqueue(() => send('/api/documents', owner.token, file, 'retry-key-1'));
    expect(refused.status, JSON.stringify(refused.body)).toBe(503);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body.code).toBe('unavailable');
    expect(await documentsOf(owner.id)).toEqual(docsBefore);
    expect(objects().length).toBe(objectsBefore);

    const retried = await send('/api/documents', owner.token, file, 'retry-key-1');
    expect(retried.status).toBe(202);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(await documentsOf(owner.id)).toEqual([...docsBefore, retried.body.document.id]);
    expect(objects().length).toBe(objectsBefore + 1);
  });

  it('withdraws a new version: the document shows its earlier version again, whose bytes stay', async () => {
    const v1 = pdfFixture('KEPT-VERSION');
    const created = await send('/api/documents', owner.token, { name: 'contract.pdf', data: v1 });
    const docObjects = () => filesUnder(path.join(rt.t.dataDir, 'files', 'documents', created.body.document.id));
    const refused = await refuseEnqueue(() => send(`/api/documents/${created.body.document.id}/versions`, owner.token, { name: 'contract.docx', data: docxFixture('Новая редакция') }));
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('unavailable');

    const now = await request(rt.url, 'GET', `/api/documents/${created.body.document.id}`, { token: owner.token });
    const { updated_at: _before, ...shownBefore } = created.body.document;
    const { updated_at: _after, ...shownNow } = now.body;
    expect(shownNow).toEqual(shownBefore);
    expect(await versionsOf(created.body.document.id)).toEqual([1]);
    expect(docObjects()).toHaveLength(1);
    const download = await fetch(`${rt.url}/api/documents/${created.body.document.id}/download`, { headers: { authorization: `Bearer ${owner.token}` } });
    expect(sha256(Buffer.from(await download.arrayBuffer()))).toBe(sha256(v1));

    const next = await send(`/api/documents/${created.body.document.id}/versions`, owner.token, { name: 'contract.docx', data: docxFixture('Новая редакция') });
    expect(next.status).toBe(202);
    expect(next.body.document.version).toBe(2);
  });
});
