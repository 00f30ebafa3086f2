/**
 * Fixed-window counters in Redis, shared by every API node. The attempt is counted before
 * the work it guards, atomically, so a burst of parallel requests cannot slip past the limit.
 * Every operation is one Lua script that sets the count and its expiry together: a key can
 * never exist without a TTL, nor go below zero, and an `undo` acts only on the window that
 * counted the attempt (after it ended, it is a no-op).
 */
import type { RedisClient } from '../redis.js';

export interface Hit {
  /** Seconds to wait when the window already held `max`, else 0. */
  wait: number;
  /** The window's first attempt past `max`: the refusal worth recording (the rest only repeat it). */
  first: boolean;
  /** Which window counted it (its end, in Redis's clock): an undo acts on that window only. */
  window: number;
}

export interface WindowCounter {
  /** Counts one attempt. */
  hit(key: string, max: number, windowSeconds: number): Promise<Hit>;
  /** Takes back one attempt (one that turned out not to count), if its window still runs. */
  undo(key: string, window: number): Promise<void>;
  reset(key: string): Promise<void>;
}

// KEYS[1] counter; ARGV[1] window milliseconds. Returns {count, ms left, window end (Redis ms)}.
const HIT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
local t = redis.call('TIME')
return {count, ttl, tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + ttl}`;

// Decrements a live counter above zero, only in the window ARGV[1] names (its end, give or take
// the clock's milliseconds): a later window's count is someone else's. The TTL is kept.
const UNDO = `
local ttl = redis.call('PTTL', KEYS[1])
if ttl <= 0 or tonumber(redis.call('GET', KEYS[1]) or '0') <= 0 then return 0 end
local t = redis.call('TIME')
local ends = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + ttl
if math.abs(ends - tonumber(ARGV[1])) > 50 then return 0 end
return redis.call('DECR', KEYS[1])`;

type CounterRedis = RedisClient & {
  windowHit(key: string, windowMs: number): Promise<[number, number, number]>;
  windowUndo(key: string, window: number): Promise<number>;
};

export function createWindowCounter(redis: RedisClient, prefix: string): WindowCounter {
  const k = (key: string) => `${prefix}:rl:${key}`;
  // defineCommand is idempotent per name on one connection; EVALSHA with EVAL fallback.
  redis.defineCommand('windowHit', { numberOfKeys: 1, lua: HIT });
  redis.defineCommand('windowUndo', { numberOfKeys: 1, lua: UNDO });
  const r = redis as CounterRedis;
  return {
    async hit(key, max, windowSeconds) {
      const [count, ttlMs, window] = await r.windowHit(k(key), windowSeconds * 1000);
      return { wait: Number(count) > max ? Math.max(Math.ceil(Number(ttlMs) / 1000), 1) : 0, first: Number(count) === max + 1, window: Number(window) };
    },
    async undo(key, window) {
      await r.windowUndo(k(key), window);
    },
    async reset(key) {
      await redis.del(k(key));
    },
  };
}
