/**
 * The in-flight limit of POST /api/ai/complete: at most `max` unfinished `ai.complete` jobs per
 * user (counted apart from chat replies, with the same CHAT_MAX_INFLIGHT). A per-user Redis set
 * lists the user's request ids; BullMQ's own job state decides whether each still runs, so a
 * job that completed, failed for good, or vanished frees its slot without any worker having
 * to report back. Callers hold the user's fair-use lock (admitMessage) across count and track,
 * so two API nodes cannot both let a request over the limit.
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
      let running = 0;
      for (const id of ids) {
        if (DONE.has(await queue.getJobState(completeJobId(id)))) await redis.zrem(key(userId), id);
        else running++;
      }
      return running;
    },
    async track(userId: string, requestId: string): Promise<void> {
      await redis.multi().zadd(key(userId), Date.now(), requestId).expire(key(userId), KEY_TTL_SECONDS).exec();
    },
  };
}
