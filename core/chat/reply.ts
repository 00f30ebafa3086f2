/**
 * The reply stage: builds the context from the masked history, answers from ai_cache or
 * through the orchestrator while streaming deltas, then stores the assistant message once.
 *
 * Exactly once: the assistant row exists from the start (one per question: reply_to is
 * UNIQUE) and is completed by a conditional update; a rerun after that only re-announces it.
 * A rerun before it (a crashed worker, a retry) restarts the answer: see reply-stream.ts.
 */
import type { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';
import type { AiConfig, ChatMessage, CompletionResult, Orchestrator } from '../ai/index.js';
import type { Db } from '../db/knex.js';
import { Message } from '../db/models/index.js';
import { createAnswerCache } from './cache.js';
import { buildContext, HISTORY_LIMIT, type CitationSource, type HistoryItem } from './context.js';
import { recordUsage } from './fair-use.js';
import { toPublicMessage } from './messages.js';
import { openReplyPublisher, type ReplyPublisher } from './reply-stream.js';
import { chatRoom, userRoom } from '../rooms.js';

export interface ReplyDeps {
  db: Db;
  redis: Redis;
  emitter: Emitter;
  prefix: string;
  ai: Orchestrator;
  aiConfig: AiConfig;
  cacheTtlSeconds: number;
  citations: CitationSource;
}

export interface ReplyJob {
  message_id: string;
  reply_to: string;
  chat_id: string;
  user_id: string;
}

/** Thrown when the question is not masked yet: the reply job tries again later. */
export class QuestionNotReady extends Error {
  override name = 'QuestionNotReady';
}

export interface ReplyRun {
  /** Set once the attempt started publishing; used to report a failure on the same stream. */
  publisher?: ReplyPublisher;
}

async function loadHistory(db: Db, chatId: string, upTo: Message): Promise<HistoryItem[]> {
  const rows = await db('messages')
    .where({ chat_id: chatId, status: 'completed' })
    .whereNotNull('content')
    .where('created_at', '<=', upTo.created_at)
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .limit(HISTORY_LIMIT)
    .select('sender', 'content');
  return (rows as HistoryItem[]).reverse();
}

export async function runReply(deps: ReplyDeps, p: ReplyJob, run: ReplyRun) {
  const rows = await Message.query().findByIds([p.message_id, p.reply_to]);
  const reply = rows.find((m) => m.id === p.message_id);
  const question = rows.find((m) => m.id === p.reply_to);
  if (!reply) return { skipped: 'reply gone' };
  if (reply.status === 'completed' || reply.status === 'failed') {
    const event = reply.status === 'completed' ? 'reply.completed' : 'reply.failed';
    const data = reply.status === 'completed'
      ? { chat_id: p.chat_id, message: toPublicMessage(reply) }
      : { chat_id: p.chat_id, message_id: reply.id, error: reply.meta.error };
    deps.emitter.to([chatRoom(p.chat_id), userRoom(p.user_id)]).emit(event, data);
    return { skipped: `already ${reply.status}` };
  }
  if (!question || question.status !== 'completed') throw new QuestionNotReady('the question is not masked yet');

  const [history, citations] = await Promise.all([
    loadHistory(deps.db, p.chat_id, question),
    deps.citations({ userId: p.user_id, chatId: p.chat_id, question: question.content ?? '' }),
  ]);
  const messages = buildContext(history, citations);
  const cache = createAnswerCache(deps.db, deps.aiConfig, deps.cacheTtlSeconds);
  const [publisher, cached] = await Promise.all([
    openReplyPublisher(deps, { chatId: p.chat_id, userId: p.user_id, messageId: reply.id }),
    cache.lookup(p.user_id, deps.ai.providers(), messages),
    deps.db('messages').where({ id: reply.id }).whereIn('status', ['queued', 'streaming']).update({ status: 'streaming', updated_at: deps.db.fn.now() }),
  ]);
  run.publisher = publisher;

  let result: CompletionResult;
  if (cached) {
    await publisher.started(cached.provider, cached.model, { cached: true });
    await publisher.delta(cached.text);
    result = cached;
  } else {
    result = await completeStreaming(deps.ai, messages, publisher);
  }

  const meta = {
    provider: result.provider,
    model: result.model,
    usage: cached ? { input_tokens: 0, output_tokens: 0 } : result.usage,
    cached: Boolean(cached),
    citations,
    attempt: publisher.attempt,
  };
  const stored = await deps.db.transaction(async (trx) => {
    const [row] = await trx('messages')
      .where({ id: reply.id })
      .whereIn('status', ['queued', 'streaming'])
      .update({ content: result.text, status: 'completed', meta: JSON.stringify(meta), updated_at: trx.fn.now() })
      .returning('*');
    if (row && !cached) await recordUsage(trx, p.user_id, result.usage);
    return row as Message | undefined;
  });
  if (!cached) await cache.store(p.user_id, messages, result);
  const message = stored ?? (await Message.query().findById(reply.id))!;
  await publisher.completed(toPublicMessage(message));
  return { provider: result.provider, cached: Boolean(cached), attempt: publisher.attempt };
}

/** Streams through the orchestrator; each event is stored and emitted in order. */
export async function completeStreaming(ai: Orchestrator, messages: ChatMessage[], publisher: ReplyPublisher): Promise<CompletionResult> {
  let chain = Promise.resolve();
  let failure: unknown;
  const next = (step: () => Promise<void>) => {
    chain = chain.then(step).catch((err: unknown) => {
      failure ??= err;
    });
  };
  let result: CompletionResult;
  try {
    result = await ai.complete(
      { messages },
      { onStart: (provider, model) => next(() => publisher.started(provider, model)), onDelta: (text) => next(() => publisher.delta(text)) },
    );
  } finally {
    // Even when the provider throws: the deltas already sent must reach the stream before
    // the caller publishes reply.failed, or the failure would overtake them.
    await chain;
  }
  if (failure) throw failure;
  return result;
}

/** Marks the reply failed for good and tells the clients. */
export async function failReply(deps: Pick<ReplyDeps, 'db' | 'emitter'>, p: ReplyJob, error: { code: string; detail: string }, publisher?: ReplyPublisher) {
  const [row] = await deps.db('messages')
    .where({ id: p.message_id })
    .whereIn('status', ['queued', 'streaming'])
    .update({ status: 'failed', meta: JSON.stringify({ error }), updated_at: deps.db.fn.now() })
    .returning('id');
  if (!row) return;
  if (publisher) await publisher.failed(error);
  else deps.emitter.to([chatRoom(p.chat_id), userRoom(p.user_id)]).emit('reply.failed', { chat_id: p.chat_id, message_id: p.message_id, error });
}

/** Fails the reply and, when masking never finished, its question too: neither may stay open. */
export async function failQuestionAndReply(deps: Pick<ReplyDeps, 'db' | 'emitter'>, p: ReplyJob, error: { code: string; detail: string }) {
  await deps.db('messages').where({ id: p.reply_to, status: 'pending' }).update({ status: 'failed', updated_at: deps.db.fn.now() });
  await failReply(deps, p, error);
}
