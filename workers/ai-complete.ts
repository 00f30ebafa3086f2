import { UnrecoverableError } from 'bullmq';
import { runCompletion } from '../core/chat/complete.js';
import { describeFailure } from '../core/chat/failures.js';
import { createSealer } from '../core/chat/seal.js';
import { defineProcessor } from './processor.js';

/** POST /api/ai/complete: its result (masked text only) is the job's return value. */
export default defineProcessor({
  name: 'ai.complete',
  async process(p, ctx) {
    const { config, secrets } = ctx;
    try {
      return await runCompletion(
        { ...ctx, aiConfig: config.ai, cacheTtlSeconds: config.chat.cacheTtlSeconds, sealer: createSealer(secrets.encryptionKey) },
        p,
      );
    } catch (err) {
      const failure = describeFailure(err);
      throw failure.retryable ? new Error(failure.code) : new UnrecoverableError(failure.code);
    }
  },
});
