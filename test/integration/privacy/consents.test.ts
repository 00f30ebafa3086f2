/**
 * Consents (152-FZ art. 9): sign-up takes the version of the consent document the client
 * showed and records it with the time, IP and user agent; a person lists, grants and
 * withdraws consents per purpose; withdrawing `ai_providers_abroad` keeps their questions
 * away from providers hosted abroad.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are whatever the server sent */
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, newChat, storedReply } from '../../e2e/chat/harness.js';
import { fakeProviderEnv, startFakeOpenAI, startFakeYandex, type FakeProvider } from '../../helpers/fake-providers/index.js';
import { registerUser, request, uniqueEmail } from '../../helpers/http.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { byActor } from '../../../core/audit.js';

let openai: FakeProvider;
let yandex: FakeProvider;
let rt: TestRuntime;

beforeAll(async () => {
  openai = await startFakeOpenAI({ defaultStep: { kind: 'text', text: 'Ответ из-за рубежа.' } });
  yandex = await startFakeYandex({ defaultStep: { kind: 'text', text: 'Ответ из России.' } });
  rt = await startTestRuntime('consents', { env: { ...fakeProviderEnv({ openai, yandex }, ['openai', 'yandex']), AI_CACHE_TTL_SECONDS: '0' } });
});

afterAll(async () => {
  await rt?.close();
  await openai?.close();
  await yandex?.close();
});

const consentsOf = async (token: string) => (await request(rt.url, 'GET', '/api/privacy/consents', { token })).body.items as any[];
const state = (items: any[]) => Object.fromEntries(items.map((c) => [c.purpose, c.granted]));

describe('sign-up consent', () => {
  it('needs the current consent version, and records it with the time, IP and user agent', async () => {
    const doc = await request(rt.url, 'GET', '/api/privacy/consent-document');
    expect(doc.status).toBe(200);
    expect(doc.body.text).toContain('Согласие на обработку персональных данных');
    const email = uniqueEmail('consent');
    const body = { email, password: 'correct horse battery' };

    const missing = await request(rt.url, 'POST', '/api/auth/register', { json: body });
    expect(missing.status).toBe(422);
    const outdated = await request(rt.url, 'POST', '/api/auth/register', { json: { ...body, consent_version: '2020-01-01' } });
    expect(outdated.status).toBe(422);
    expect(outdated.body.code).toBe('validation_failed');
    // Refused sign-ups created nothing.
    expect((await request(rt.url, 'POST', '/api/auth/login', { json: body })).status).toBe(401);

    const ok = await request(rt.url, 'POST', '/api/auth/register', {
      json: { ...body, consent_version: doc.body.version }, headers: { 'user-agent': 'ConsentTest/1.0' },
    });
    expect(ok.status).toBe(201);
    const items = await consentsOf(ok.body.access_token);
    expect(state(items)).toEqual({ processing: true, ai_providers_abroad: true, marketing: false });
    expect(items.find((c) => c.purpose === 'processing')).toMatchObject({ version: doc.body.version, updated_at: expect.any(String) });
    const row = await Model.knex()('consents').where({ user_id: ok.body.user.id, purpose: 'processing' }).first();
    expect(row).toMatchObject({ granted: true, version: doc.body.version, user_agent: 'ConsentTest/1.0', ip: expect.stringContaining('127.0.0.1') });
  });
});

describe('consents per purpose', () => {
  it('grants and withdraws, keeps the history, audits each change, and refuses to withdraw processing apart from erasure', async () => {
    const user = await registerUser(rt.url, 'toggler');
    const granted = await request(rt.url, 'POST', '/api/privacy/consents', { token: user.token, json: { purpose: 'marketing', granted: true } });
    expect(granted.status).toBe(200);
    expect(state(granted.body.items).marketing).toBe(true);
    const withdrawn = await request(rt.url, 'POST', '/api/privacy/consents', { token: user.token, json: { purpose: 'marketing', granted: false } });
    expect(state(withdrawn.body.items).marketing).toBe(false);
    expect(await Model.knex()('consents').where({ user_id: user.id, purpose: 'marketing' }).orderBy('created_at').pluck('granted')).toEqual([true, false]);
    const actions = await Model.knex()('audit_logs').whereRaw(...byActor(user.id)).orderBy('created_at').pluck('action');
    expect(actions).toEqual(expect.arrayContaining(['privacy.consent_granted', 'privacy.consent_withdrawn']));

    const processing = await request(rt.url, 'POST', '/api/privacy/consents', { token: user.token, json: { purpose: 'processing', granted: false } });
    expect(processing.status).toBe(409);
    expect(state(await consentsOf(user.token)).processing).toBe(true);
    expect((await request(rt.url, 'POST', '/api/privacy/consents', { token: user.token, json: { purpose: 'telepathy', granted: false } })).status).toBe(422);
  });

  it('takes the version the client showed, as the contract has it, and refuses an outdated one without recording anything', async () => {
    const user = await registerUser(rt.url, 'versioned');
    const { version } = (await request(rt.url, 'GET', '/api/privacy/consent-document')).body as { version: string };
    const ok = await request(rt.url, 'POST', '/api/privacy/consents', { token: user.token, json: { purpose: 'marketing', version, granted: true } });
    expect(ok.status).toBe(200);
    const marketing = (ok.body.items as any[]).find((i) => i.purpose === 'marketing');
    expect(marketing).toMatchObject({ granted: true, version });
    expect(Date.parse(marketing.at)).toBeGreaterThan(Date.now() - 60_000);

    const outdated = await request(rt.url, 'POST', '/api/privacy/consents', { token: user.token, json: { purpose: 'marketing', version: '2020-01-01', granted: false } });
    expect(outdated.status).toBe(422);
    expect(outdated.body.code).toBe('validation_failed');
    expect(await Model.knex()('consents').where({ user_id: user.id, purpose: 'marketing' }).pluck('granted')).toEqual([true]);
  });

  it('after withdrawing consent to providers abroad, no question reaches them; granting it again restores them', async () => {
    const user = await registerUser(rt.url, 'domestic');
    const chatId = await newChat(rt.url, user.token);
    await request(rt.url, 'POST', '/api/privacy/consents', { token: user.token, json: { purpose: 'ai_providers_abroad', granted: false } });

    const openaiBefore = openai.requests.length;
    const first = await ask(rt.url, user.token, chatId, 'Можно ли вернуть товар без чека?');
    const answer = await storedReply(rt.url, user.token, chatId, first.reply.id);
    expect(answer).toMatchObject({ status: 'completed', content: 'Ответ из России.', meta: { provider: 'yandex' } });
    const oneOff = await request(rt.url, 'POST', '/api/ai/complete', { token: user.token, json: { prompt: 'Как оспорить штраф?' } });
    expect(oneOff.status).toBe(200);
    expect(oneOff.body.provider).toBe('yandex');
    expect(openai.requests.length).toBe(openaiBefore);

    await request(rt.url, 'POST', '/api/privacy/consents', { token: user.token, json: { purpose: 'ai_providers_abroad', granted: true } });
    const second = await ask(rt.url, user.token, chatId, 'Сколько длится испытательный срок?');
    expect(await storedReply(rt.url, user.token, chatId, second.reply.id)).toMatchObject({ meta: { provider: 'openai' } });
    expect(openai.requests.length).toBe(openaiBefore + 1);
  });
});
