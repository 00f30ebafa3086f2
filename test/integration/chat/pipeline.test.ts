/**
 * The chat pipeline in one process against real Postgres and Redis, with a fake OpenAI:
 * where raw text may and may not be, fair-use limits, failures, /api/ai/complete, paging.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeProviderEnv, startFakeOpenAI, type FakeProvider } from '../../helpers/fake-providers/index.js';
import { registerUser, request } from '../../helpers/http.js';
import { setPlanLimits } from '../../helpers/plans.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { TEST_DATABASE_URL } from '../../helpers/services.js';
import { ask, following, messagesOf, newChat, storedReply, waitFor } from '../../e2e/chat/harness.js';
import { redisDump } from '../../helpers/redis-dump.js';

const ANSWER = 'Ответ юриста-ассистента.';
const RAW = ['Петров', '+7 916 555-44-33', '9165554433', 'petrov@yandex.ru', '7707083893', '112-233-445 95'];
const PII_QUESTION = `Я Петров Пётр Петрович, тел. ${RAW[1]}, e-mail ${RAW[3]}, ИНН ${RAW[4]}, СНИЛС ${RAW[5]}. Меня уволили.`;

let openai: FakeProvider;
let rt: TestRuntime;
let url: string;

beforeAll(async () => {
  openai = await startFakeOpenAI({ defaultStep: { kind: 'text', text: ANSWER, chunks: 3 } });
  rt = await startTestRuntime('chatpipeline', {
    env: {
      ...fakeProviderEnv({ openai }),
      CHAT_MAX_INFLIGHT: '2', CHAT_REPLY_ATTEMPTS: '2',
      AI_MAX_RETRIES: '0', AI_CIRCUIT_FAILURES: '50', AI_COMPLETE_WAIT_MS: '1500',
    },
  });
  url = rt.url;
  await setPlanLimits('free', { messages_per_day: 4 });
});

afterAll(async () => {
  await rt?.close();
  await openai?.close();
});


describe('raw personal data', () => {
  it('is stored nowhere: not in Postgres, not in Redis (jobs, streams), not sent to the provider', async () => {
    const user = await registerUser(url, 'raw');
    const chatId = await newChat(url, user.token);
    openai.reset();
    const { reply } = await ask(url, user.token, chatId, PII_QUESTION);
    const stored = await storedReply(url, user.token, chatId, reply.id);

    const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    const tables = ['messages', 'pii_vaults', 'ai_cache', 'idempotency_keys', 'audit_logs'];
    const rows = [];
    for (const t of tables) rows.push(await db.query(`SELECT * FROM "${rt.t.schema}".${t}`));
    // Usage: per message in meta.usage, per user and day in ai_usage_daily.
    const usage = await db.query(`SELECT messages, input_tokens, output_tokens FROM "${rt.t.schema}".ai_usage_daily WHERE user_id = $1`, [user.id]);
    await db.end();
    expect(stored.meta.usage.output_tokens).toBeGreaterThan(0);
    expect(usage.rows).toEqual([{ messages: 1, input_tokens: stored.meta.usage.input_tokens, output_tokens: stored.meta.usage.output_tokens }]);
    const everything = JSON.stringify(rows.map((r) => r.rows)) + (await redisDump(rt.t.prefix));
    expect(everything).toContain('[PHONE_1]');
    for (const raw of RAW) expect(everything).not.toContain(raw);
    for (const raw of RAW) expect(openai.requests[0]!.raw).not.toContain(raw);
  });
});

describe('fair use', () => {
  it('refuses a third reply in flight with 429 rate_limited, and the fifth message of the day with quota_exceeded', async () => {
    const user = await registerUser(url, 'fair');
    const chatId = await newChat(url, user.token);
    const slow = { kind: 'text' as const, text: ANSWER, chunks: 4, delayMs: 250 };
    openai.script(slow, slow);
    const a = await ask(url, user.token, chatId, 'Вопрос один');
    const b = await ask(url, user.token, chatId, 'Вопрос два');
    const third = await request(url, 'POST', `/api/chats/${chatId}/messages`, { token: user.token, json: { content: 'Вопрос три' } });
    expect([third.status, third.body.code]).toEqual([429, 'rate_limited']);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);

    await storedReply(url, user.token, chatId, a.reply.id);
    await storedReply(url, user.token, chatId, b.reply.id);
    const c = await ask(url, user.token, chatId, 'Вопрос три');
    await storedReply(url, user.token, chatId, c.reply.id);
    const d = await ask(url, user.token, chatId, 'Вопрос четыре');
    await storedReply(url, user.token, chatId, d.reply.id);
    const fifth = await request(url, 'POST', `/api/chats/${chatId}/messages`, { token: user.token, json: { content: 'Вопрос пять' } });
    expect([fifth.status, fifth.body.code]).toEqual([429, 'quota_exceeded']);
    expect(Number(fifth.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('failures', () => {
  it('a non-retryable provider error fails the reply at once with a clear code', async () => {
    openai.script({ kind: 'error', status: 400 });
    const user = await registerUser(url, 'badreq');
    const chatId = await newChat(url, user.token);
    await following(url, user.token, chatId, async (client) => {
      const { reply } = await ask(url, user.token, chatId, 'Вопрос, который провайдер не примет');
      const failed = await client.first('reply.failed', reply.id);
      expect(failed.error.code).toBe('ai_bad_request');
      const stored = await storedReply(url, user.token, chatId, reply.id);
      expect(stored).toMatchObject({ status: 'failed', meta: { error: { code: 'ai_bad_request' } } });
    });
  });

  it('a stream that breaks after the first tokens is answered again from seq 1, flagged as a restart', async () => {
    openai.script({ kind: 'text', text: 'Начало ответа, которое оборвётся на полуслове', chunks: 4, breakAfter: 2 });
    const user = await registerUser(url, 'midstream');
    const chatId = await newChat(url, user.token);
    await following(url, user.token, chatId, async (client) => {
      const { reply } = await ask(url, user.token, chatId, 'Вопрос, ответ на который оборвётся');
      const done = await client.first('reply.completed', reply.id);
      expect(done.message).toMatchObject({ content: ANSWER, meta: { attempt: 2 } });
      expect(client.of('reply.started', reply.id).map((e) => [e.attempt, e.restart])).toEqual([[1, undefined], [2, true]]);
      const second = client.of('reply.delta', reply.id).filter((d) => d.attempt === 2);
      expect(second.map((d) => d.seq)).toEqual([1, 2, 3]);
      expect(second.map((d) => d.delta).join('')).toBe(ANSWER);
    });
  });

  it('when every attempt fails, the reply fails with ai_unavailable after the retries', async () => {
    const before = openai.calls;
    openai.script({ kind: 'error', status: 500 }, { kind: 'error', status: 500 });
    const user = await registerUser(url, 'exhaust');
    const chatId = await newChat(url, user.token);
    const { reply } = await ask(url, user.token, chatId, 'Вопрос во время сбоя');
    const stored = await storedReply(url, user.token, chatId, reply.id);
    expect(stored).toMatchObject({ status: 'failed', meta: { error: { code: 'ai_unavailable' } } });
    expect(openai.calls - before).toBe(2); // CHAT_REPLY_ATTEMPTS=2, one call each (AI_MAX_RETRIES=0)
  });
});

describe('POST /api/ai/complete', () => {
  it('answers 200 when quick, from the cache the second time, and never sends raw data', async () => {
    const user = await registerUser(url, 'complete');
    openai.reset();
    const prompt = `Что грозит за увольнение? Пишите на ${RAW[3]}`;
    const first = await request(url, 'POST', '/api/ai/complete', { token: user.token, json: { prompt } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ text: ANSWER, provider: 'openai', cached: false });
    const again = await request(url, 'POST', '/api/ai/complete', { token: user.token, json: { prompt } });
    expect(again.body).toMatchObject({ text: ANSWER, cached: true });
    expect(openai.calls).toBe(1);
    expect(openai.requests[0]!.raw).not.toContain(RAW[3]);
  });

  it('answers 422 with the failure code when the provider refuses the prompt within the wait', async () => {
    const user = await registerUser(url, 'refused');
    openai.script({ kind: 'error', status: 400 });
    const res = await request(url, 'POST', '/api/ai/complete', { token: user.token, json: { prompt: 'Вопрос, который провайдер не примет' } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('ai_bad_request');
  });

  it('answers 202 with an id when slow; the owner polls it, others get 404', async () => {
    const user = await registerUser(url, 'slow');
    const other = await registerUser(url, 'other');
    openai.script({ kind: 'text', text: ANSWER, chunks: 4, delayMs: 600 });
    const res = await request(url, 'POST', '/api/ai/complete', { token: user.token, json: { prompt: 'Долгий вопрос о наследстве' } });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/api/ai/complete/${res.body.id}`);
    const done = await waitFor('completion', async () => {
      const poll = await request(url, 'GET', `/api/ai/complete/${res.body.id}`, { token: user.token });
      return poll.body.status === 'completed' ? poll.body : undefined;
    });
    expect(done.result).toMatchObject({ text: ANSWER, provider: 'openai' });
    const foreign = await request(url, 'GET', `/api/ai/complete/${res.body.id}`, { token: other.token });
    expect(foreign.status).toBe(404);
  });
});

describe('chats and paging', () => {
  it("lists chats newest first with a cursor, hides archived ones, and refuses messages to them and to another user's", async () => {
    const user = await registerUser(url, 'paging');
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await newChat(url, user.token));
    const page1 = await request(url, 'GET', '/api/chats?limit=2', { token: user.token });
    const page2 = await request(url, 'GET', `/api/chats?limit=2&cursor=${page1.body.next_cursor}`, { token: user.token });
    expect([...page1.body.items, ...page2.body.items].map((c: { id: string }) => c.id)).toEqual([...ids].reverse());
    expect(page2.body.next_cursor).toBeNull();

    expect((await request(url, 'DELETE', `/api/chats/${ids[0]}`, { token: user.token })).status).toBe(204);
    const active = await request(url, 'GET', '/api/chats', { token: user.token });
    expect(active.body.items.map((c: { id: string }) => c.id)).not.toContain(ids[0]);
    const archived = await request(url, 'GET', '/api/chats?status=archived', { token: user.token });
    expect(archived.body.items).toMatchObject([{ id: ids[0], status: 'archived' }]);
    const post = await request(url, 'POST', `/api/chats/${ids[0]}/messages`, { token: user.token, json: { content: 'Ещё вопрос' } });
    expect([post.status, post.body.code]).toEqual([409, 'conflict']);
    const stranger = await registerUser(url, 'pagingstranger');
    const foreign = await request(url, 'POST', `/api/chats/${ids[1]}/messages`, { token: stranger.token, json: { content: 'Чужой вопрос' } });
    expect([foreign.status, foreign.body.code]).toEqual([404, 'not_found']);
    // Neither refusal wrote a message or touched a chat.
    expect(await messagesOf(url, user.token, ids[1]!)).toEqual([]);
    expect((await request(url, 'GET', `/api/chats/${ids[1]}`, { token: user.token })).body.updated_at).toBe(page1.body.items[1].updated_at);
  });

  it('keeps an archived chat\'s messages: listed as before, and the chat still opens', async () => {
    const user = await registerUser(url, 'archive');
    const chatId = await newChat(url, user.token);
    const { reply } = await ask(url, user.token, chatId, 'Как вернуть товар ненадлежащего качества?');
    await storedReply(url, user.token, chatId, reply.id);
    const before = await messagesOf(url, user.token, chatId);
    expect(before.map((m: { sender: string }) => m.sender)).toEqual(['user', 'assistant']);
    expect((await request(url, 'DELETE', `/api/chats/${chatId}`, { token: user.token })).status).toBe(204);
    expect(await messagesOf(url, user.token, chatId)).toEqual(before);
    expect((await request(url, 'GET', `/api/chats/${chatId}`, { token: user.token })).body).toMatchObject({ id: chatId, status: 'archived' });
  });

  it('pages messages written within one millisecond (as a lawyer\'s, stamped by Postgres) each once, in order', async () => {
    const user = await registerUser(url, 'microseconds');
    const chatId = await newChat(url, user.token);
    const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    const { rows } = await db.query(
      `INSERT INTO "${rt.t.schema}".messages (chat_id, user_id, sender, content, status, created_at)
       SELECT $1, $2, 'lawyer', 'Сообщение ' || n, 'completed', '2026-12-01T10:00:00.000Z'::timestamptz + n * interval '100 microseconds'
       FROM generate_series(1, 3) AS n RETURNING id`, [chatId, user.id]);
    await db.end();
    const ids = rows.map((r: { id: string }) => r.id);
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null && seen.length < 10) {
      const res: { body: { items: Array<{ id: string }>; next_cursor: string | null } } = await request(url, 'GET', `/api/chats/${chatId}/messages?limit=1${cursor ? `&cursor=${cursor}` : ''}`, { token: user.token });
      seen.push(...res.body.items.map((m) => m.id));
      cursor = res.body.next_cursor;
    }
    expect(seen).toEqual(ids);
    const after = await request(url, 'GET', `/api/chats/${chatId}/messages?after=${ids[0]}`, { token: user.token });
    expect(after.body.items.map((m: { id: string }) => m.id)).toEqual(ids.slice(1));
  });

  it('pages from a forged cursor naming another user\'s chat by the cursor\'s own time: that chat\'s tells nothing', async () => {
    const user = await registerUser(url, 'forger');
    const other = await registerUser(url, 'forged');
    const older = await newChat(url, user.token);
    const theirs = await newChat(url, other.token);
    const newer = await newChat(url, user.token);
    const forged = Buffer.from(JSON.stringify({ t: '2999-01-01T00:00:00.000Z', id: theirs })).toString('base64url');
    const page = await request(url, 'GET', `/api/chats?cursor=${forged}`, { token: user.token });
    expect(page.body.items.map((c: { id: string }) => c.id)).toEqual([newer, older]);
  });

  it('pages messages oldest first with ?after= and ?cursor=', async () => {
    const user = await registerUser(url, 'msgpaging');
    const chatId = await newChat(url, user.token);
    const first = await ask(url, user.token, chatId, 'Первый вопрос про аренду');
    await storedReply(url, user.token, chatId, first.reply.id);
    const second = await ask(url, user.token, chatId, 'Второй вопрос про аренду');
    await storedReply(url, user.token, chatId, second.reply.id);
    const all = await messagesOf(url, user.token, chatId);
    expect(all.map((m) => m.id)).toEqual([first.message.id, first.reply.id, second.message.id, second.reply.id]);
    const after = await request(url, 'GET', `/api/chats/${chatId}/messages?after=${first.reply.id}`, { token: user.token });
    expect(after.body.items.map((m: { id: string }) => m.id)).toEqual([second.message.id, second.reply.id]);
    const p1 = await request(url, 'GET', `/api/chats/${chatId}/messages?limit=3`, { token: user.token });
    const p2 = await request(url, 'GET', `/api/chats/${chatId}/messages?limit=3&cursor=${p1.body.next_cursor}`, { token: user.token });
    expect([...p1.body.items, ...p2.body.items].map((m: { id: string }) => m.id)).toEqual(all.map((m) => m.id));
  });
});

describe('chat titles', () => {
  it('titles an untitled chat after its first question, masked and short, and keeps that title and a given one', async () => {
    const user = await registerUser(url, 'titles');
    const untitled = (await request(url, 'POST', '/api/chats', { token: user.token, json: {} })).body;
    expect(untitled.title).toBe('Новый чат');
    const { reply } = await ask(url, user.token, untitled.id, PII_QUESTION);
    await storedReply(url, user.token, untitled.id, reply.id);
    const { title } = (await request(url, 'GET', `/api/chats/${untitled.id}`, { token: user.token })).body;
    const [question] = await messagesOf(url, user.token, untitled.id);
    // The question's opening words, from its masked text, cut at a word.
    expect(title).toMatch(/^Я \[PERSON_1\], .+…$/);
    expect(title.length).toBeLessThanOrEqual(60);
    expect(question.content.startsWith(title.slice(0, -1))).toBe(true);
    for (const raw of RAW) expect(title).not.toContain(raw);

    const second = await ask(url, user.token, untitled.id, 'А если уволили во время отпуска?');
    await storedReply(url, user.token, untitled.id, second.reply.id);
    expect((await request(url, 'GET', `/api/chats/${untitled.id}`, { token: user.token })).body.title).toBe(title);

    const named = await newChat(url, user.token);
    const third = await ask(url, user.token, named, 'Можно ли вернуть товар без чека?');
    await storedReply(url, user.token, named, third.reply.id);
    expect((await request(url, 'GET', `/api/chats/${named}`, { token: user.token })).body.title).toBe('Вопрос');
  });
});
