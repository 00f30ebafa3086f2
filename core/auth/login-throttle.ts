/**
 * Login throttling: failed attempts are counted per account and per IP in fixed windows in
 * Redis; past the limit a login answers 429 with Retry-After until the window ends.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface LoginThrottle {
  /** Seconds to wait when throttled, or 0 when the attempt may proceed. */
  check(email: string, ip: string): Promise<number>;
  recordFailure(email: string, ip: string): Promise<void>;
  recordSuccess(email: string): Promise<void>;
}

export function createLoginThrottle(redis: Redis, opts: { prefix: string; maxPerAccount: number; maxPerIp: number; windowSeconds: number }): LoginThrottle {
  // Keys hold a hash of the e-mail, never the address itself.
  const acct = (email: string) => `${opts.prefix}:login:acct:${createHash('sha256').update(email).digest('hex').slice(0, 32)}`;
  const ipKey = (ip: string) => `${opts.prefix}:login:ip:${ip}`;

  async function waitFor(key: string, max: number): Promise<number> {
    const [count, ttl] = await redis.multi().get(key).ttl(key).exec().then((r) => r!.map(([, v]) => v) as [string | null, number]);
    return Number(count ?? 0) >= max ? Math.max(ttl, 1) : 0;
  }

  return {
    async check(email, ip) {
      const [a, i] = await Promise.all([waitFor(acct(email), opts.maxPerAccount), waitFor(ipKey(ip), opts.maxPerIp)]);
      return Math.max(a, i);
    },
    async recordFailure(email, ip) {
      const m = redis.multi();
      // SET NX starts the window once; INCR counts within it (works on Redis 6.2).
      for (const key of [acct(email), ipKey(ip)]) m.set(key, 0, 'EX', opts.windowSeconds, 'NX').incr(key);
      await m.exec();
    },
    async recordSuccess(email) {
      await redis.del(acct(email));
    },
  };
}
