/**
 * With EMBEDDINGS_PROVIDER=openai, an ingested document's chunks get their vectors from the
 * `documents.embed` job (through the real SDK against the fake OpenAI), computed on the masked
 * text only; repeating the job embeds nothing twice.
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueVersionJob } from '../../../pipelines/on-demand.js';
import { createQueues, type Queues } from '../../../pipelines/queues.js';
import { waitFor } from '../../e2e/chat/harness.js';
import { upload } from '../../helpers/documents.js';
import { fakeProviderEnv, startFakeOpenAI, type FakeProvider } from '../../helpers/fake-providers/index.js';
import { registerUser, request } from '../../helpers/http.js';
import { settledDocument } from '../../helpers/ingest.js';
import { setPlanLimits } from '../../helpers/plans.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { REDIS_URL, TEST_DATABASE_URL } from '../../helpers/services.js';

const NAME = 'Иванов Сергей Петрович';
const LEASE = ['Статья 1. Предмет договора', `Арендатор ${NAME} принимает квартиру в пользование.`, 'Статья 2. Расторжение договора', 'Договор может быть расторгнут по соглашению сторон.'];

let fake: FakeProvider;
let rt: TestRuntime;
let db: pg.Client;
let redis: Redis;
let queues: Queues;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  rt = await startTestRuntime('docembed', { env: { ...fakeProviderEnv({ openai: fake }), EMBEDDINGS_PROVIDER: 'openai', LAW_AUTOIMPORT: 'false' } });
  // Uploads here are more than the free plan's month allows.
  await setPlanLimits('free', { documents_per_month: 100_000, storage_mb: 100_000 });
  db = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  redis = new Redis(REDIS_URL);
  queues = createQueues(redis, rt.t.prefix);
});
afterAll(async () => {
  await queues?.close();
  redis?.disconnect();
  await db?.end();
  await rt?.close();
  await fake?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const chunks = async (id: string) =>
  (await db.query(`SELECT id, heading, text, embedding IS NOT NULL AS embedded FROM "${rt.t.schema}".document_chunks WHERE document_id = $1 ORDER BY ord`, [id])).rows as Array<{ id: string; heading: string; text: string; embedded: boolean }>;

describe('documents.embed', () => {
  it("fills the version's chunk vectors from the masked text once it is indexed, and only once", async () => {
    const owner = await registerUser(rt.url, 'embed');
    fake.reset();
    const res = await upload(rt.url, '/api/documents', owner.token, { name: 'lease.txt', data: Buffer.from(LEASE.join('\n')) });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const doc = await settledDocument(rt.url, owner.token, res.body.document.id);
    expect(doc.status).toBe('ready');
    expect((await chunks(doc.id)).length).toBeGreaterThanOrEqual(2);

    // Indexing queues the vectors: no one has to ask.
    const rows = await waitFor('chunks embedded', async () => {
      const now = await chunks(doc.id);
      return now.every((c) => c.embedded) ? now : undefined;
    }, 30_000);

    const sent = fake.requests.filter((r) => r.path.endsWith('/embeddings')).flatMap((r) => (r.body as { input: string[] }).input);
    expect(sent.sort()).toEqual(rows.map((c) => (c.heading ? `${c.heading}\n${c.text}` : c.text)).sort());
    expect(sent.join('\n')).toContain('[PERSON_1]');
    expect(sent.join('\n')).not.toMatch(/Иванов|Сергей/);

    // A repeat finds nothing left to embed: no second call to the provider.
    const calls = fake.calls;
    await enqueueVersionJob(queues, 'documents.embed', doc.id, 1);
    // Finished jobs are removed, so the id is free again once the repeat ran.
    await waitFor('the repeat done', async () => ((await queues.get('documents').getJob(`doc-embed-${doc.id}-v1`)) ? undefined : true), 30_000);
    expect(fake.calls).toBe(calls);
  });

  it('outlasts an outage of the embeddings provider past its first retries: the vectors come once it is back', async () => {
    const owner = await registerUser(rt.url, 'outage');
    fake.reset();
    fake.setDefault({ kind: 'error', status: 500 });
    const res = await upload(rt.url, '/api/documents', owner.token, { name: 'lease.txt', data: Buffer.from(LEASE.join('\n')) });
    const doc = await settledDocument(rt.url, owner.token, res.body.document.id);
    expect(doc.status).toBe('ready');
    const failedFirst = await waitFor('the first embeddings call', async () => fake.requests.find((r) => r.path.endsWith('/embeddings'))?.receivedAt, 30_000);
    // Down for four seconds from the first call: through what three quick attempts would try.
    await sleep(Math.max(0, failedFirst + 4_000 - Date.now()));
    fake.setDefault({ kind: 'text' });
    await waitFor('chunks embedded', async () => ((await chunks(doc.id)).every((c) => c.embedded) ? true : undefined), 40_000);
    const calls = fake.requests.filter((r) => r.path.endsWith('/embeddings'));
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.at(-1)!.receivedAt - failedFirst).toBeGreaterThanOrEqual(4_000);
  }, 60_000);

  it('sends nothing of a user who withdrew consent to providers abroad: no vectors for their documents, full text alone for their searches', async () => {
    const [home, abroad] = [await registerUser(rt.url, 'home'), await registerUser(rt.url, 'abroad')];
    const withdrawn = await request(rt.url, 'POST', '/api/privacy/consents', { token: home.token, json: { purpose: 'ai_providers_abroad', granted: false } });
    expect(withdrawn.status).toBeLessThan(300);
    const embedded = () => fake.requests.filter((r) => r.path.endsWith('/embeddings')).flatMap((r) => (r.body as { input: string[] }).input).join('\n');
    fake.reset();
    const res = await upload(rt.url, '/api/documents', home.token, { name: 'lease.txt', data: Buffer.from(['Статья 1. Залог', 'Залогодатель передаёт гараж в залог.'].join('\n')) });
    const doc = await settledDocument(rt.url, home.token, res.body.document.id);
    expect(doc.status).toBe('ready');
    await waitFor('the embed job done', async () => ((await queues.get('documents').getJob(`doc-embed-${doc.id}-v1`)) ? undefined : true), 30_000);
    expect((await chunks(doc.id)).some((c) => c.embedded)).toBe(false);

    const search = async (token: string, query: string) => (await request(rt.url, 'POST', '/api/ai/search', { token, json: { query, scope: 'documents' } })).body;
    const found = await search(home.token, 'гараж в залог');
    expect(found.items.map((i: { document_id?: string; source?: { id?: string } }) => i.document_id ?? i.source?.id)).toContain(doc.id);
    expect(embedded()).not.toMatch(/гараж|Залог/i);
    // Another user's search still has its query embedded (vectors are on).
    await search(abroad.token, 'аренда гаража');
    expect(embedded()).toContain('аренда гаража');
  });
});
