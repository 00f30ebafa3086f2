/**
 * A masked export that reaches the document's registry after the document was destroyed does
 * not create the registry again: it would hold the values of a document that is gone, kept
 * for as long as the account. The race is made with a real row lock: the test holds the
 * registry while the export waits for it, and destroys the document meanwhile.
 */
import { Redis } from 'ioredis';
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { versionJobId } from '../../../pipelines/on-demand.js';
import { createQueues, type Queues } from '../../../pipelines/queues.js';
import { waitFor } from '../../e2e/chat/harness.js';
import { upload, zipFixture } from '../../helpers/documents.js';
import { registerUser, request } from '../../helpers/http.js';
import { settledDocument } from '../../helpers/ingest.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { REDIS_URL } from '../../helpers/services.js';

let rt: TestRuntime;
let redis: Redis;
let queues: Queues;

beforeAll(async () => {
  rt = await startTestRuntime('docregrace');
  redis = new Redis(REDIS_URL);
  queues = createQueues(redis, rt.t.prefix);
});

afterAll(async () => {
  await queues?.close();
  redis?.disconnect();
  await rt?.close();
});

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
function docx(text: string): Buffer {
  const types = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';
  const doc = `<?xml version="1.0" encoding="UTF-8"?><w:document ${W}><w:body><w:p><w:r><w:t xml:space="preserve">${text}</w:t></w:r></w:p></w:body></w:document>`;
  return zipFixture([{ name: '[Content_Types].xml', data: Buffer.from(types) }, { name: 'word/document.xml', data: Buffer.from(doc) }]);
}

describe('a document destroyed while its masked export waits for the registry', () => {
  it('leaves no registry of it behind', async () => {
    const user = await registerUser(rt.url, 'regrace');
    const res = await upload(rt.url, '/api/documents', user.token, { name: 'доверенность.docx', data: docx('Доверенность выдана Смирновой Анне Викторовне, тел. +7 916 555-12-34.') });
    expect(res.status).toBe(202);
    const id = res.body.document.id as string;
    expect((await settledDocument(rt.url, user.token, id)).status).toBe('ready');
    const knex = Model.knex();
    const registryOf = () => knex('pii_vaults').where({ scope_type: 'document', scope_id: id });
    expect(await registryOf()).toHaveLength(1);

    const trx = await knex.transaction();
    try {
      await registryOf().transacting(trx).forUpdate();
      const { rows: [{ pid }] } = await trx.raw('SELECT pg_backend_pid() AS pid');
      expect((await request(rt.url, 'POST', `/api/documents/${id}/mask`, { token: user.token, json: {} })).status).toBe(202);
      await waitFor('the export to wait for the registry', async () => {
        const { rows: [{ n }] } = await knex.raw('SELECT count(*)::int AS n FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))', [pid]);
        return n > 0 || undefined;
      });
      // Deleted and destroyed meanwhile, as DELETE and documents.destroy do.
      await trx('documents').where({ id }).update({ deleted_at: knex.fn.now() });
      await registryOf().transacting(trx).delete();
      await trx('documents').where({ id }).delete();
      await trx.commit();
    } catch (err) {
      await trx.rollback();
      throw err;
    }

    const job = versionJobId('documents.mask-export', id, 1);
    await waitFor('the export job to end', async () => ((await queues.get('documents').getJob(job)) ? undefined : true));
    expect(await registryOf()).toHaveLength(0);
  }, 60_000);
});
