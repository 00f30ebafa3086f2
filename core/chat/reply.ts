/**
 * The reply stage: builds the context from the masked history, answers from ai_cache or
 * through the orchestrator while streaming deltas, then stores the assistant message once.
 *
 * Exactly once: the assistant row exists from the start (one per question: reply_to is
 * UNIQUE) and is completed by a conditional update; a rerun after that only re-announces it.
 * A rerun before it (a crashed worker, a retry) restarts the answer: see reply-stream.ts.
 * A stop (reply-stop.ts) aborts the provider call and completes the reply with what streamed.
 */
import type { Emitter } from '../emitter.js';
import type { RedisClient } from '../redis.js';
import { estimateUsage, type AiConfig, type CompletionRequest, type CompletionResult, type Orchestrator, type Usage } from '../ai/index.js';
import type { Db } from '../db/knex.js';
import type { Message } from '../db/models/index.js';
import { rawPrepared } from '../db/prepared.js';
import { createAnswerCache } from './cache.js';
import { buildContext, HISTORY_LIMIT, passagesForModel, type HistoryItem } from './context.js';
import { chatDocumentIdsSql, citeAnswer, type PassageSource } from './rag.js';
import { lexedWordsSql, type LexedWord } from '../search/query.js';
import { completeReply, dayOf, type Charge } from './fair-use.js';
import { ACCOUNT_BLOCKED } from './account-blocked.js';
import { toPublicMessage } from './messages.js';
import { endedEvent } from './replay.js';
import { AttemptSuperseded, openReplyPublisher, readReplyEvents, type ReplyPublisher } from './reply-stream.js';
import { STOPPED_UNANSWERED, type ReplyStops } from './reply-stop.js';
import { domesticOnlySql } from '../privacy/consents.js';
import { chatRoom, userRoom } from '../rooms.js';
import { replies } from '../telemetry/metrics.js';

export interface ReplyDeps {
  db: Db;
  redis: RedisClient;
  emitter: Emitter;
  prefix: string;
  ai: Orchestrator;
  aiConfig: AiConfig;
  cacheTtlSeconds: number;
  /** Retrieval (RAG): numbered passages from the chat's documents and the law library. */
  passages: PassageSource;
  /** Stop requests of the replies this process runs. */
  stops: Pick<ReplyStops, 'watch'>;
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
  /**
   * Whether this run may still end the reply: it still holds its job's lock (set by the
   * processor), then, once it opened its attempt, no other run has opened a newer one. A run
   * that lost its job's lock must leave the reply alone.
   */
  mayEnd?: () => Promise<boolean>;
}

type TurnRow = Message & { owner_status: string; domestic_only: boolean; history: HistoryItem[] | null; document_ids: string[]; lexed: LexedWord[] | null };

/**
 * In one statement: marks an open reply `streaming`, and reads the reply, its question,
 * whether their owner may still be served, the chat's last HISTORY_LIMIT completed messages
 * up to the question (the rows read are as they were before the mark), and what retrieval
 * needs: the chat's documents and the question's words, lexed.
 */
async function loadTurn(db: Db, p: ReplyJob) {
  const { rows } = await rawPrepared<{ rows: TurnRow[] }>(
    db,
    `WITH streaming AS (UPDATE messages SET status = 'streaming', updated_at = now() WHERE id = ? AND status IN ('queued', 'streaming')),
     turn AS (SELECT m.*, u.status AS owner_status, ${domesticOnlySql('u.id')} AS domestic_only FROM messages m JOIN users u ON u.id = m.user_id WHERE m.id IN (?, ?)),
     history AS (
       SELECT sender, content, created_at, id FROM messages
       WHERE chat_id = ? AND status = 'completed' AND content <> ''
         AND created_at <= (SELECT created_at FROM turn WHERE id = ?)
       ORDER BY created_at DESC, id DESC LIMIT ?
     )
     SELECT turn.*, (SELECT json_agg(json_build_object('sender', h.sender, 'content', h.content) ORDER BY h.created_at, h.id) FROM history h) AS history,
       ${chatDocumentIdsSql} AS document_ids,
       CASE WHEN turn.id = ? AND turn.content IS NOT NULL THEN ${lexedWordsSql('turn.content')} END AS lexed
     FROM turn`,
    [p.message_id, p.message_id, p.reply_to, p.chat_id, p.reply_to, HISTORY_LIMIT, p.user_id, p.chat_id, p.chat_id, p.reply_to],
  );
  const reply = rows.find((m) => m.id === p.message_id);
  const question = rows.find((m) => m.id === p.reply_to);
  return {
    reply, question, ownerActive: reply?.owner_status === 'active', domesticOnly: Boolean(reply?.domestic_only), history: question?.history ?? [],
    documentIds: question?.document_ids ?? [], lexed: question?.lexed ?? undefined,
  };
}

/** A reply that already ended (a rerun, or a block that cancelled it) is only re-announced. */
function announceEnded(deps: Pick<ReplyDeps, 'emitter'>, p: ReplyJob, reply: Message) {
  const ended = endedEvent(p.chat_id, reply);
  if (ended) deps.emitter.to([chatRoom(p.chat_id), userRoom(p.user_id)]).emit(ended.event, ended.data);
  return { skipped: `already ${reply.status}` };
}

export async function runReply(deps: ReplyDeps, p: ReplyJob, run: ReplyRun) {
  const stop = deps.stops.watch(p.message_id);
  try {
    return await answer(deps, p, run, stop.signal, stop.checked);
  } finally {
    stop.release();
  }
}

async function answer(deps: ReplyDeps, p: ReplyJob, run: ReplyRun, stop: AbortSignal, stopChecked: Promise<void>) {
  const [{ reply, question, ownerActive, domesticOnly, history, documentIds, lexed }] = await Promise.all([loadTurn(deps.db, p), stopChecked]);
  if (!reply) return { skipped: 'reply gone' };
  if (reply.status === 'completed' || reply.status === 'failed') return announceEnded(deps, p, reply);
  if (!ownerActive) {
    await failReply(deps, p, ACCOUNT_BLOCKED);
    return { skipped: 'account blocked' };
  }
  if (stop.aborted) {
    // Stopped while no run held it (the one streaming died): it ends with what that run streamed.
    const shown = await streamedText(deps, reply.id);
    const publisher = await openReplyPublisher(deps, { chatId: p.chat_id, userId: p.user_id, messageId: reply.id });
    return completeStopped(deps, p, reply.id, publisher, { text: shown, meta: STOPPED_UNANSWERED, charge: { kind: 'none' } });
  }
  if (!question || question.status !== 'completed') throw new QuestionNotReady('the question is not masked yet');

  // The reply is open and its question masked: this run answers it, so its attempt opens
  // while the passages are found (one round trip less before the provider is called).
  const [passages, publisher] = await Promise.all([
    deps.passages({ userId: p.user_id, question: question.content ?? '', documentIds, ...(lexed ? { lexed } : {}) }),
    openReplyPublisher(deps, { chatId: p.chat_id, userId: p.user_id, messageId: reply.id }).then((opened) => {
      // From here this run's own attempt is the one to fail, whatever fails next.
      run.publisher = opened;
      run.mayEnd = () => opened.current();
      return opened;
    }),
  ]);
  const messages = buildContext(history, passages);
  const cache = createAnswerCache(deps.db, deps.aiConfig, deps.cacheTtlSeconds);
  const cached = await cache.lookup(p.user_id, deps.ai.providers(), messages);

  let result: StreamedResult;
  if (cached) {
    await publisher.started(cached.provider, cached.model, { cached: true });
    await publisher.delta(cached.text);
    result = cached;
  } else if (stop.aborted) {
    return completeStopped(deps, p, reply.id, publisher, { text: '', meta: { ...STOPPED_UNANSWERED, attempt: publisher.attempt }, charge: { kind: 'none' } });
  } else {
    result = await completeStreaming(deps.ai, { messages, passages: passagesForModel(passages), domesticOnly }, publisher, stop);
  }
  if (result.stopped) {
    // The text as the client saw it: markers are not cleaned, only valid ones give citations.
    const { stopped } = result;
    // As for a whole answer: a stand-in's part is free and gives the message back.
    const degraded = Boolean(stopped.started?.degraded);
    const meta = {
      ...(stopped.started ?? {}), usage: degraded ? STOPPED_UNANSWERED.usage : stopped.usage, cached: false, stopped: true,
      citations: citeAnswer(stopped.text, passages).citations, attempt: publisher.attempt,
    };
    const charge: Charge = !stopped.started ? { kind: 'none' }
      : degraded ? { kind: 'give_back', userId: p.user_id, day: dayOf(question.created_at) }
      : { kind: 'tokens', userId: p.user_id, usage: stopped.usage, provider: stopped.started.provider };
    return completeStopped(deps, p, reply.id, publisher, { text: stopped.text, meta, charge });
  }

  // Only passages that were given can be cited, each quote verbatim; stray markers are removed.
  const cited = citeAnswer(result.text, passages);
  // A stand-in answer (degraded) costs nothing: no tokens, and the question's message is given back.
  const free = Boolean(cached) || Boolean(result.degraded);
  const meta = {
    provider: result.provider,
    model: result.model,
    usage: free ? { input_tokens: 0, output_tokens: 0 } : result.usage,
    cached: Boolean(cached),
    ...(result.degraded ? { degraded: true } : {}),
    citations: cited.citations,
    attempt: publisher.attempt,
  };
  const charge: Charge = result.degraded
    ? { kind: 'give_back', userId: p.user_id, day: dayOf(question.created_at) }
    : free ? { kind: 'none' } : { kind: 'tokens', userId: p.user_id, usage: result.usage, provider: result.provider };
  const stored = (await completeReply(deps.db, reply.id, { content: cited.text, meta }, charge)) as Message | undefined;
  if (!stored) {
    // Another run completed it, or it was cancelled (the account was blocked) while streaming.
    const now = (await deps.db('messages').where({ id: reply.id }).first()) as Message;
    return announceEnded(deps, p, now);
  }
  if (!cached) await cache.store(p.user_id, messages, result);
  replies.inc({ outcome: cached ? 'cached' : result.degraded ? 'degraded' : 'completed', code: '' });
  await publisher.completed(toPublicMessage(stored));
  return { provider: result.provider, cached: Boolean(cached), degraded: Boolean(result.degraded), attempt: publisher.attempt };
}

/** What streamed before a stop: the text published, and the provider that produced it, if one started. */
export interface StoppedStream {
  text: string;
  started?: { provider: string; model: string; degraded?: true };
  usage: Usage;
}

/** An answer, or (`stopped`) what streamed of it before its owner stopped it. */
export type StreamedResult = CompletionResult & { stopped?: undefined } | { stopped: StoppedStream };

/** Stores a stopped reply (unless it has ended meanwhile) and announces it. */
async function completeStopped(deps: ReplyDeps, p: ReplyJob, replyId: string, publisher: ReplyPublisher, stopped: { text: string; meta: object; charge: Charge }) {
  const stored = (await completeReply(deps.db, replyId, { content: stopped.text, meta: stopped.meta }, stopped.charge)) as Message | undefined;
  if (!stored) return announceEnded(deps, p, (await deps.db('messages').where({ id: replyId }).first()) as Message);
  replies.inc({ outcome: 'stopped', code: '' });
  await publisher.completed(toPublicMessage(stored));
  return { stopped: true, attempt: publisher.attempt };
}

/** The text the reply's current attempt has streamed, from its stream. */
async function streamedText(deps: Pick<ReplyDeps, 'redis' | 'prefix'>, replyId: string): Promise<string> {
  const events = await readReplyEvents(deps.redis, deps.prefix, replyId);
  return events.filter((e) => e.event === 'reply.delta').map((e) => String(e.data.delta ?? '')).join('');
}

/**
 * Streams through the orchestrator; each event is stored and emitted in order. When a newer
 * attempt supersedes this one, the provider call is aborted and AttemptSuperseded surfaces.
 * When `stop` aborts, so does the provider call, no delta is published after it, and the
 * result is what was published.
 */
export async function completeStreaming(
  ai: Orchestrator, request: Pick<CompletionRequest, 'messages' | 'passages' | 'domesticOnly'>, publisher: ReplyPublisher, stop?: AbortSignal,
): Promise<StreamedResult> {
  const controller = new AbortController();
  const onStop = () => controller.abort(stop?.reason);
  stop?.addEventListener('abort', onStop, { once: true });
  // Each event is sent as it comes, not after the one before is stored: the connection keeps
  // them in order (and once a newer attempt opened, the fence refuses every later one), so
  // the first delta leaves with `reply.started` and a burst of deltas shares a write.
  let sent = Promise.resolve();
  let failure: unknown;
  const send = (event: Promise<void>, onStored?: () => void) => {
    const stored = event.then(onStored, (err: unknown) => {
      failure ??= err;
      if (err instanceof AttemptSuperseded) controller.abort(err);
    });
    sent = sent.then(() => stored);
  };
  let started: StoppedStream['started'];
  let shown = '';
  let result: CompletionResult | undefined;
  let providerError: unknown;
  try {
    result = await ai.complete(
      { ...request, signal: controller.signal },
      {
        onStart: (provider, model, standIn) => {
          started = { provider, model, ...standIn };
          send(publisher.started(provider, model));
        },
        onDelta: (text) => {
          if (!stop?.aborted) send(publisher.delta(text), () => (shown += text));
        },
      },
    );
  } catch (err) {
    providerError = err;
  } finally {
    stop?.removeEventListener('abort', onStop);
  }
  // Even when the provider throws: the deltas already sent must reach the stream before
  // the caller publishes reply.failed, or the failure would overtake them.
  await sent;
  if (failure instanceof AttemptSuperseded) throw failure;
  if (stop?.aborted && failure === undefined) {
    // Tokens of a stream cut short are not reported: estimated, as for a provider that reports none.
    return { stopped: { text: shown, ...(started ? { started } : {}), usage: started ? estimateUsage(request.messages, shown) : STOPPED_UNANSWERED.usage } };
  }
  if (providerError !== undefined) throw providerError;
  if (failure !== undefined) throw failure;
  return result as CompletionResult;
}

/**
 * Marks the reply failed for good and tells the clients. A run that another run has overtaken
 * since (it lost its job's lock: `run.mayEnd`) leaves the reply to that one: its failure is its own.
 */
export async function failReply(deps: Pick<ReplyDeps, 'db' | 'emitter'>, p: ReplyJob, error: { code: string; detail: string }, run: ReplyRun = {}) {
  if (run.mayEnd && !(await run.mayEnd())) return;
  const { publisher } = run;
  const [row] = await deps.db('messages')
    .where({ id: p.message_id })
    .whereIn('status', ['queued', 'streaming'])
    .update({ status: 'failed', meta: JSON.stringify({ error }), updated_at: deps.db.fn.now() })
    .returning('id');
  if (!row) return;
  replies.inc({ outcome: 'failed', code: error.code });
  if (publisher) await publisher.failed(error);
  else deps.emitter.to([chatRoom(p.chat_id), userRoom(p.user_id)]).emit('reply.failed', { chat_id: p.chat_id, message_id: p.message_id, error });
}

/** Fails the reply and, when masking never finished, its question too: neither may stay open. */
export async function failQuestionAndReply(deps: Pick<ReplyDeps, 'db' | 'emitter'>, p: ReplyJob, error: { code: string; detail: string }) {
  await deps.db('messages').where({ id: p.reply_to, status: 'pending' }).update({ status: 'failed', updated_at: deps.db.fn.now() });
  await failReply(deps, p, error);
}
