import { UnrecoverableError } from 'bullmq';
import { describeFailure, isLastAttempt } from '../core/chat/failures.js';
import { failReply, runReply, type ReplyRun } from '../core/chat/reply.js';
import { AttemptSuperseded, jobLockHeld } from '../core/chat/reply-stream.js';
import { defineProcessor } from './processor.js';

/** Answers a masked question, streaming; a non-retryable error or the last attempt fails the reply. */
export default defineProcessor({
  name: 'ai.chat-reply',
  async process(p, ctx) {
    const { config, job, log } = ctx;
    const run: ReplyRun = { mayEnd: jobLockHeld(ctx.redis, job) };
    try {
      return await runReply(
        { ...ctx, prefix: config.redis.queuePrefix, aiConfig: config.ai, cacheTtlSeconds: config.chat.cacheTtlSeconds },
        p,
        run,
      );
    } catch (err) {
      // Another worker took the job over (this one lost its lock): the reply is its now.
      if (err instanceof AttemptSuperseded) {
        log.warn({ err: err.message }, 'reply attempt superseded; stopped streaming');
        throw err;
      }
      const failure = describeFailure(err);
      log.warn({ code: failure.code, err: (err as Error).message }, 'reply attempt failed');
      if (!failure.retryable || isLastAttempt(job)) await failReply(ctx, p, { code: failure.code, detail: failure.detail }, run);
      throw failure.retryable ? err : new UnrecoverableError(failure.code);
    }
  },
});
