/**
 * What changing an account does outside the database: every API node drops the user from
 * its cache, and the change's answer waits until all have. Reviews the change handed back
 * (a lawyer blocked or given another role) are announced and routed; a failure there is
 * logged, not answered, since the change is committed and the minute's `reviews.route-pending`
 * routes them all the same. Blocking also closes every socket of the user on
 * every API node (through the Socket.IO Redis adapter's channel), but an erasure's (its owner
 * follows it on the sockets open, which refuse every client event of a blocked user; the
 * erasure closes them when it completes), and their queued AI jobs
 * are removed with their children. A job already running finds the account blocked, or its
 * reply already failed, and ends without answering (see core/chat/reply.ts).
 */
import { createEmitter } from '../core/emitter.js';
import type { RedisClient } from '../core/redis.js';
import type { AccountEffects } from '../core/auth/accounts.js';
import { publishUserChanged, type UserCache } from '../core/auth/user-cache.js';
import { completeJobId, createCompletionSlots } from '../core/chat/complete-inflight.js';
import type { Logger } from '../core/log.js';
import { announceChanged } from '../core/reviews/work.js';
import { userRoom } from '../core/rooms.js';
import { replyJobId } from './chat-reply.js';
import type { Queues } from './queues.js';
import { createReviewEffects } from './reviews.js';

export function createAccountEffects(deps: { redis: RedisClient; queues: Queues; log: Logger; users?: Pick<UserCache, 'forget'> }): AccountEffects {
  const ai = deps.queues.get('ai');
  const emitter = createEmitter(deps.redis, deps.queues.prefix);
  const slots = createCompletionSlots(ai, deps.redis, deps.queues.prefix);
  const reviews = createReviewEffects({ queues: deps.queues, emitter, redis: deps.redis });
  return {
    async changed(userId, handedBack) {
      deps.users?.forget(userId);
      if (!(await publishUserChanged(deps.redis, deps.queues.prefix, userId))) {
        deps.log.warn('a user change was not confirmed by every API node (one did not answer, or Redis failed): a node may serve the old role or status until its cache entry expires');
      }
      await announceChanged(reviews, handedBack).catch((err: Error) =>
        deps.log.warn({ err: err.message, reviews: handedBack.length }, 'handed-back reviews not announced or routed: left to the minute sweep'));
    },
    async blocked(userId, cancelledReplyIds, { closeSockets }) {
      if (closeSockets) emitter.in(userRoom(userId)).disconnectSockets(true);
      const jobIds = [...cancelledReplyIds.map(replyJobId), ...(await slots.reserved(userId)).map(completeJobId)];
      const removed = await Promise.all(jobIds.map(async (id) => {
        const job = await ai.getJob(id);
        // A running job holds its lock and cannot be removed: it stops on its own.
        return job ? job.remove().then(() => 1, () => 0) : 0;
      }));
      deps.log.info({ cancelled_jobs: removed.reduce((a: number, b) => a + b, 0) }, closeSockets ? 'blocked account: sockets closed, queued jobs removed' : 'account blocked for erasure: queued jobs removed, sockets kept for its progress');
    },
  };
}
