/**
 * The chat pipeline across processes: two API nodes and worker processes, spawned. Covers
 * a client on another node, replies nobody watches, reconnecting mid-stream, a worker killed
 * mid-stream, the answer cache, Idempotency-Key and someone else's chat.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeProviderEnv, startFakeOpenAI, type FakeProvider } from '../../helpers/fake-providers/index.js';
import { registerUser, request } from '../../helpers/http.js';
import type { Spawned } from '../../helpers/spawn.js';
import { ask, cluster, connect, FAST_STALLS, following, messagesOf, newChat, storedReply, waitFor } from './harness.js';

const ANSWER = 'Срок исковой давности по общему правилу составляет три года (ст. 196 ГК РФ).';
const LONG = 'Сначала направьте работодателю письменную претензию, затем обратитесь в трудовую инспекцию или в суд; '.repeat(3);

const c = cluster('chatresilience', FAST_STALLS);
let openai: FakeProvider;
let apiA: string;
let apiB: string;
let workers: Spawned;

beforeAll(async () => {
  openai = await startFakeOpenAI({ defaultStep: { kind: 'text', text: ANSWER, chunks: 4 } });
  Object.assign(c.t.env, fakeProviderEnv({ openai }));
  ({ url: apiA } = await c.startApi());
  ({ url: apiB } = await c.startApi());
  workers = await c.startWorkers();
}, 60_000);

afterAll(async () => {
  await c.stopAll();
  await openai?.close();
});

describe('realtime across processes', () => {
  it('a client on one API node receives the events of a message posted via another', async () => {
    const user = await registerUser(apiA, 'nodes');
    const chatId = await newChat(apiA, user.token);
    // following() asserts the join on the other node is acknowledged { ok: true }.
    await following(apiB, user.token, chatId, async (client) => {
      const { message, reply } = await ask(apiA, user.token, chatId, 'Какой срок исковой давности?');
      const completed = await client.first('reply.completed', reply.id);
      expect(client.of('message.created', message.id)).toHaveLength(1);
      expect(client.of('reply.started', reply.id)).toHaveLength(1);
      expect(completed.message.content).toBe(ANSWER);
    });
  });

  it('a reply that finishes with no client connected is in the history', async () => {
    const user = await registerUser(apiA, 'offline');
    const chatId = await newChat(apiA, user.token);
    const { reply } = await ask(apiA, user.token, chatId, 'Можно ли вернуть товар без чека?');
    const stored = await storedReply(apiB, user.token, chatId, reply.id);
    expect(stored).toMatchObject({ status: 'completed', content: ANSWER, sender: 'assistant' });
  });

  it('a client that disconnects mid-stream and rejoins with after_seq gets the missed deltas and the completion', async () => {
    openai.script({ kind: 'text', text: LONG, chunks: 12, delayMs: 100 });
    const user = await registerUser(apiA, 'rejoin');
    const chatId = await newChat(apiA, user.token);
    const first = await connect(apiA, user.token);
    await first.join(chatId);
    const { reply } = await ask(apiA, user.token, chatId, 'Меня уволили без предупреждения, что делать?');
    await waitFor('a few deltas', () => first.of('reply.delta', reply.id).length >= 3);
    first.close();
    const seen = first.of('reply.delta', reply.id);
    const lastSeq = seen.at(-1).seq;
    expect(first.of('reply.completed', reply.id)).toHaveLength(0);

    await new Promise((r) => setTimeout(r, 400)); // deltas go by while nobody listens
    const second = await connect(apiB, user.token);
    try {
      expect(await second.join(chatId, { after_seq: lastSeq })).toEqual({ ok: true });
      await second.first('reply.completed', reply.id);
      const later = second.of('reply.delta', reply.id).filter((d) => d.seq > lastSeq);
      const seqs = [...new Set(later.map((d) => d.seq))];
      expect(seqs[0]).toBe(lastSeq + 1);
      expect(seqs).toEqual(seqs.map((_, i) => lastSeq + 1 + i));
      const byseq = new Map([...seen, ...later].map((d) => [d.seq, d.delta]));
      const text = [...byseq.keys()].sort((a, b) => a - b).map((s) => byseq.get(s)).join('');
      expect(text).toBe(LONG);
      expect(second.of('reply.completed', reply.id)[0].message.content).toBe(LONG);
    } finally {
      second.close();
    }
  });

  it('a worker killed with SIGKILL mid-stream: the reply still completes, exactly once', async () => {
    const slow = { kind: 'text' as const, text: LONG, chunks: 10, delayMs: 150 };
    openai.script(slow, slow);
    const before = openai.calls;
    const user = await registerUser(apiA, 'sigkill');
    const chatId = await newChat(apiA, user.token);
    await following(apiA, user.token, chatId, async (client) => {
      const { reply } = await ask(apiA, user.token, chatId, 'Как оспорить штраф ГИБДД?');
      await waitFor('streaming to start', () => client.of('reply.delta', reply.id).length >= 2);
      await workers.stop('SIGKILL');
      workers = await c.startWorkers();

      await client.first('reply.completed', reply.id, 20_000);
      const restarted = client.of('reply.started', reply.id).find((s) => s.restart);
      expect(restarted).toMatchObject({ attempt: 2, restart: true });
      const deltas = client.of('reply.delta', reply.id).filter((d) => d.attempt === 2);
      expect(deltas.map((d) => d.seq)).toEqual(deltas.map((_, i) => i + 1));
      expect(deltas.map((d) => d.delta).join('')).toBe(LONG);
      expect(openai.calls - before).toBe(2);

      const items = await messagesOf(apiA, user.token, chatId);
      const replies = items.filter((m) => m.sender === 'assistant');
      expect(replies).toHaveLength(1);
      expect(replies[0]).toMatchObject({ id: reply.id, status: 'completed', content: LONG, meta: { attempt: 2 } });
      expect(client.of('reply.completed', reply.id)).toHaveLength(1);
    });
  }, 40_000);
});

describe('cache, idempotency and ownership', () => {
  it('the same question twice from one user calls the provider once; from another user, again', async () => {
    const question = 'Сколько длится испытательный срок при приёме на работу?';
    const alice = await registerUser(apiA, 'alice');
    const bob = await registerUser(apiA, 'bob');
    const before = openai.calls;
    // Two chats, so the masked conversation is the same question alone both times.
    const chat1 = await newChat(apiA, alice.token);
    const a1 = await storedReply(apiA, alice.token, chat1, (await ask(apiA, alice.token, chat1, question)).reply.id);
    const chat2 = await newChat(apiA, alice.token);
    const a2 = await storedReply(apiA, alice.token, chat2, (await ask(apiA, alice.token, chat2, question)).reply.id);
    const bobChat = await newChat(apiA, bob.token);
    const b1 = await storedReply(apiA, bob.token, bobChat, (await ask(apiA, bob.token, bobChat, question)).reply.id);
    expect(a1.meta.cached).toBe(false);
    expect(a2.meta).toMatchObject({ cached: true, provider: 'openai' });
    expect(a2.content).toBe(a1.content);
    expect(b1.meta.cached).toBe(false);
    expect(openai.calls - before).toBe(2);
  });

  it('a repeated Idempotency-Key creates one message and returns the same response', async () => {
    const user = await registerUser(apiA, 'idem');
    const chatId = await newChat(apiA, user.token);
    const headers = { 'Idempotency-Key': `k-${Date.now()}` };
    const path = `/api/chats/${chatId}/messages`;
    const one = await request(apiA, 'POST', path, { token: user.token, json: { content: 'Как составить претензию?' }, headers });
    const two = await request(apiB, 'POST', path, { token: user.token, json: { content: 'Как составить претензию?' }, headers });
    expect(one.status).toBe(202);
    expect(two.status).toBe(202);
    expect(two.body).toEqual(one.body);
    const other = await request(apiA, 'POST', path, { token: user.token, json: { content: 'Другой вопрос' }, headers });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency_key_reused');
    await storedReply(apiA, user.token, chatId, one.body.reply.id);
    const items = await messagesOf(apiA, user.token, chatId);
    expect(items.filter((m) => m.sender === 'user')).toHaveLength(1);
  });

  it("another user's chat is 404 on every chat route and refused on chat:join", async () => {
    const owner = await registerUser(apiA, 'owner');
    const intruder = await registerUser(apiA, 'intruder');
    const chatId = await newChat(apiA, owner.token);
    const as = { token: intruder.token };
    const answers = await Promise.all([
      request(apiA, 'GET', `/api/chats/${chatId}`, as),
      request(apiA, 'DELETE', `/api/chats/${chatId}`, as),
      request(apiA, 'GET', `/api/chats/${chatId}/messages`, as),
      request(apiA, 'POST', `/api/chats/${chatId}/messages`, { ...as, json: { content: 'чужой чат' } }),
    ]);
    for (const res of answers) expect([res.status, res.body.code]).toEqual([404, 'not_found']);
    const list = await request(apiA, 'GET', '/api/chats', as);
    expect(list.body.items).toEqual([]);
    const client = await connect(apiB, intruder.token);
    try {
      expect(await client.join(chatId)).toEqual({ ok: false, error: { code: 'not_found' } });
    } finally {
      client.close();
    }
    const owned = await request(apiA, 'GET', `/api/chats/${chatId}/messages`, { token: owner.token });
    expect(owned.body.items).toEqual([]);
  });
});
