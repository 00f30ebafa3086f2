/**
 * Fixed-window counters in Redis, shared by every API node. The attempt is counted before
 * the work it guards, atomically, so a burst of parallel requests cannot slip past the limit.
 * Every operation is one Lua script that sets the count and its expiry together: a key can
 * never exist without a TTL, nor go below zero (an `undo` after the window ended is a no-op).
 */
import type { RedisClient } from '../redis.js';

export interface WindowCounter {
  /** Counts one attempt; returns seconds to wait when the window already holds `max`, else 0. */
  hit(key: string, max: number, windowSeconds: number): Promise<number>;
  /** Takes back one attempt (an attempt that turned out not to count). */
  undo(key: string): Promise<void>;
  reset(key: string): Promise<void>;
}

// KEYS[1] counter; ARGV[1] window seconds. Returns {count, ttl}.
const HIT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`;

// Decrements only a live counter above zero; the key keeps its TTL (DECRBY does not touch it).
const UNDO = `
if (tonumber(redis.call('GET', KEYS[1]) or '0') > 0) and redis.call('TTL', KEYS[1]) > 0 then
  return redis.call('DECR', KEYS[1])
end
return 0`;

type CounterRedis = RedisClient & {
  windowHit(key: string, windowSeconds: number): Promise<[number, number]>;
  windowUndo(key: string): Promise<number>;
};

export function createWindowCounter(redis: RedisClient, prefix: string): WindowCounter {
  const k = (key: string) => `${prefix}:rl:${key}`;
  // defineCommand is idempotent per name on one connection; EVALSHA with EVAL fallback.
  redis.defineCommand('windowHit', { numberOfKeys: 1, lua: HIT });
  redis.defineCommand('windowUndo', { numberOfKeys: 1, lua: UNDO });
  const r = redis as CounterRedis;
  return {
    async hit(key, max, windowSeconds) {
      const [count, ttl] = await r.windowHit(k(key), windowSeconds);
      return Number(count) > max ? Math.max(Number(ttl), 1) : 0;
    },
    async undo(key) {
      await r.windowUndo(k(key));
    },
    async reset(key) {
      await redis.del(k(key));
    },
  };
}
