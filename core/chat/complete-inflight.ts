/**
 * The in-flight limit of POST /api/ai/complete: at most `max` unfinished `ai.complete` jobs per
 * user (counted apart from chat replies, with the same CHAT_MAX_INFLIGHT). A per-user Redis set
 * lists the user's request ids; BullMQ's own job state decides whether each still runs, so a
 * job that completed, failed for good, or vanished frees its slot without any worker having
 * to report back. The count runs inside admitMessage (as an InflightKind) and the caller
 * tracks before that transaction ends, so the user's fair-use lock spans count and track:
 * two API nodes cannot both let a request over the limit.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** The set expires once the user stops sending: no key outlives its jobs for long. */
const KEY_TTL_SECONDS = 24 * 3600;
const DONE = new Set(['completed', 'failed', 'unknown']);

export const completeJobId = (requestId: string) => `complete-${requestId}`;

export function createCompletionSlots(queue: Queue, redis: Redis, prefix: string) {
  const key = (userId: string) => `${prefix}:ai-complete-inflight:${userId}`;
  return {
    /** Unfinished requests of the user; finished ones are dropped from the set on the way. */
    async count(userId: string): Promise<number> {
      const ids = await redis.zrange(key(userId), '0', '-1');
      // Asked together: the lookups go out back to back instead of one round trip each.
      const states = await Promise.all(ids.map((id) => queue.getJobState(completeJobId(id))));
      const done = ids.filter((_, i) => DONE.has(states[i]!));
      if (done.length) await redis.zrem(key(userId), ...done);
      return ids.length - done.length;
    },
    async track(userId: string, requestId: string): Promise<void> {
      await redis.multi().zadd(key(userId), Date.now(), requestId).expire(key(userId), KEY_TTL_SECONDS).exec();
    },
  };
}
