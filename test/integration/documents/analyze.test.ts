/**
 * Document analysis through the API and the `ai` workers: a model that answers broken JSON
 * once is asked again with the validation error and its second answer is stored; twice
 * broken fails the analysis, not the document, and leaves the last complete analysis in
 * `document.analysis` (the run's state is `analysis_status`); the provider only ever sees
 * placeholders;
 * the offline provider (standing in for the model here) gives an extractive analysis with
 * parties and risks at their places; 409 before the document is ready, 404 for another
 * user's document.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- bodies are whatever the server sent */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, waitFor } from '../../e2e/chat/harness.js';
import { upload } from '../../helpers/documents.js';
import { fakeProviderEnv, startFakeOpenAI, type FakeProvider } from '../../helpers/fake-providers/index.js';
import { registerUser, request } from '../../helpers/http.js';
import { settledDocument } from '../../helpers/ingest.js';
import { setPlanLimits } from '../../helpers/plans.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

const RAW = ['Иванов', 'Петрова', '916', '123-45-67'];
const LEASE = [
  'Договор аренды квартиры',
  'Иванов Сергей Петрович, именуемый в дальнейшем «Арендодатель», с одной стороны, и Петрова Анна Викторовна, именуемая в дальнейшем «Арендатор», с другой стороны, заключили настоящий договор.',
  '1. Предмет договора',
  '1.1. Арендодатель передаёт Арендатору квартиру в пользование. Телефон Арендодателя +7 916 123-45-67.',
  '2. Плата и срок',
  '2.1. Арендная плата составляет 45 000 рублей в месяц.',
  '2.2. Срок аренды составляет 11 месяцев. Договор автоматически продлевается на тот же срок.',
  '3. Ответственность',
  '3.1. За просрочку платы Арендатор уплачивает неустойку 1% за каждый день просрочки.',
  '3.2. Арендодатель вправе расторгнуть договор в одностороннем порядке.',
].join('\n');

const VALID = JSON.stringify({
  summary: 'Договор аренды квартиры между [PERSON_1] и арендатором.',
  parties: [{ name: '[PERSON_1]', role: 'Арендодатель', passage: 1 }],
  key_terms: [{ term: 'Арендная плата', value: '45 000 рублей в месяц', passage: 2 }],
  risks: [{ severity: 'high', text: 'Одностороннее расторжение', passage: 2 }],
});

let openai: FakeProvider;
// One runtime per file (the models share one knex): the offline provider stands in when openai is down.
let rt: TestRuntime;

beforeAll(async () => {
  openai = await startFakeOpenAI();
  rt = await startTestRuntime('analyze', { env: { ...fakeProviderEnv({ openai }, ['openai', 'offline']), AI_MAX_RETRIES: '0', AI_CIRCUIT_FAILURES: '50' } });
  // Uploads here are more than the free plan's month allows.
  await setPlanLimits('free', { documents_per_month: 100_000, storage_mb: 100_000 });
});
afterAll(async () => {
  await rt?.close();
  await openai?.close();
});

async function readyLease(token: string) {
  const res = await upload(rt.url, '/api/documents', token, { name: 'lease.txt', data: Buffer.from(LEASE) });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const doc = await settledDocument(rt.url, token, res.body.document.id);
  expect(doc.status, JSON.stringify(doc)).toBe('ready');
  return doc;
}

/**
 * POST .../analyze, then the document once its analysis settled. While it is queued the
 * document still shows `previous`, the last complete analysis (or null).
 */
async function analysed(token: string, id: string, previous: unknown = null): Promise<any> {
  const res = await request(rt.url, 'POST', `/api/documents/${id}/analyze`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  expect(res.body.document).toMatchObject({ id, analysis_status: { status: 'queued', version: 1, error: null }, analysis: previous });
  return waitFor(`analysis of ${id}`, async () => {
    const doc = (await request(rt.url, 'GET', `/api/documents/${id}`, { token })).body;
    return doc.analysis_status?.status === 'queued' ? undefined : doc;
  }, 30_000);
}

/** The contract's analysis fields, and the additions: nothing of the run's state. */
const ANALYSIS_KEYS = ['created_at', 'key_terms', 'model', 'parties', 'provider', 'risks', 'summary', 'version'];

describe('analysis with a model', () => {
  it('asks again with the validation error after broken JSON, and stores the valid second answer', async () => {
    const user = await registerUser(rt.url, 'model');
    const socket = await connect(rt.url, user.token);
    const doc = await readyLease(user.token);
    openai.reset();
    openai.script({ kind: 'text', text: '{"summary": "обрыв', chunks: 2 }, { kind: 'text', text: `\`\`\`json\n${VALID}\n\`\`\``, chunks: 3 });
    const done = await analysed(user.token, doc.id);
    // The owner's live update carries the same shape as GET.
    const event = await waitFor('the analysis event', async () => socket.of('document.updated').map((e: any) => e.document)
      .find((d: any) => d.id === doc.id && d.analysis_status?.status === 'ready')).finally(() => socket.close());
    expect(event.analysis).toEqual(done.analysis);
    expect(openai.calls).toBe(2);
    expect(done.status).toBe('ready');
    expect(done.analysis_status).toEqual({ status: 'ready', version: 1, error: null });
    expect(Object.keys(done.analysis).sort()).toEqual(ANALYSIS_KEYS);
    expect(done.analysis).toMatchObject({
      version: 1, provider: 'openai',
      summary: 'Договор аренды квартиры между [PERSON_1] и арендатором.',
      parties: [{ name: '[PERSON_1]', role: 'Арендодатель', locator: { paragraph: 0 } }],
      key_terms: [{ term: 'Арендная плата', value: '45 000 рублей в месяц', locator: { paragraph: expect.any(Number) } }],
      risks: [{ severity: 'high', text: 'Одностороннее расторжение', locator: { paragraph: expect.any(Number) } }],
    });
    expect(typeof done.analysis.model).toBe('string');

    const [first, second] = openai.requests.map((r) => r.body as { messages: Array<{ role: string; content: string }> });
    expect(first!.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(first!.messages[1]!.content).toContain('[PHONE_1]');
    expect(second!.messages.at(-1)!.content).toMatch(/не прошёл проверку: invalid JSON/);
    for (const raw of RAW) expect(openai.requests.map((r) => r.raw).join('\n')).not.toContain(raw);
  });

  it('fails the analysis, not the document, when the answer is invalid twice; the last complete analysis stays', async () => {
    const user = await registerUser(rt.url, 'broken');
    const doc = await readyLease(user.token);
    openai.reset();
    openai.script({ kind: 'text', text: VALID });
    const first = await analysed(user.token, doc.id);
    expect(first.analysis).toMatchObject({ version: 1, summary: JSON.parse(VALID).summary });

    const wrongPassage = JSON.stringify({ ...JSON.parse(VALID), risks: [{ severity: 'high', text: 'x', passage: 99 }] });
    openai.script({ kind: 'text', text: 'не JSON' }, { kind: 'text', text: wrongPassage });
    const done = await analysed(user.token, doc.id, first.analysis);
    expect(openai.calls).toBe(3);
    expect(done).toMatchObject({ status: 'ready', error: null, analysis_status: { status: 'failed', version: 1, error: { code: 'analysis_invalid' } } });
    expect(done.analysis_status.error.detail).toContain('risks.0.passage');
    expect(done.analysis).toEqual(first.analysis);
  });
});

describe('analysis offline', () => {
  it('is extractive: parties by their roles, key terms and risks, each with a locator, all masked', async () => {
    const user = await registerUser(rt.url, 'offline');
    const doc = await readyLease(user.token);
    openai.reset();
    openai.setDefault({ kind: 'error', status: 500 });
    const { analysis } = await analysed(user.token, doc.id).finally(() => openai.setDefault({ kind: 'text' }));
    expect(analysis).toMatchObject({ provider: 'offline', model: 'offline-extractive-v1', degraded: true });
    expect(analysis).not.toHaveProperty('status');
    expect(analysis.summary.length).toBeGreaterThan(20);
    expect(analysis.parties.map((p: any) => p.role)).toEqual(['Арендодатель', 'Арендатор']);
    for (const p of analysis.parties) expect(p.name).toMatch(/^\[PERSON_\d+\]$/);
    expect(analysis.key_terms.map((t: any) => t.term)).toEqual(expect.arrayContaining(['Сумма', 'Срок']));
    // Each risk quotes its sentence and points at its chunk's place (how clauses group into chunks is chunk.ts's business).
    const risk = (quote: string) => analysis.risks.find((r: any) => r.text.includes(quote));
    expect(risk('в одностороннем порядке')).toMatchObject({ severity: 'high', locator: { clause: expect.any(String) } });
    expect(risk('уплачивает неустойку')).toMatchObject({ severity: 'medium', locator: { clause: expect.any(String) } });
    expect(risk('автоматически продлевается')).toMatchObject({ severity: 'medium', locator: { clause: expect.any(String) } });
    for (const item of [...analysis.parties, ...analysis.key_terms, ...analysis.risks]) expect(item.locator.paragraph).toEqual(expect.any(Number));
    for (const raw of RAW) expect(JSON.stringify(analysis)).not.toContain(raw);
  });

  it('answers 409 before the document is ready, 404 for another user', async () => {
    const user = await registerUser(rt.url, 'early');
    const stranger = await registerUser(rt.url, 'stranger');
    const res = await upload(rt.url, '/api/documents', user.token, { name: 'scan.png', data: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex') });
    const failed = await settledDocument(rt.url, user.token, res.body.document.id);
    expect(failed.status).toBe('failed');
    const early = await request(rt.url, 'POST', `/api/documents/${failed.id}/analyze`, { token: user.token });
    expect([early.status, early.body.code]).toEqual([409, 'conflict']);

    const doc = await readyLease(user.token);
    const foreign = await request(rt.url, 'POST', `/api/documents/${doc.id}/analyze`, { token: stranger.token });
    expect([foreign.status, foreign.body.code]).toEqual([404, 'not_found']);
    expect((await request(rt.url, 'GET', `/api/documents/${doc.id}`, { token: user.token })).body).toMatchObject({ analysis: null, analysis_status: null });
  });
});
