/**
 * Fixed-window counters in Redis, shared by every API node. The attempt is counted before
 * the work it guards, atomically, so a burst of parallel requests cannot slip past the limit.
 */
import type { Redis } from 'ioredis';

export interface WindowCounter {
  /** Counts one attempt; returns seconds to wait when the window already holds `max`, else 0. */
  hit(key: string, max: number, windowSeconds: number): Promise<number>;
  /** Takes back one attempt (an attempt that turned out not to count). */
  undo(key: string): Promise<void>;
  reset(key: string): Promise<void>;
}

export function createWindowCounter(redis: Redis, prefix: string): WindowCounter {
  const k = (key: string) => `${prefix}:rl:${key}`;
  return {
    async hit(key, max, windowSeconds) {
      // SET NX starts the window once; INCR counts within it (works on Redis 6.2).
      const res = await redis.multi().set(k(key), 0, 'EX', windowSeconds, 'NX').incr(k(key)).ttl(k(key)).exec();
      const count = Number(res?.[1]?.[1] ?? 0);
      const ttl = Number(res?.[2]?.[1] ?? windowSeconds);
      return count > max ? Math.max(ttl, 1) : 0;
    },
    async undo(key) {
      await redis.decr(k(key));
    },
    async reset(key) {
      await redis.del(k(key));
    },
  };
}
