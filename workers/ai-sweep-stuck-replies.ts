import { purgeExpired, sweepStuckReplies } from '../core/chat/sweeper.js';
import { replyJobAlive } from '../pipelines/chat-reply.js';
import { defineProcessor } from './processor.js';

/** Fails replies whose jobs died for good, so no chat waits forever, and purges expired rows. Idempotent; scheduled. */
export default defineProcessor({
  name: 'ai.sweep-stuck-replies',
  async process(_payload, { db, emitter, queues, config, log }) {
    const failed = await sweepStuckReplies({ db, emitter, replyJobAlive: (id) => replyJobAlive(queues.get('ai'), id), stuckAfterSeconds: config.chat.stuckAfterSeconds });
    if (failed) log.warn({ failed }, 'stuck replies failed');
    const purged = await purgeExpired(db);
    return { failed, purged };
  },
});
