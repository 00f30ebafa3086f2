/**
 * The S3 adapter through the real `minio` client against s3rver in-process: an upload is
 * stored encrypted, comes back byte for byte, a refused upload leaves no object, a delete removes every version's object,
 * and the sweep of objects no document names lists the bucket and deletes only those.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'minio';
import { Model } from 'objection';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepOrphanObjects } from '../../../core/documents/orphans.js';
import { createLogger } from '../../../core/log.js';
import { createS3Storage } from '../../../core/storage/s3.js';
import { pdfFixture, sha256, upload } from '../../helpers/documents.js';
import { registerUser, request } from '../../helpers/http.js';
import { setPlanLimits } from '../../helpers/plans.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

const BUCKET = 'legal-docs-test';
let s3: S3rver;
let dir: string;
let client: Client;
let endpoint: string;
let rt: TestRuntime;
let token: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
  s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: BUCKET }] });
  const { port } = await s3.run();
  endpoint = `http://127.0.0.1:${port}`;
  client = new Client({ endPoint: '127.0.0.1', port, useSSL: false, accessKey: 'S3RVER', secretKey: 'S3RVER', pathStyle: true });
  rt = await startTestRuntime('documents_s3', {
    env: { S3_ENDPOINT: `http://127.0.0.1:${port}`, S3_ACCESS_KEY: 'S3RVER', S3_SECRET_KEY: 'S3RVER', S3_BUCKET: BUCKET, UPLOAD_MAX_MB: '12' },
  });
  // Uploads here are more than the free plan's month allows.
  await setPlanLimits('free', { documents_per_month: 100_000, storage_mb: 100_000 });
  token = (await registerUser(rt.url, 's3')).token;
});
afterAll(async () => {
  await rt?.close();
  await s3?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const keysUnder = async (prefix: string) => {
  const keys: string[] = [];
  for await (const o of client.listObjectsV2(BUCKET, prefix, true)) if (o.name) keys.push(o.name);
  return keys;
};
const rawObject = async (key: string) => {
  const chunks: Buffer[] = [];
  for await (const c of await client.getObject(BUCKET, key)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

describe('documents on S3 (s3rver)', () => {
  it('round-trips an encrypted upload and its versions, and deletes every object', async () => {
    const v1 = pdfFixture('S3-PLAINTEXT-MARKER', 13 * 1024 * 1024);
    expect(v1.length).toBeGreaterThan(8 * 1024 * 1024); // past one part: a multipart upload
    const created = await upload(rt.url, '/api/documents', token, { name: 'Договор.pdf', data: v1 });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const id = created.body.document.id as string;
    const [key] = await keysUnder(`documents/${id}/`);
    const raw = await rawObject(key!);
    expect(raw.includes('S3-PLAINTEXT-MARKER')).toBe(false);
    // The header with its version: four bytes alone turn up in 13 MB of ciphertext about once in 300 runs.
    expect(raw.includes('%PDF-1.4\n')).toBe(false);

    const v2 = pdfFixture('S3-SECOND', 70 * 1024);
    expect((await upload(rt.url, `/api/documents/${id}/versions`, token, { name: 'Договор.pdf', data: v2 })).status).toBe(202);
    const get = async (q = '') => Buffer.from(await (await fetch(`${rt.url}/api/documents/${id}/download${q}`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer());
    expect(sha256(await get())).toBe(sha256(v2));
    expect(sha256(await get('?version=1'))).toBe(sha256(v1));
    expect(await keysUnder(`documents/${id}/`)).toHaveLength(2);

    expect((await request(rt.url, 'DELETE', `/api/documents/${id}`, { token })).status).toBe(204);
    await expect.poll(() => keysUnder(`documents/${id}/`), { timeout: 10_000 }).toEqual([]);
  });

  it('leaves no object behind a refused upload', async () => {
    const before = await keysUnder('documents/');
    const res = await upload(rt.url, '/api/documents', token, { name: 'big.pdf', data: pdfFixture('BIG', 20 * 1024 * 1024) });
    expect(res.status).toBe(413);
    const bad = await upload(rt.url, '/api/documents', token, { name: 'a.docx', data: pdfFixture('x', 500 * 1024) });
    expect(bad.status).toBe(415);
    expect(await keysUnder('documents/')).toEqual(before);
  });

  it('sweeps the objects no document names, listing the bucket, and keeps the named ones', async () => {
    const created = await upload(rt.url, '/api/documents', token, { name: 'Акт.pdf', data: pdfFixture('S3-SWEEP', 40 * 1024) });
    const id = created.body.document.id as string;
    const [named] = await keysUnder(`documents/${id}/`);
    const orphan = `documents/${randomUUID()}/${randomUUID()}`;
    await client.putObject(BUCKET, orphan, Buffer.from('ciphertext'));
    const storage = createS3Storage({ endpoint, accessKey: 'S3RVER', secretKey: 'S3RVER', bucket: BUCKET, region: 'us-east-1' });
    // Everything counts as old enough here: s3rver stamps objects with the time they were put.
    const swept = await sweepOrphanObjects({ db: Model.knex(), storage, log: createLogger('silent') }, new Date(Date.now() + 60_000));
    expect(swept).toMatchObject({ removed: 1 });
    expect(await keysUnder('documents/')).toEqual([named]);
  });
});
