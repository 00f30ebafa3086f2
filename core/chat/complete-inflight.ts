/**
 * The in-flight limit of POST /api/ai/complete: at most `max` unfinished `ai.complete` jobs per
 * user (counted apart from chat replies, with the same CHAT_MAX_INFLIGHT). A per-user sorted
 * set in Redis lists the user's request ids, scored by when they were reserved; BullMQ's own
 * job state decides whether each still runs, so a job that completed, failed for good, or
 * vanished frees its slot without any worker having to report back.
 *
 * A request reserves its slot before its job exists: it adds itself, then counts. Two
 * requests racing for the last slot may both be refused, never both admitted. A reservation
 * whose job is not there yet counts for a grace period (the job is being enqueued).
 */
import type { Queue } from 'bullmq';
import type { RedisClient } from '../redis.js';

/** The set expires once the user stops sending: no key outlives its jobs for long. */
const KEY_TTL_SECONDS = 24 * 3600;
const ENQUEUE_GRACE_MS = 30_000;
const DONE = new Set(['completed', 'failed']);

export const completeJobId = (requestId: string) => `complete-${requestId}`;

export interface CompletionSlots {
  /** Takes a slot for the request, or answers false when `max` are already in progress. */
  reserve(userId: string, requestId: string, max: number): Promise<boolean>;
  release(userId: string, requestId: string): Promise<void>;
  /** The request ids the user has reserved and not released (to cancel them). */
  reserved(userId: string): Promise<string[]>;
}

export function createCompletionSlots(queue: Queue, redis: RedisClient, prefix: string): CompletionSlots {
  const key = (userId: string) => `${prefix}:ai-complete-inflight:${userId}`;

  /** Unfinished requests of the user; finished ones are dropped from the set on the way. */
  async function count(userId: string): Promise<number> {
    const flat = await redis.zrange(key(userId), '0', '-1', 'WITHSCORES');
    const entries = Array.from({ length: flat.length / 2 }, (_, i) => ({ id: flat[2 * i]!, at: Number(flat[2 * i + 1]) }));
    // Asked together: the lookups go out back to back instead of one round trip each.
    const states = await Promise.all(entries.map((e) => queue.getJobState(completeJobId(e.id))));
    const graceStart = Date.now() - ENQUEUE_GRACE_MS;
    const done = entries.filter((e, i) => DONE.has(states[i]!) || (states[i] === 'unknown' && e.at < graceStart)).map((e) => e.id);
    if (done.length) await redis.zrem(key(userId), ...done);
    return entries.length - done.length;
  }

  return {
    async reserve(userId, requestId, max) {
      await redis.multi().zadd(key(userId), Date.now(), requestId).expire(key(userId), KEY_TTL_SECONDS).exec();
      if ((await count(userId)) <= max) return true;
      await redis.zrem(key(userId), requestId);
      return false;
    },
    async release(userId, requestId) {
      await redis.zrem(key(userId), requestId);
    },
    reserved: (userId) => redis.zrange(key(userId), '0', '-1'),
  };
}
