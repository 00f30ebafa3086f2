/**
 * What changing an account does outside the database: every API node drops the user from
 * its cache, and the change's answer waits until all have. Blocking also closes every socket of the user on
 * every API node (through the Socket.IO Redis adapter's channel), and their queued AI jobs
 * are removed with their children. A job already running finds the account blocked, or its
 * reply already failed, and ends without answering (see core/chat/reply.ts).
 */
import { createEmitter } from '../core/emitter.js';
import type { RedisClient } from '../core/redis.js';
import type { AccountEffects } from '../core/auth/accounts.js';
import { publishUserChanged, type UserCache } from '../core/auth/user-cache.js';
import { completeJobId, createCompletionSlots } from '../core/chat/complete-inflight.js';
import type { Logger } from '../core/log.js';
import { userRoom } from '../core/rooms.js';
import { replyJobId } from './chat-reply.js';
import type { Queues } from './queues.js';

export function createAccountEffects(deps: { redis: RedisClient; queues: Queues; log: Logger; users?: Pick<UserCache, 'forget'> }): AccountEffects {
  const ai = deps.queues.get('ai');
  const emitter = createEmitter(deps.redis, deps.queues.prefix);
  const slots = createCompletionSlots(ai, deps.redis, deps.queues.prefix);
  return {
    async changed(userId) {
      deps.users?.forget(userId);
      if (!(await publishUserChanged(deps.redis, deps.queues.prefix, userId))) {
        deps.log.warn('a user change was not confirmed by every API node (one did not answer, or Redis failed): a node may serve the old role or status until its cache entry expires');
      }
    },
    async blocked(userId, cancelledReplyIds) {
      emitter.in(userRoom(userId)).disconnectSockets(true);
      const jobIds = [...cancelledReplyIds.map(replyJobId), ...(await slots.reserved(userId)).map(completeJobId)];
      const removed = await Promise.all(jobIds.map(async (id) => {
        const job = await ai.getJob(id);
        // A running job holds its lock and cannot be removed: it stops on its own.
        return job ? job.remove().then(() => 1, () => 0) : 0;
      }));
      deps.log.info({ cancelled_jobs: removed.reduce((a: number, b) => a + b, 0) }, 'blocked account: sockets closed, queued jobs removed');
    },
  };
}
