/**
 * Stopping a reply: POST /api/chats/{chat_id}/messages/{message_id}/stop, with the API and the
 * workers in processes of their own (the stop reaches the streaming worker through Redis) and
 * a fake OpenAI that streams slowly.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeProviderEnv, startFakeOpenAI, type FakeProvider } from '../../helpers/fake-providers/index.js';
import { registerUser, request } from '../../helpers/http.js';
import { TEST_DATABASE_URL } from '../../helpers/services.js';
import type { Spawned } from '../../helpers/spawn.js';
import { replyJobId } from '../../../pipelines/chat-reply.js';
import { ask, cluster, FAST_STALLS, following, messagesOf, newChat, openQueue, storedReply, waitFor } from '../../e2e/chat/harness.js';

const LONG = 'Сначала направьте работодателю письменную претензию, затем обратитесь в трудовую инспекцию или в суд. '.repeat(4);
const SLOW = { kind: 'text' as const, text: LONG, chunks: 40, delayMs: 100 };

const c = cluster('chatstop', FAST_STALLS);
let openai: FakeProvider;
let api: string;
let workers: Spawned | undefined;

beforeAll(async () => {
  openai = await startFakeOpenAI({ defaultStep: SLOW });
  Object.assign(c.t.env, fakeProviderEnv({ openai }));
  ({ url: api } = await c.startApi());
}, 60_000);

afterAll(async () => {
  await c.stopAll();
  await openai?.close();
});

const stop = (token: string, chatId: string, messageId: string) =>
  request(api, 'POST', `/api/chats/${chatId}/messages/${messageId}/stop`, { token });

async function usageOf(userId: string) {
  const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  try {
    const { rows } = await db.query(`SELECT messages, input_tokens::int, output_tokens::int FROM "${c.t.schema}".ai_usage_daily WHERE user_id = $1`, [userId]);
    return rows;
  } finally {
    await db.end();
  }
}

describe('stopping a reply', () => {
  it('a reply still queued (no worker yet) completes empty and stopped at once, and never reaches the provider', async () => {
    const user = await registerUser(api, 'queued');
    const chatId = await newChat(api, user.token);
    await following(api, user.token, chatId, async (client) => {
      const { message, reply } = await ask(api, user.token, chatId, 'Как вернуть залог за квартиру?');
      const res = await stop(user.token, chatId, reply.id);
      expect(res.status).toBe(202);
      expect(res.body.message).toMatchObject({ id: reply.id, status: 'completed', content: '', meta: { stopped: true } });
      const completed = await client.first('reply.completed', reply.id);
      expect(completed.message).toMatchObject({ status: 'completed', content: '', meta: { stopped: true } });

      const again = await stop(user.token, chatId, reply.id);
      expect([again.status, again.body.code]).toEqual([409, 'conflict']);
      expect(again.body.detail).toMatch(/already ended \(stopped\)/);

      // The worker that starts now masks the question and finds the reply stopped.
      workers = await c.startWorkers();
      await waitFor('the question to be masked', async () => (await messagesOf(api, user.token, chatId)).find((m) => m.id === message.id && m.status === 'completed'));
      const ai = openQueue('ai', c.t.prefix);
      try {
        await waitFor('the reply job to run', async () => (await ai.queue.getJobState(replyJobId(reply.id))) === 'completed');
      } finally {
        await ai.close();
      }
      expect(openai.calls).toBe(0);
      const stored = (await messagesOf(api, user.token, chatId)).find((m) => m.id === reply.id);
      expect(stored).toMatchObject({ status: 'completed', content: '', meta: { stopped: true } });
      expect(await usageOf(user.id)).toEqual([{ messages: 1, input_tokens: 0, output_tokens: 0 }]);
    });
  }, 60_000);

  it('mid-stream: the provider call is aborted, and the reply keeps exactly what was streamed, charged once', async () => {
    const user = await registerUser(api, 'midstream');
    const chatId = await newChat(api, user.token);
    await following(api, user.token, chatId, async (client) => {
      const before = openai.calls;
      const { message, reply } = await ask(api, user.token, chatId, 'Меня уволили без предупреждения, что делать?');
      await waitFor('a few deltas', () => client.of('reply.delta', reply.id).length >= 3);
      const res = await stop(user.token, chatId, reply.id);
      const stoppedAt = Date.now();
      expect(res.status).toBe(202);
      expect(res.body.message).toMatchObject({ id: reply.id, status: 'streaming' });

      const completed = await client.first('reply.completed', reply.id);
      const seen = client.of('reply.delta', reply.id).map((d) => d.delta).join('');
      expect(completed.message.content).toBe(seen);
      expect(seen.length).toBeGreaterThan(0);
      expect(LONG.startsWith(seen) && seen.length < LONG.length).toBe(true);
      expect(completed.message.meta).toMatchObject({ stopped: true, provider: 'openai', cached: false });

      // The fake saw its connection closed soon after the stop, long before its 4 s answer ended.
      expect(openai.calls - before).toBe(1);
      const call = openai.requests.at(-1)!;
      expect(call.abortedAt).toBeDefined();
      expect(call.abortedAt! - stoppedAt).toBeLessThan(2000);

      const stored = await storedReply(api, user.token, chatId, reply.id);
      expect(stored).toEqual(completed.message);
      expect(stored.meta.usage.output_tokens).toBeGreaterThan(0);
      const charged = [{ messages: 1, input_tokens: stored.meta.usage.input_tokens, output_tokens: stored.meta.usage.output_tokens }];
      expect(await usageOf(user.id)).toEqual(charged);

      const again = await stop(user.token, chatId, reply.id);
      expect([again.status, again.body.code]).toEqual([409, 'conflict']);

      // A duplicate delivery of the reply's job finds it stopped: no provider call, nothing changes.
      const calls = openai.calls;
      const ai = openQueue('ai', c.t.prefix);
      try {
        const dup = await ai.queue.add('ai.chat-reply', { message_id: reply.id, reply_to: message.id, chat_id: chatId, user_id: user.id }, { jobId: `dup-${reply.id}` });
        await waitFor('the duplicate job', async () => (await dup.getState()) === 'completed');
      } finally {
        await ai.close();
      }
      expect(openai.calls).toBe(calls);
      expect(await storedReply(api, user.token, chatId, reply.id)).toEqual(stored);
      expect(await usageOf(user.id)).toEqual(charged);
    });
  }, 60_000);

  it('stopped while its worker is dead: asking again is harmless, and the retried job ends it with what had streamed instead of answering again', async () => {
    const user = await registerUser(api, 'crash');
    const chatId = await newChat(api, user.token);
    await following(api, user.token, chatId, async (client) => {
      const before = openai.calls;
      const { reply } = await ask(api, user.token, chatId, 'Как оспорить штраф ГИБДД?');
      await waitFor('a few deltas', () => client.of('reply.delta', reply.id).length >= 3);
      await workers!.stop('SIGKILL');

      const first = await stop(user.token, chatId, reply.id);
      const second = await stop(user.token, chatId, reply.id);
      expect([first.status, first.body.message.status]).toEqual([202, 'streaming']);
      expect([second.status, second.body.message.status]).toEqual([202, 'streaming']);

      workers = await c.startWorkers(); // takes the stalled job over
      const completed = await client.first('reply.completed', reply.id, 20_000);
      // Every delta the dead worker published had reached the client before the completion.
      const seen = client.of('reply.delta', reply.id).map((d) => d.delta).join('');
      expect(seen.length).toBeGreaterThan(0);
      expect(completed.message).toMatchObject({ status: 'completed', content: seen, meta: { stopped: true } });
      expect(client.of('reply.started', reply.id).filter((s) => s.restart)).toEqual([]);
      expect(openai.calls - before).toBe(1);
      expect(await storedReply(api, user.token, chatId, reply.id)).toEqual(completed.message);
    });
  }, 60_000);

  it("is 404 for another user's reply or a message not in the chat, 422 for a question, 400 for a malformed id", async () => {
    const owner = await registerUser(api, 'owner');
    const intruder = await registerUser(api, 'intruder');
    const chatId = await newChat(api, owner.token);
    const { message, reply } = await ask(api, owner.token, chatId, 'Можно ли вернуть товар без чека?');
    const otherChat = await newChat(api, owner.token);

    const foreign = await stop(intruder.token, chatId, reply.id);
    expect([foreign.status, foreign.body.code]).toEqual([404, 'not_found']);
    const elsewhere = await stop(owner.token, otherChat, reply.id);
    expect([elsewhere.status, elsewhere.body.code]).toEqual([404, 'not_found']);
    const question = await stop(owner.token, chatId, message.id);
    expect([question.status, question.body.code, question.body.detail]).toEqual([422, 'not_a_reply', 'only an assistant reply can be stopped']);
    const malformed = await stop(owner.token, chatId, 'not-a-uuid');
    expect([malformed.status, malformed.body.code]).toEqual([400, 'validation_failed']);

    // None of those stopped it: it is answered in full.
    const stored = await storedReply(api, owner.token, chatId, reply.id);
    expect(stored).toMatchObject({ status: 'completed', content: LONG });
    expect(stored.meta.stopped).toBeUndefined();
  }, 60_000);
});
