/**
 * The fixed-window counter at its edges, on real Redis: a success that is taken back just
 * after the window ended must neither leave a counter that never expires (which would answer
 * 429 forever once the limit is reached) nor take an attempt off the next window.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWindowCounter, type WindowCounter } from '../../core/auth/window-counter.js';
import { createLoginThrottle } from '../../core/auth/login-throttle.js';
import { REDIS_URL } from '../helpers/services.js';

const prefix = `t-window-${randomBytes(4).toString('hex')}`;
let redis: Redis;
let counter: WindowCounter;
beforeAll(() => {
  redis = new Redis(REDIS_URL);
  counter = createWindowCounter(redis, prefix);
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

const key = (name: string) => `${prefix}:rl:${name}`;
/** What the window ending does to the key. */
const expire = (name: string) => redis.del(key(name));

describe('window counter', () => {
  it('an undo after the window ended leaves no counter behind', async () => {
    const first = await counter.hit('ip:a', 3, 60);
    expect(first.wait).toBe(0);
    await expire('ip:a');
    await counter.undo('ip:a', first.window);
    expect(await redis.exists(key('ip:a'))).toBe(0);
    // The next window starts from zero and still counts up to the limit.
    for (let i = 0; i < 3; i++) expect((await counter.hit('ip:a', 3, 60)).wait).toBe(0);
    expect((await counter.hit('ip:a', 3, 60)).wait).toBeGreaterThan(0);
  });

  it('an undo late for its window leaves the next window\'s count alone', async () => {
    const mine = await counter.hit('ip:late', 3, 1);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the window runs out
    await counter.hit('ip:late', 3, 60); // someone else opens the next one (long enough to read back)
    await counter.undo('ip:late', mine.window);
    expect(Number(await redis.get(key('ip:late')))).toBe(1);
  });

  it('every counter carries its expiry, even one left without a TTL by older code', async () => {
    await redis.set(key('ip:legacy'), -1); // what a DECR after expiry used to leave
    await counter.hit('ip:legacy', 5, 60);
    const ttl = await redis.ttl(key('ip:legacy'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it('undo never takes a counter below zero', async () => {
    const { window } = await counter.hit('ip:b', 5, 60);
    await counter.undo('ip:b', window);
    await counter.undo('ip:b', window);
    expect(Number(await redis.get(key('ip:b')))).toBe(0);
    expect(await redis.ttl(key('ip:b'))).toBeGreaterThan(0);
  });

  it('logins that succeed right after the window ended never lock an address out', async () => {
    const throttle = createLoginThrottle(counter, { maxPerAccount: 5, maxPerIp: 2, windowSeconds: 60, hashKey: randomBytes(32) });
    for (let round = 0; round < 4; round++) {
      const attempt = await throttle.attempt(`user${round}@example.com`, '10.0.0.9');
      expect(attempt.wait).toBe(0);
      await expire('login:ip:10.0.0.9');
      await attempt.succeeded();
    }
    expect((await throttle.attempt('someone@example.com', '10.0.0.9')).wait).toBe(0);
    expect(await redis.ttl(key('login:ip:10.0.0.9'))).toBeGreaterThan(0);
  });

  it("names an account's counter by a keyed hash of its e-mail, which hashing the address does not find", async () => {
    // A prefix of its own: the other tests leave account counters behind.
    const own = `${prefix}-named`;
    const throttle = createLoginThrottle(createWindowCounter(redis, own), { maxPerAccount: 5, maxPerIp: 5, windowSeconds: 60, hashKey: randomBytes(32) });
    // The account's own counter (its counter per address adds `:<address>`).
    const accounts = async () => (await redis.keys(`${own}:rl:login:acct:*`)).filter((k) => !k.slice(`${own}:rl:login:acct:`.length).includes(':'));
    const email = 'named@example.com';
    await throttle.attempt(email, '10.0.0.10');
    const names = (await accounts()).map((k) => k.slice(`${own}:rl:login:acct:`.length));
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(createHash('sha256').update(email).digest('hex')).not.toContain(names[0]);
    // The same address under the same key is one counter; another address, another.
    await throttle.attempt(email, '10.0.0.10');
    await throttle.attempt('other@example.com', '10.0.0.10');
    expect(await redis.get(`${own}:rl:login:acct:${names[0]}`)).toBe('2');
    expect(await accounts()).toHaveLength(2);
  });

  it('parallel hits are counted exactly', async () => {
    const waits = (await Promise.all(Array.from({ length: 20 }, () => counter.hit('burst', 7, 60)))).map((h) => h.wait);
    expect(waits.filter((w) => w === 0)).toHaveLength(7);
    expect(waits.filter((w) => w > 0)).toHaveLength(13);
  });
});
