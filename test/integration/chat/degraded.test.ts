/**
 * When the providers fail and AI_PROVIDERS names offline, its canned answer stands in, says so
 * (`meta.degraded`), is neither cached nor charged, and the next question goes to the real
 * provider again once it is back. The default order (without offline) is in ai/orchestrator.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeProviderEnv, startFakeOpenAI, type FakeProvider } from '../../helpers/fake-providers/index.js';
import { registerUser, request } from '../../helpers/http.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { ask, newChat, storedReply } from '../../e2e/chat/harness.js';
import { Model } from 'objection';

const ANSWER = 'Ответ настоящей модели.';
const QUESTION = 'Можно ли уволить работника на больничном?';
const OUTAGE = { kind: 'error', status: 500 } as const;
const UP = { kind: 'text', text: ANSWER, chunks: 2 } as const;
// One failed call per question, and a circuit that stays closed: each question reaches openai.
const FAST_FAILURE = { AI_MAX_RETRIES: '0', AI_CIRCUIT_FAILURES: '50', AI_COMPLETE_WAIT_MS: '3000' };

let openai: FakeProvider;
let standIn: TestRuntime;

beforeAll(async () => {
  openai = await startFakeOpenAI({ defaultStep: UP });
  standIn = await startTestRuntime('degraded', { env: { ...fakeProviderEnv({ openai }, ['openai', 'offline']), ...FAST_FAILURE } });
});

afterAll(async () => {
  await standIn?.close();
  await openai?.close();
});

const db = () => Model.knex();

async function usageOf(userId: string) {
  const row = await db()('ai_usage_daily').where({ user_id: userId }).first();
  return { messages: Number(row?.messages ?? 0), output_tokens: Number(row?.output_tokens ?? 0) };
}

const cachedRows = async (userId: string) => Number((await db()('ai_cache').where({ user_id: userId }).count({ n: '*' }))[0]!.n);

describe('an outage with offline named in AI_PROVIDERS', () => {
  it('answers degraded, free and uncached; after recovery the same question reaches the provider', async () => {
    const { url } = standIn;
    const user = await registerUser(url, 'outage');
    openai.setDefault(OUTAGE);
    const chat = await newChat(url, user.token);
    const during = await storedReply(url, user.token, chat, (await ask(url, user.token, chat, QUESTION)).reply.id);
    expect(during).toMatchObject({ status: 'completed', meta: { provider: 'offline', degraded: true, usage: { input_tokens: 0, output_tokens: 0 } } });
    expect(await usageOf(user.id)).toEqual({ messages: 0, output_tokens: 0 });
    expect(await cachedRows(user.id)).toBe(0);

    openai.setDefault(UP);
    openai.reset();
    const again = await newChat(url, user.token);
    const after = await storedReply(url, user.token, again, (await ask(url, user.token, again, QUESTION)).reply.id);
    expect(after).toMatchObject({ status: 'completed', content: ANSWER, meta: { provider: 'openai', cached: false } });
    expect(after.meta.degraded).toBeUndefined();
    expect(openai.calls).toBe(1);
    expect((await usageOf(user.id)).messages).toBe(1);
  });

  it('/api/ai/complete says degraded and gives the message back', async () => {
    const { url } = standIn;
    const user = await registerUser(url, 'outagecomplete');
    openai.setDefault(OUTAGE);
    const res = await request(url, 'POST', '/api/ai/complete', { token: user.token, json: { prompt: QUESTION } });
    openai.setDefault(UP);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ provider: 'offline', degraded: true, cached: false, usage: { input_tokens: 0, output_tokens: 0 } });
    expect(await usageOf(user.id)).toEqual({ messages: 0, output_tokens: 0 });

    const next = await request(url, 'POST', '/api/ai/complete', { token: user.token, json: { prompt: QUESTION } });
    expect(next.body).toMatchObject({ text: ANSWER, provider: 'openai', cached: false });
    expect(next.body.degraded).toBeUndefined();
  });
});
