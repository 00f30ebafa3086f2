import { runErasure } from '../core/privacy/erase.js';
import { userRoom } from '../core/rooms.js';
import { announcePrivacy } from './privacy-notify.js';
import { defineProcessor } from './processor.js';
import { reviewEffects } from './review-deps.js';

/**
 * Runs or resumes an erasure; retried until it finishes (every step is idempotent). Each step
 * reaches the owner's sockets, left open by the erasure's block; once it is completed, and
 * announced, they are closed (published after the announcement, on the same connection, so
 * they close after it).
 */
export default defineProcessor({
  name: 'privacy.erase',
  async process(payload, ctx) {
    const done = await runErasure(
      {
        db: ctx.db, storage: ctx.storage, redis: ctx.redis, prefix: ctx.queues.prefix, queues: ctx.queues.all(), log: ctx.log,
        reviews: reviewEffects(ctx),
        stripe: ctx.payments.stripe,
      },
      payload.request_id,
      (request) => announcePrivacy(ctx, request),
    );
    if (done.status === 'completed') ctx.emitter.in(userRoom(done.user_id)).disconnectSockets(true);
    ctx.log.info({ request_id: done.id, status: done.status }, 'erasure finished');
    return { status: done.status };
  },
});
