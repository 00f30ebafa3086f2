/**
 * A chat question is masked and answered by one job, `ai.chat-reply`. Masking happens once:
 * a retry of the job, or the same job delivered again, finds the question masked and masks
 * nothing; a masking failure for good fails the question and its reply together.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSealer } from '../../../core/chat/seal.js';
import { dlpScanDuration } from '../../../core/telemetry/metrics.js';
import { replyJobId } from '../../../pipelines/chat-reply.js';
import { fakeProviderEnv, startFakeOpenAI, type FakeProvider } from '../../helpers/fake-providers/index.js';
import { registerUser } from '../../helpers/http.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { ask, following, messagesOf, newChat, openQueue, waitFor } from '../../e2e/chat/harness.js';

const ANSWER = 'Ответ юриста-ассистента.';
const QUESTION = 'Мой телефон +7 916 555-44-33, меня уволили. Что делать?';
const key = randomBytes(32);

let openai: FakeProvider;
let rt: TestRuntime;
let ai: ReturnType<typeof openQueue>;

beforeAll(async () => {
  openai = await startFakeOpenAI({ defaultStep: { kind: 'text', text: ANSWER, chunks: 3 } });
  rt = await startTestRuntime('replyjob', {
    env: { ...fakeProviderEnv({ openai }), ENCRYPTION_KEY: key.toString('base64'), CHAT_REPLY_ATTEMPTS: '3', AI_MAX_RETRIES: '0', AI_CIRCUIT_FAILURES: '50' },
  });
  ai = openQueue('ai', rt.t.prefix);
});

afterAll(async () => {
  await ai?.close();
  await rt?.close();
  await openai?.close();
});

/** Texts masked in this process so far (the workers run in it). */
async function maskings(): Promise<number> {
  return (await dlpScanDuration.get()).values.find((v) => v.metricName === 'dlp_scan_duration_seconds_count')?.value ?? 0;
}

/** What a second masking would change: the question's row and the chat's sealed registry (a save reseals it). */
async function maskedState(questionId: string, chatId: string) {
  const db = Model.knex();
  const question = await db('messages').where({ id: questionId }).first('content', 'status', 'meta', 'updated_at');
  const vault = await db('pii_vaults').where({ scope_type: 'chat', scope_id: chatId }).first('sealed');
  const count = await db('messages').where({ chat_id: chatId }).count<{ count: string }[]>('* as count');
  return { question, registry: vault?.sealed as string, messages: Number(count[0]!.count) };
}

describe('the reply job', () => {
  it('masks the question once: neither a retry after a failed answer nor a second delivery masks it again or adds anything', async () => {
    const user = await registerUser(rt.url, 'once');
    const chatId = await newChat(rt.url, user.token);
    const calls = openai.calls;
    // The first answer fails (retryable): the job's second attempt answers.
    openai.script({ kind: 'error', status: 500 });
    await following(rt.url, user.token, chatId, async (client) => {
      const before = await maskings();
      const { message, reply } = await ask(rt.url, user.token, chatId, QUESTION);
      const done = await client.first('reply.completed', reply.id);
      expect(done.message).toMatchObject({ content: ANSWER, meta: { attempt: 2 } });
      expect(openai.calls - calls).toBe(2);
      expect(await maskings()).toBe(before + 1);
      const masked = await maskedState(message.id, chatId);
      expect(masked.question).toMatchObject({ status: 'completed', content: expect.stringContaining('[PHONE_1]'), meta: { pii: { count: 1 } } });
      expect(masked.messages).toBe(2);

      // The same job delivered again (as after a lost lock): it finds the question masked and the reply done.
      const job = (await ai.queue.getJob(replyJobId(reply.id)))!;
      await job.retry('completed');
      await waitFor('the job to run again', async () => (await job.getState()) === 'completed' && (await ai.queue.getJob(job.id!))!.finishedOn! > job.finishedOn!);
      expect(await maskings()).toBe(before + 1);
      expect(await maskedState(message.id, chatId)).toEqual(masked);
      expect(openai.calls - calls).toBe(2);
      // Announced again, unchanged: a client keeps one message per id.
      const created = client.of('message.created', message.id);
      expect(created.length).toBeGreaterThanOrEqual(2);
      expect(new Set(created.map((e) => JSON.stringify(e.message))).size).toBe(1);
      expect(client.of('reply.completed', reply.id).map((e) => e.message.content)).toEqual([ANSWER, ANSWER]);
      const stored = await messagesOf(rt.url, user.token, chatId);
      expect(stored.map((m) => [m.id, m.status])).toEqual([[message.id, 'completed'], [reply.id, 'completed']]);
    });
  });

  it('a masking failure for good fails the question and the reply with dlp_failed, and no provider is asked', async () => {
    const user = await registerUser(rt.url, 'maskfail');
    const chatId = await newChat(rt.url, user.token);
    const db = Model.knex();
    // The rows askQuestion writes, and a job whose sealed text was sealed for another message:
    // it cannot be opened, so the question cannot be masked (a DLP error, not retryable).
    const [question] = await db('messages').insert({ chat_id: chatId, user_id: user.id, sender: 'user', status: 'pending' }).returning('id');
    const [reply] = await db('messages').insert({ chat_id: chatId, user_id: user.id, sender: 'assistant', status: 'queued', reply_to: question.id }).returning('id');
    const calls = openai.calls;
    await following(rt.url, user.token, chatId, async (client) => {
      const sealed = createSealer(key).seal(QUESTION, randomUUID());
      await ai.queue.add('ai.chat-reply', { message_id: reply.id, reply_to: question.id, chat_id: chatId, user_id: user.id, sealed }, { jobId: replyJobId(reply.id), attempts: 3 });
      const failed = await client.first('reply.failed', reply.id);
      expect(failed).toEqual({ chat_id: chatId, message_id: reply.id, error: { code: 'dlp_failed', detail: 'the message could not be masked' } });
      const job = (await ai.queue.getJob(replyJobId(reply.id)))!;
      await waitFor('the job to fail', async () => (await job.getState()) === 'failed');
      expect((await ai.queue.getJob(job.id!))!.attemptsMade).toBe(1); // not retried
      const stored = await messagesOf(rt.url, user.token, chatId);
      // Nothing was masked, so the question holds no text at all.
      expect(stored.map((m) => [m.id, m.status, m.content])).toEqual([[question.id, 'failed', undefined], [reply.id, 'failed', undefined]]);
      expect(stored[1].meta).toEqual({ error: { code: 'dlp_failed', detail: 'the message could not be masked' } });
    });
    expect(openai.calls).toBe(calls);
  });
});
