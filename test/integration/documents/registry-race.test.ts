/**
 * Masking (the ingestion's mask stage, the masked export) that reaches the document's registry
 * after the document was destroyed does not create the registry again: it would hold the
 * values of a document that is gone, kept for as long as the account. The race is made with a
 * real row lock: the test holds the registry while the job waits for it, and destroys the
 * document meanwhile. A new version takes the registry before the document, as masking does,
 * so an upload beside an export waits instead of deadlocking.
 */
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestJobId } from '../../../pipelines/documents-ingest.js';
import { versionJobId } from '../../../pipelines/on-demand.js';
import { openQueue, waitFor } from '../../e2e/chat/harness.js';
import { cyrillicPdf, docxFixture, rasterize, scannedPdf, upload } from '../../helpers/documents.js';
import { registerUser, request } from '../../helpers/http.js';
import { settledDocument } from '../../helpers/ingest.js';
import { backendOf, untilBlockedBy } from '../../helpers/locks.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

let rt: TestRuntime;
let documents: ReturnType<typeof openQueue>;

beforeAll(async () => {
  rt = await startTestRuntime('docregrace');
  documents = openQueue('documents', rt.t.prefix);
});

afterAll(async () => {
  await documents?.close();
  await rt?.close();
});


/**
 * Holds the document's registry locked until `start()`'s job waits for it, then deletes and
 * destroys the document, as DELETE and documents.destroy do, and lets the job go on.
 */
async function destroyWhileWaiting(id: string, start: () => Promise<void>) {
  const knex = Model.knex();
  const trx = await knex.transaction();
  try {
    expect(await registryOf(id).transacting(trx).forUpdate()).toHaveLength(1);
    const pid = await backendOf(trx);
    await start();
    await untilBlockedBy(knex, pid, 'the job to wait for the registry');
    await trx('documents').where({ id }).update({ deleted_at: knex.fn.now() });
    await registryOf(id).transacting(trx).delete();
    await trx('documents').where({ id }).delete();
    await trx.commit();
  } catch (err) {
    await trx.rollback();
    throw err;
  }
}

const registryOf = (id: string) => Model.knex()('pii_vaults').where({ scope_type: 'document', scope_id: id });
const jobEnded = (jobId: string) => async () => {
  const job = await documents.queue.getJob(jobId);
  return !job || job.finishedOn ? true : undefined;
};

describe('a document destroyed while masking waits for its registry', () => {
  it('leaves no registry of it behind after the masked export', async () => {
    const user = await registerUser(rt.url, 'regrace');
    const res = await upload(rt.url, '/api/documents', user.token, { name: 'доверенность.docx', data: docxFixture('Доверенность выдана Смирновой Анне Викторовне, тел. +7 916 555-12-34.') });
    expect(res.status).toBe(202);
    const id = res.body.document.id as string;
    expect((await settledDocument(rt.url, user.token, id)).status).toBe('ready');

    await destroyWhileWaiting(id, async () => {
      expect((await request(rt.url, 'POST', `/api/documents/${id}/mask`, { token: user.token, json: {} })).status).toBe(202);
    });
    await waitFor('the export job to end', jobEnded(versionJobId('documents.mask-export', id, 1)));
    expect(await registryOf(id)).toHaveLength(0);
  }, 60_000);

  it('leaves no registry of it behind after the ingestion\'s mask stage', async () => {
    const user = await registerUser(rt.url, 'regrace-ingest');
    // A scan: its OCR leaves the time to hold the registry before the mask stage reaches it.
    const scan = scannedPdf(rasterize(cyrillicPdf(['Договор с Смирновой Анной Викторовной', 'тел. +7 916 555-12-34']), 'jpeg'));
    const res = await upload(rt.url, '/api/documents', user.token, { name: 'Договор Смирновой.pdf', data: scan });
    expect(res.status).toBe(202);
    const id = res.body.document.id as string;

    await destroyWhileWaiting(id, async () => undefined);
    const jobId = ingestJobId('mask', id, 1);
    await waitFor('the mask stage to end', jobEnded(jobId));
    expect(await registryOf(id)).toHaveLength(0);
    // Operators see it done at its first run, not failed on a gone document's rows and retried.
    const job = (await documents.queue.getJob(jobId))!;
    expect([await job.getState(), job.attemptsMade, job.failedReason ?? null]).toEqual(['completed', 1, null]);
  }, 60_000);
});

describe('a new version uploaded while the export holds the registry', () => {
  it('waits for it and lands, and the export goes on to read the document', async () => {
    const user = await registerUser(rt.url, 'regrace-version');
    const res = await upload(rt.url, '/api/documents', user.token, { name: 'договор.docx', data: docxFixture('Договор подряда.') });
    const id = res.body.document.id as string;
    expect((await settledDocument(rt.url, user.token, id)).status).toBe('ready');

    // What the export does (withDocumentRegistry): the registry, then the document.
    const knex = Model.knex();
    const trx = await knex.transaction();
    let newVersion: ReturnType<typeof upload> | undefined;
    try {
      expect(await registryOf(id).transacting(trx).forUpdate()).toHaveLength(1);
      const pid = await backendOf(trx);
      newVersion = upload(rt.url, `/api/documents/${id}/versions`, user.token, { name: 'договор v2.docx', data: docxFixture('Договор подряда, редакция 2.') });
      await untilBlockedBy(knex, pid, 'the upload to wait for the registry');
      expect(await trx('documents').where({ id }).forShare().first('version')).toEqual({ version: 1 });
      await trx.commit();
    } catch (err) {
      await trx.rollback();
      throw err;
    }
    const landed = await newVersion;
    expect(landed.status, JSON.stringify(landed.body)).toBe(202);
    expect(landed.body.document.version).toBe(2);
  }, 60_000);
});
