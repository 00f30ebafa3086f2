import { UnrecoverableError } from 'bullmq';
import { describeFailure, isLastAttempt } from '../core/chat/failures.js';
import { maskUserMessage } from '../core/chat/mask-message.js';
import { failQuestionAndReply } from '../core/chat/reply.js';
import { createSealer } from '../core/chat/seal.js';
import { defineProcessor } from './processor.js';

/** Masks a user's chat message; when masking fails for good, the question and its reply fail. */
export default defineProcessor({
  name: 'dlp.mask-message',
  async process(p, ctx) {
    const { db, emitter, secrets, job, log } = ctx;
    try {
      return await maskUserMessage({ db, emitter, sealer: createSealer(secrets.encryptionKey), encryptionKey: secrets.encryptionKey }, p);
    } catch (err) {
      const failure = describeFailure(err);
      log.warn({ code: failure.code, err: (err as Error).name }, 'masking failed');
      if (!failure.retryable || isLastAttempt(job)) {
        const reply = { message_id: p.reply_id, reply_to: p.message_id, chat_id: p.chat_id, user_id: p.user_id };
        await failQuestionAndReply(ctx, reply, { code: failure.code, detail: failure.detail });
      }
      throw failure.retryable ? err : new UnrecoverableError(failure.code);
    }
  },
});
