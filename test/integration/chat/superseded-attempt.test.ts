/**
 * A worker that lost its job's lock (stalled under load) may still be streaming when another
 * worker restarts the reply. The reply's stream must then hold the new attempt only, and the
 * old one must stop calling its provider.
 */
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage, CompletionHooks, CompletionRequest, Orchestrator } from '../../../core/ai/index.js';
import { AttemptSuperseded, jobLockHeld, openReplyPublisher, readReplyEvents } from '../../../core/chat/reply-stream.js';
import { completeStreaming, failReply } from '../../../core/chat/reply.js';
import { migrate } from '../../../core/db/knex.js';
import { createEmitter, type Emitter } from '../../../core/emitter.js';
import { testEnv, type TestEnv } from '../../helpers/env.js';
import { REDIS_URL } from '../../helpers/services.js';

let t: TestEnv;
let redis: Redis;
let deps: { redis: Redis; emitter: Emitter; prefix: string };

beforeAll(() => {
  t = testEnv('superseded');
  redis = new Redis(REDIS_URL);
  deps = { redis, emitter: createEmitter(redis, t.prefix), prefix: t.prefix };
});
afterAll(async () => {
  redis?.disconnect();
  await t?.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const closers: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const close of closers) await close();
});

/** A job taken by a worker, as the ai pool takes a reply's: its lock held for `lockMs` and not renewed. */
async function lockedJob(lockMs: number) {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('locks', { connection, prefix: t.prefix });
  const worker = new Worker('locks', null, { connection, prefix: t.prefix, lockDuration: lockMs, autorun: false });
  closers.push(() => worker.close(), () => queue.close(), async () => connection.disconnect());
  await queue.add('reply', {});
  return (await worker.getNextJob(randomUUID()))!;
}

const target = () => ({ chatId: randomUUID(), userId: randomUUID(), messageId: randomUUID() });

describe('a superseded reply attempt', () => {
  it('is refused once a newer attempt opens, so a rejoining client replays the newer one only', async () => {
    const reply = target();
    const old = await openReplyPublisher(deps, reply);
    await old.started('openai', 'gpt');
    await old.delta('старый ');
    const current = await openReplyPublisher(deps, reply);
    await current.started('openai', 'gpt');
    await current.delta('новый');

    await expect(old.delta('ответ')).rejects.toBeInstanceOf(AttemptSuperseded);
    const events = await readReplyEvents(redis, t.prefix, reply.messageId);
    expect(events.map((e) => [e.event, e.data.attempt, e.data.seq ?? null])).toEqual([
      ['reply.started', 2, null],
      ['reply.delta', 2, 1],
    ]);
  });

  it('aborts its provider call and surfaces AttemptSuperseded, not a provider error', async () => {
    const reply = target();
    const old = await openReplyPublisher(deps, reply);
    let signal: AbortSignal | undefined;
    const ai = {
      providers: () => ['openai'],
      async complete(req: CompletionRequest, hooks?: CompletionHooks) {
        signal = req.signal;
        hooks?.onStart?.('openai', 'gpt');
        hooks?.onDelta?.('первый ');
        await openReplyPublisher(deps, reply); // another worker restarts the reply meanwhile
        hooks?.onDelta?.('второй');
        // Streams on until the caller aborts, as a real provider would.
        await new Promise((_, reject) => {
          const stop = () => reject(new Error('aborted by caller'));
          if (req.signal?.aborted) stop();
          else req.signal?.addEventListener('abort', stop, { once: true });
        });
      },
    } as unknown as Orchestrator;

    await expect(completeStreaming(ai, { messages: [] as ChatMessage[] }, old)).rejects.toBeInstanceOf(AttemptSuperseded);
    expect(signal?.aborted).toBe(true);
    expect(await readReplyEvents(redis, t.prefix, reply.messageId)).toEqual([]);
  });

  it('is refused alone when events of many replies are sent in the same turn, each reply in its own order', async () => {
    const replies = Array.from({ length: 300 }, target); // more than one script call's worth
    const publishers = await Promise.all(replies.map((r) => openReplyPublisher(deps, r)));
    await openReplyPublisher(deps, replies[7]!); // reply 7 restarts elsewhere: its first attempt is now stale
    const sent = publishers.flatMap((p) => [p.started('openai', 'gpt'), p.delta('раз '), p.delta('два')]);
    const outcomes = await Promise.allSettled(sent);

    const refused = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [i] : []));
    expect(refused).toEqual([21, 22, 23]); // the three events of reply 7, and only those
    expect(outcomes.filter((o) => o.status === 'rejected').every((o) => (o as PromiseRejectedResult).reason instanceof AttemptSuperseded)).toBe(true);
    for (const [i, reply] of replies.entries()) {
      const events = await readReplyEvents(redis, t.prefix, reply.messageId);
      expect(events.map((e) => [e.event, e.data.seq ?? null, e.data.delta ?? null])).toEqual(
        i === 7 ? [] : [['reply.started', null, null], ['reply.delta', 1, 'раз '], ['reply.delta', 2, 'два']],
      );
    }
  });

  it('cannot fail the reply the newer attempt is streaming: its failure is dropped, the newer one carries on', async () => {
    const db = t.db(2);
    try {
      await migrate(db, t.schema);
      const [user] = await db('users').insert({ email: `${randomUUID()}@x.test`, password_hash: 'x' }).returning('id');
      const [chat] = await db('chats').insert({ user_id: user.id, title: 'Чат' }).returning('id');
      const [question] = await db('messages').insert({ chat_id: chat.id, user_id: user.id, sender: 'user', status: 'completed', content: 'Вопрос' }).returning('id');
      const [row] = await db('messages').insert({ chat_id: chat.id, user_id: user.id, sender: 'assistant', status: 'streaming', reply_to: question.id }).returning('id');
      const reply = { chatId: chat.id as string, userId: user.id as string, messageId: row.id as string };
      const job = { message_id: reply.messageId, reply_to: question.id as string, chat_id: reply.chatId, user_id: reply.userId };
      const refused = { code: 'ai_bad_request', detail: 'refused' };
      // One run fails before it opened its attempt, one after; both were overtaken meanwhile.
      // The early one's job lock (a real BullMQ lock, taken as a worker takes a job) runs out:
      // it stalled, and its job goes to another run.
      const early = { mayEnd: jobLockHeld(redis, await lockedJob(1000)) };
      expect(await early.mayEnd()).toBe(true);
      await sleep(1100);
      const old = await openReplyPublisher(deps, reply);
      const late = { publisher: old, mayEnd: () => old.current() };
      const current = await openReplyPublisher(deps, reply);
      await current.started('openai', 'gpt');

      await failReply({ db, emitter: deps.emitter }, job, refused, early);
      await failReply({ db, emitter: deps.emitter }, job, refused, late);
      expect((await db('messages').where({ id: reply.messageId }).first()).status).toBe('streaming');
      await current.delta('ответ');
      expect((await readReplyEvents(redis, t.prefix, reply.messageId)).map((e) => e.event)).toEqual(['reply.started', 'reply.delta']);

      await failReply({ db, emitter: deps.emitter }, job, refused, { publisher: current, mayEnd: () => current.current() });
      expect((await db('messages').where({ id: reply.messageId }).first()).status).toBe('failed');
    } finally {
      await db.destroy();
    }
  });
});
