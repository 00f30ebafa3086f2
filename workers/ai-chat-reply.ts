import { UnrecoverableError } from 'bullmq';
import { describeFailure, isLastAttempt } from '../core/chat/failures.js';
import { maskQuestion } from '../core/chat/mask-question.js';
import { failQuestionAndReply, failReply, runReply, type ReplyJob, type ReplyRun } from '../core/chat/reply.js';
import { AttemptSuperseded } from '../core/chat/reply-stream.js';
import { createSealer } from '../core/chat/seal.js';
import { defineProcessor, type ProcessorContext } from './processor.js';

/**
 * Masks the question (once: a rerun finds it masked), then answers it, streaming. A failure
 * that is not retryable, or on the last attempt, fails the reply, and the question with it
 * when it was never masked: a question that cannot be masked cannot be answered.
 */
export default defineProcessor({
  name: 'ai.chat-reply',
  async process(p, ctx) {
    const { sealed, ...reply } = p;
    await mask(ctx, reply, sealed);
    return answer(ctx, reply);
  },
});

async function mask(ctx: ProcessorContext, p: ReplyJob, sealed: string) {
  const { db, emitter, secrets, job, log } = ctx;
  const question = { message_id: p.reply_to, chat_id: p.chat_id, user_id: p.user_id, sealed };
  try {
    await maskQuestion({ db, emitter, sealer: createSealer(secrets.encryptionKey), encryptionKey: secrets.encryptionKey }, question);
  } catch (err) {
    const failure = describeFailure(err);
    log.warn({ code: failure.code, err: (err as Error).name }, 'masking failed');
    if (!failure.retryable || isLastAttempt(job)) await failQuestionAndReply(ctx, p, { code: failure.code, detail: failure.detail });
    throw failure.retryable ? err : new UnrecoverableError(failure.code);
  }
}

async function answer(ctx: ProcessorContext, p: ReplyJob) {
  const { config, job, log } = ctx;
  const run: ReplyRun = {};
  try {
    return await runReply({ ...ctx, prefix: config.redis.queuePrefix, aiConfig: config.ai, cacheTtlSeconds: config.chat.cacheTtlSeconds }, p, run);
  } catch (err) {
    // Another worker took the job over (this one lost its lock): the reply is its now.
    if (err instanceof AttemptSuperseded) {
      log.warn({ err: err.message }, 'reply attempt superseded; stopped streaming');
      throw err;
    }
    const failure = describeFailure(err);
    log.warn({ code: failure.code, err: (err as Error).message }, 'reply attempt failed');
    if (!failure.retryable || isLastAttempt(job)) await failReply(ctx, p, { code: failure.code, detail: failure.detail }, run.publisher);
    throw failure.retryable ? err : new UnrecoverableError(failure.code);
  }
}
