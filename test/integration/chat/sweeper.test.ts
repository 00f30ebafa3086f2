/** A reply whose job died for good is failed by the sweeper and the client is told; a live one is left alone. */
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepStuckReplies } from '../../../core/chat/sweeper.js';
import { createEmitter } from '../../../core/emitter.js';
import { replyJobAlive, replyJobId } from '../../../pipelines/chat-reply.js';
import { registerUser } from '../../helpers/http.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { connect, following, messagesOf, newChat, openQueue } from '../../e2e/chat/harness.js';

let rt: TestRuntime;
let ai: ReturnType<typeof openQueue>;

beforeAll(async () => {
  rt = await startTestRuntime('sweeper');
  ai = openQueue('ai', rt.t.prefix);
});
afterAll(async () => {
  await ai?.close();
  await rt?.close();
});

async function stuckReply(userId: string, chatId: string, minutesAgo = 20) {
  const db = Model.knex();
  const old = new Date(Date.now() - minutesAgo * 60 * 1000);
  const [question] = await db('messages').insert({ chat_id: chatId, user_id: userId, sender: 'user', status: 'pending' }).returning('id');
  const [reply] = await db('messages')
    .insert({ chat_id: chatId, user_id: userId, sender: 'assistant', status: 'streaming', reply_to: question.id, updated_at: old })
    .returning('id');
  return { questionId: question.id as string, replyId: reply.id as string };
}

describe('stuck reply sweeper', () => {
  it('fails a reply whose job is gone, tells the client, and spares one whose job is alive', async () => {
    const user = await registerUser(rt.url, 'sweep');
    const chatId = await newChat(rt.url, user.token);
    const lost = await stuckReply(user.id, chatId);
    const alive = await stuckReply(user.id, chatId);
    // A job still waiting (here: delayed) means someone will finish the reply.
    const aiQueue = ai.queue;
    await aiQueue.add('ai.chat-reply', { message_id: alive.replyId, reply_to: alive.questionId, chat_id: chatId, user_id: user.id }, { jobId: replyJobId(alive.replyId), delay: 3_600_000 });

    await following(rt.url, user.token, chatId, async (client) => {
      const emitter = createEmitter(ai.redis, rt.t.prefix);
      const failed = await sweepStuckReplies({ db: Model.knex(), emitter, replyJobAlive: (id) => replyJobAlive(aiQueue, id), stuckAfterSeconds: 600 });
      expect(failed).toBe(1);

      const event = await client.first('reply.failed', lost.replyId);
      expect(event).toEqual({ chat_id: chatId, message_id: lost.replyId, error: { code: 'reply_lost', detail: expect.any(String) } });
      const stored = await messagesOf(rt.url, user.token, chatId);
      const byId = Object.fromEntries(stored.map((m: { id: string; status: string }) => [m.id, m]));
      expect(byId[lost.replyId]).toMatchObject({ status: 'failed', meta: { error: { code: 'reply_lost' } } });
      expect(byId[lost.questionId]?.status).toBe('failed');
      expect(byId[alive.replyId]?.status).toBe('streaming');

      // Running again finds nothing new: the sweep is idempotent.
      expect(await sweepStuckReplies({ db: Model.knex(), emitter, replyJobAlive: (id) => replyJobAlive(aiQueue, id), stuckAfterSeconds: 600 })).toBe(0);
      expect(client.of('reply.failed', lost.replyId)).toHaveLength(1);
    });

    // A client that missed the announcement learns the outcome when it rejoins to replay.
    const late = await connect(rt.url, user.token);
    try {
      expect(await late.join(chatId, { after_seq: 0 })).toEqual({ ok: true });
      expect(await late.first('reply.failed', lost.replyId)).toMatchObject({ chat_id: chatId, error: { code: 'reply_lost' } });
    } finally {
      late.close();
    }
  });

  it('finds a dead reply behind more older ones whose jobs are alive than one page holds', async () => {
    const user = await registerUser(rt.url, 'sweeppages');
    const chatId = await newChat(rt.url, user.token);
    const db = Model.knex();
    // 501 replies stuck for 40 minutes and more, each with a job still waiting; then one whose job is gone.
    const [question] = await db('messages').insert({ chat_id: chatId, user_id: user.id, sender: 'user', status: 'pending' }).returning('id');
    const alive = (await db.raw(
      `INSERT INTO messages (chat_id, user_id, sender, status, updated_at)
       SELECT ?, ?, 'assistant', 'streaming', now() - interval '40 minutes' - n * interval '1 second' FROM generate_series(1, 501) AS n RETURNING id`,
      [chatId, user.id],
    )).rows.map((r: { id: string }) => r.id) as string[];
    await ai.queue.addBulk(alive.map((id) => ({
      name: 'ai.chat-reply', data: { message_id: id, reply_to: question.id, chat_id: chatId, user_id: user.id }, opts: { jobId: replyJobId(id), delay: 3_600_000 },
    })));
    const lost = await stuckReply(user.id, chatId, 30);
    const emitter = createEmitter(ai.redis, rt.t.prefix);
    await sweepStuckReplies({ db, emitter, replyJobAlive: (id) => replyJobAlive(ai.queue, id), stuckAfterSeconds: 600 });
    expect((await db('messages').where({ id: lost.replyId }).first()).status).toBe('failed');
    expect(new Set(await db('messages').whereIn('id', alive).pluck('status'))).toEqual(new Set(['streaming']));
  });
});
