/**
 * An answer the offline provider gives in place of failed providers is free and gives the
 * question's message back (degraded.test.ts); so is the part of one that its owner stopped
 * midway. The stand-in here streams slowly, so the stop lands while it streams.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aiConfigFromEnv } from '../../../core/ai/config.js';
import { ProviderError } from '../../../core/ai/errors.js';
import { createOrchestrator } from '../../../core/ai/orchestrator.js';
import { createOfflineProvider } from '../../../core/ai/providers/offline.js';
import type { AiProvider } from '../../../core/ai/types.js';
import { noPassages } from '../../../core/chat/rag.js';
import { readReplyEvents } from '../../../core/chat/reply-stream.js';
import { ReplyStopped } from '../../../core/chat/reply-stop.js';
import { runReply } from '../../../core/chat/reply.js';
import { migrate, type Db } from '../../../core/db/knex.js';
import { createEmitter } from '../../../core/emitter.js';
import { waitFor } from '../../e2e/chat/harness.js';
import { testEnv, type TestEnv } from '../../helpers/env.js';
import { REDIS_URL } from '../../helpers/services.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const aiConfig = aiConfigFromEnv({ OPENAI_API_KEY: 'k', AI_MAX_RETRIES: '0', AI_PROVIDERS: 'openai,offline' });

/** An openai that is down. */
const down: AiProvider = {
  name: 'openai',
  model: 'gpt',
  // eslint-disable-next-line require-yield
  async *stream() {
    throw new ProviderError('Internal Server Error', { code: 'upstream_error', status: 500, retryable: true });
  },
};

/** The offline provider, a paragraph every 50 ms. */
function slowOffline(): AiProvider {
  const offline = createOfflineProvider();
  return {
    ...offline,
    async *stream(req, credential) {
      for await (const event of offline.stream(req, credential)) {
        yield event;
        await sleep(50);
      }
    },
  };
}

let t: TestEnv;
let db: Db;
let redis: Redis;

beforeAll(async () => {
  t = testEnv('stoppedstandin');
  db = t.db(4);
  await migrate(db, t.schema);
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  redis?.disconnect();
  await db?.destroy();
  await t?.cleanup();
});

describe('a stand-in answer stopped midway', () => {
  it('keeps what streamed, says degraded, charges no tokens and gives the message back', async () => {
    const [user] = await db('users').insert({ email: `${randomUUID()}@x.test`, password_hash: 'x' }).returning('id');
    const [chat] = await db('chats').insert({ user_id: user.id, title: 'Чат' }).returning('id');
    const [question] = await db('messages')
      .insert({ chat_id: chat.id, user_id: user.id, sender: 'user', status: 'completed', content: 'Как вернуть залог за квартиру?' }).returning(['id', 'created_at']);
    const [reply] = await db('messages').insert({ chat_id: chat.id, user_id: user.id, sender: 'assistant', status: 'queued', reply_to: question.id }).returning('id');
    const day = new Date(question.created_at).toISOString().slice(0, 10);
    await db('ai_usage_daily').insert({ user_id: user.id, day, messages: 1 }); // the admission counted the question

    const stop = new AbortController();
    const deps = {
      db, redis, emitter: createEmitter(redis, t.prefix), prefix: t.prefix,
      ai: createOrchestrator(aiConfig, pino({ level: 'silent' }), { providers: [down, slowOffline()] }),
      aiConfig, cacheTtlSeconds: 3600, passages: noPassages,
      stops: { watch: () => ({ signal: stop.signal, checked: Promise.resolve(), release: () => undefined }) },
    };
    const job = { message_id: reply.id, reply_to: question.id, chat_id: chat.id, user_id: user.id };
    const running = runReply(deps, job, {});
    const deltas = async () => (await readReplyEvents(redis, t.prefix, reply.id)).filter((e) => e.event === 'reply.delta');
    await waitFor('the stand-in to stream', async () => ((await deltas()).length > 0 ? true : undefined));
    stop.abort(new ReplyStopped('stopped by its owner'));
    expect(await running).toMatchObject({ stopped: true });

    const stored = await db('messages').where({ id: reply.id }).first();
    const shown = (await deltas()).map((e) => String(e.data.delta)).join('');
    expect(stored.status).toBe('completed');
    expect(stored.content).toBe(shown);
    expect(stored.content).toMatch(/^Сейчас ответ подготовлен в автономном режиме/);
    expect(stored.meta).toMatchObject({ provider: 'offline', degraded: true, stopped: true, usage: { input_tokens: 0, output_tokens: 0 } });
    const usage = await db('ai_usage_daily').where({ user_id: user.id }).first();
    expect([usage.messages, Number(usage.input_tokens), Number(usage.output_tokens)]).toEqual([0, 0, 0]);
    expect(await db('ai_usage_provider_daily').where({ user_id: user.id })).toEqual([]);
  });
});
