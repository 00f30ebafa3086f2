/**
 * Review fixes of the chat pipeline, against one in-process runtime with a fake OpenAI:
 * sockets follow blocks and token expiry, Idempotency-Key recovers from a dead process,
 * /api/ai/complete keeps its results, has an in-flight limit and counts tokens once,
 * and the sweeper purges old rows.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AiConfig, Orchestrator } from '../../../core/ai/index.js';
import { createAccessTokens } from '../../../core/auth/access-tokens.js';
import { changeAccount } from '../../../core/auth/accounts.js';
import { publishUserChanged } from '../../../core/auth/user-cache.js';
import { askQuestion } from '../../../core/chat/ask.js';
import { createLogger } from '../../../core/log.js';
import { runCompletion } from '../../../core/chat/complete.js';
import { createSealer } from '../../../core/chat/seal.js';
import { purgeExpired } from '../../../core/chat/sweeper.js';
import { fakeProviderEnv, startFakeOpenAI, type FakeProvider } from '../../helpers/fake-providers/index.js';
import { registerUser, request } from '../../helpers/http.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { connect, newChat, openQueue, waitFor } from '../../e2e/chat/harness.js';

const ANSWER = 'Ответ юриста-ассистента.';
const JWT_SECRET = randomBytes(32).toString('hex');
const slow = { kind: 'text' as const, text: ANSWER, chunks: 3, delayMs: 300 };

let openai: FakeProvider;
let rt: TestRuntime;
let url: string;
let ai: ReturnType<typeof openQueue>;

beforeAll(async () => {
  openai = await startFakeOpenAI({ defaultStep: { kind: 'text', text: ANSWER, chunks: 2 } });
  rt = await startTestRuntime('chathardening', {
    env: { ...fakeProviderEnv({ openai }), JWT_SECRET, CHAT_MAX_INFLIGHT: '2', AI_MAX_RETRIES: '0', AI_COMPLETE_WAIT_MS: '200' },
  });
  url = rt.url;
  ai = openQueue('ai', rt.t.prefix);
});

afterAll(async () => {
  await ai?.close();
  await rt?.close();
  await openai?.close();
});

const db = () => Model.knex();

async function finished(token: string, id: string) {
  return waitFor(`completion ${id}`, async () => {
    const poll = await request(url, 'GET', `/api/ai/complete/${id}`, { token });
    return ['completed', 'failed'].includes(poll.body.status) ? poll.body : undefined;
  });
}

describe('asking', () => {
  it('gives the message back when the reply cannot be queued: a refused question costs nothing', async () => {
    const user = await registerUser(url, 'noqueue');
    const chatId = await newChat(url, user.token);
    const deps = {
      db: db(), sealer: createSealer(randomBytes(32)), limits: { maxInflight: 2, stuckAfterSeconds: 600 }, log: createLogger('silent'),
      enqueueReply: async () => { throw new Error('Redis is away'); },
    };
    await expect(askQuestion(deps, user.id, chatId, 'Можно ли расторгнуть договор?')).rejects.toMatchObject({ code: 'unavailable' });
    const rows = await db()('messages').where({ chat_id: chatId }).orderBy('sender', 'desc').select('sender', 'status', 'meta');
    expect(rows).toMatchObject([{ sender: 'user', status: 'failed' }, { sender: 'assistant', status: 'failed', meta: { error: { code: 'unavailable' } } }]);
    const used = await db()('ai_usage_daily').where({ user_id: user.id }).sum({ n: 'messages' }).first();
    expect(Number(used?.n ?? 0)).toBe(0);
  });

  it('answers 404, not 503, for a document gone between the check and the link, and gives the message back', async () => {
    const user = await registerUser(url, 'gonedoc');
    const chatId = await newChat(url, user.token);
    const deps = {
      db: db(), sealer: createSealer(randomBytes(32)), limits: { maxInflight: 2, stuckAfterSeconds: 600 }, log: createLogger('silent'),
      enqueueReply: async () => undefined,
    };
    await expect(askQuestion(deps, user.id, chatId, 'Что в договоре?', [randomUUID()])).rejects.toMatchObject({ code: 'not_found' });
    const used = await db()('ai_usage_daily').where({ user_id: user.id }).sum({ n: 'messages' }).first();
    expect(Number(used?.n ?? 0)).toBe(0);
  });
});

describe('Socket.IO', () => {
  it('refuses chat:join once the user is blocked, even by a socket the block did not close', async () => {
    const user = await registerUser(url, 'wsblock');
    const chatId = await newChat(url, user.token);
    const client = await connect(url, user.token);
    try {
      expect(await client.join(chatId)).toEqual({ ok: true });
      // The block as the service makes it, minus closing the sockets: events are refused all the same.
      const effects = { changed: async (id: string) => void (await publishUserChanged(ai.redis, rt.t.prefix, id)), blocked: async () => undefined };
      await changeAccount(db(), effects, { id: user.id }, { status: 'blocked' }, { actorId: null, via: 'cli' });
      expect(await client.join(chatId)).toEqual({ ok: false, error: { code: 'forbidden' } });
    } finally {
      client.close();
    }
  });

  it('disconnects a socket when its access token expires', async () => {
    const user = await registerUser(url, 'wsexpiry');
    // exp is in whole seconds: a 1 s token can be spent before the socket connects (CI saw it).
    const tokens = createAccessTokens({ secret: new TextEncoder().encode(JWT_SECRET), issuer: 'legal-ai', audience: 'legal-ai-api', ttlSeconds: 3 });
    const client = await connect(url, await tokens.sign({ sub: user.id, role: 'user' }));
    try {
      const reason = await new Promise<string>((resolve) => client.socket.once('disconnect', resolve));
      expect(reason).toBe('io server disconnect');
    } finally {
      client.close();
    }
  });
});

describe('Idempotency-Key', () => {
  it('takes over a claim left unanswered for over a minute (its process died), but not a fresh one', async () => {
    const user = await registerUser(url, 'idemabandoned');
    const body = { title: 'Вопрос' };
    await db()('idempotency_keys').insert({ user_id: user.id, key: 'dead', request_hash: 'x', created_at: new Date(Date.now() - 2 * 60 * 1000) });
    const dead = await request(url, 'POST', '/api/chats', { token: user.token, json: body, headers: { 'Idempotency-Key': 'dead' } });
    expect(dead.status).toBe(201);
    const again = await request(url, 'POST', '/api/chats', { token: user.token, json: body, headers: { 'Idempotency-Key': 'dead' } });
    expect([again.status, again.headers.get('idempotent-replayed'), again.body.id]).toEqual([201, 'true', dead.body.id]);
    // The same request, claimed a moment ago and still running: the client waits.
    const { request_hash } = await db()('idempotency_keys').where({ user_id: user.id, key: 'dead' }).first('request_hash');
    await db()('idempotency_keys').insert({ user_id: user.id, key: 'busy', request_hash });
    const busy = await request(url, 'POST', '/api/chats', { token: user.token, json: body, headers: { 'Idempotency-Key': 'busy' } });
    expect(busy.status).toBe(409);
  });

  it('answers the work done even when its response cannot be stored', async () => {
    const user = await registerUser(url, 'idemstore');
    // Any UPDATE of idempotency_keys fails, as if the database went away after the work.
    await db().raw(`CREATE FUNCTION refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$`);
    await db().raw('CREATE TRIGGER refuse_update BEFORE UPDATE ON idempotency_keys FOR EACH ROW EXECUTE FUNCTION refuse_update()');
    try {
      const res = await request(url, 'POST', '/api/chats', { token: user.token, json: { title: 'Вопрос' }, headers: { 'Idempotency-Key': 'k1' } });
      expect(res.status).toBe(201);
      expect(res.body.id).toEqual(expect.any(String));
    } finally {
      await db().raw('DROP TRIGGER refuse_update ON idempotency_keys');
      await db().raw('DROP FUNCTION refuse_update()');
    }
  });

  it('replays a 202 of /api/ai/complete with its Location', async () => {
    const user = await registerUser(url, 'idemlocation');
    openai.script(slow);
    const headers = { 'Idempotency-Key': 'complete-1' };
    const json = { prompt: 'Долгий вопрос о наследстве' };
    const first = await request(url, 'POST', '/api/ai/complete', { token: user.token, json, headers });
    expect(first.status).toBe(202);
    const location = `/api/ai/complete/${first.body.id}`;
    expect(first.headers.get('location')).toBe(location);
    const replay = await request(url, 'POST', '/api/ai/complete', { token: user.token, json, headers });
    expect([replay.status, replay.headers.get('idempotent-replayed'), replay.headers.get('location'), replay.body.id]).toEqual([202, 'true', location, first.body.id]);
    await finished(user.token, first.body.id);
  });
});

describe('POST /api/ai/complete', () => {
  it('refuses a third answer in flight with 429 rate_limited; a finished one frees its slot', async () => {
    const user = await registerUser(url, 'completeinflight');
    openai.script(slow, slow);
    const a = await request(url, 'POST', '/api/ai/complete', { token: user.token, json: { prompt: 'Вопрос один' } });
    const b = await request(url, 'POST', '/api/ai/complete', { token: user.token, json: { prompt: 'Вопрос два' } });
    expect([a.status, b.status]).toEqual([202, 202]);
    const third = await request(url, 'POST', '/api/ai/complete', { token: user.token, json: { prompt: 'Вопрос три' } });
    expect([third.status, third.body.code]).toEqual([429, 'rate_limited']);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);

    await finished(user.token, a.body.id);
    await finished(user.token, b.body.id);
    const fourth = await request(url, 'POST', '/api/ai/complete', { token: user.token, json: { prompt: 'Вопрос три' } });
    expect([200, 202]).toContain(fourth.status);
  });

  it('keeps its result for an hour whatever the other jobs of the ai queue, and the sweeper keeps a short history', async () => {
    const user = await registerUser(url, 'completeretention');
    const res = await request(url, 'POST', '/api/ai/complete', { token: user.token, json: { prompt: 'Короткий вопрос' } });
    const job = await ai.queue.getJob(`complete-${res.body.id}`);
    expect(job?.opts).toMatchObject({ removeOnComplete: { age: 3600 }, removeOnFail: { age: 86400 } });
    expect((job?.opts.removeOnComplete as { count?: number }).count).toBeUndefined();
    const scheduler = await ai.queue.getJobScheduler('ai.sweep-stuck-replies');
    expect(scheduler?.template?.opts).toMatchObject({ removeOnComplete: { count: 10 } });
  });

  it('counts the tokens of a request once, however often its job runs', async () => {
    const user = await registerUser(url, 'completeusage');
    const sealer = createSealer(randomBytes(32));
    const requestId = randomUUID();
    const ai = {
      providers: () => ['openai'],
      complete: async () => ({ text: ANSWER, provider: 'openai', model: 'gpt', usage: { input_tokens: 10, output_tokens: 5 } }),
    } as unknown as Orchestrator;
    const deps = { db: db(), ai, aiConfig: {} as AiConfig, cacheTtlSeconds: 0, sealer };
    const { secret } = await db()('user_keys').where({ user_id: user.id }).first('secret');
    const job = { request_id: requestId, user_id: user.id, sealed: sealer.seal('Вопрос', requestId, secret), counted_day: new Date().toISOString().slice(0, 10) };
    await runCompletion(deps, job);
    await runCompletion(deps, job); // the retry of an attempt that died after counting
    const usage = await db()('ai_usage_daily').where({ user_id: user.id }).select('input_tokens', 'output_tokens');
    expect(usage.map((r) => [Number(r.input_tokens), Number(r.output_tokens)])).toEqual([[10, 5]]);
  });
});

describe('sweeper housekeeping', () => {
  it('purges Idempotency-Keys older than 24 h and keeps the others', async () => {
    const user = await registerUser(url, 'purge');
    const old = new Date(Date.now() - 25 * 3600 * 1000);
    await db()('idempotency_keys').insert([
      { user_id: user.id, key: 'old', request_hash: 'x', status_code: 201, created_at: old },
      { user_id: user.id, key: 'new', request_hash: 'x', status_code: 201 },
    ]);
    const purged = await purgeExpired(db());
    expect(purged.idempotencyKeys).toBeGreaterThanOrEqual(1);
    const left = await db()('idempotency_keys').where({ user_id: user.id }).pluck('key');
    expect(left).toEqual(['new']);
  });

  it('purges cached answers past their expiry and keeps the fresh ones', async () => {
    const user = await registerUser(url, 'purgecache');
    const row = (key: string, expiresAt: Date) => ({
      key, user_id: user.id, provider: 'openai', model: 'gpt', response: JSON.stringify({ text: ANSWER }), expires_at: expiresAt,
    });
    await db()('ai_cache').insert([row('stale', new Date(Date.now() - 1000)), row('fresh', new Date(Date.now() + 3600_000))]);
    const purged = await purgeExpired(db());
    expect(purged.cachedAnswers).toBeGreaterThanOrEqual(1);
    expect(await db()('ai_cache').where({ user_id: user.id }).pluck('key')).toEqual(['fresh']);
  });
});
