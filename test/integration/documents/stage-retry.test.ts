/**
 * A stage run again goes on: an extraction retried after its first attempt had climbed through
 * OCR pages (the progress past extraction's own percent, still short of masking) finishes the
 * document instead of taking itself for superseded and leaving it "processing" for good.
 */
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime } from '../../../bin/runtime.js';
import { upload } from '../../helpers/documents.js';
import { registerUser } from '../../helpers/http.js';
import { settledDocument } from '../../helpers/ingest.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

let rt: TestRuntime;
let workers: Awaited<ReturnType<typeof startRuntime>> | undefined;

beforeAll(async () => {
  // The API alone: the document's flow waits in the queue until the workers start.
  rt = await startTestRuntime('docstageretry', { mode: 'api' });
});

afterAll(async () => {
  await workers?.close();
  await rt?.close();
});

describe('a retried ingestion stage', () => {
  it('finishes a document whose earlier attempt had got through OCR pages', async () => {
    const user = await registerUser(rt.url, 'stageretry');
    const res = await upload(rt.url, '/api/documents', user.token, { name: 'договор.txt', data: Buffer.from('Договор аренды квартиры.\n\nСрок аренды — один год.\n') });
    expect(res.status).toBe(202);
    const id = res.body.document.id as string;
    // Where an attempt that died after OCR's first pages left it.
    await Model.knex()('documents').where({ id }).update({ progress: { stage: 'ocr', percent: 40, version: 1 } });

    workers = await startRuntime('workers', rt.t.env);
    const doc = await settledDocument(rt.url, user.token, id);
    expect(doc).toMatchObject({ status: 'ready', progress: { stage: 'ready', percent: 100 } });
  }, 60_000);
});
