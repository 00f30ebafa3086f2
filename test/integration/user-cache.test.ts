/**
 * The API's user cache across nodes: a role or status change is announced, and the
 * announcement returns only once every node has dropped the user, so what the admin was told
 * applied holds on every node at once, even one slow to read its messages. A node that never
 * answers does not hold the change up for longer than the wait, and a pattern subscriber (a
 * tool watching the channels) is not waited for.
 */
import { Redis } from 'ioredis';
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserCache, publishUserChanged, type UserCache } from '../../core/auth/user-cache.js';
import { waitFor } from '../e2e/chat/harness.js';
import { registerUser } from '../helpers/http.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { REDIS_URL } from '../helpers/services.js';

let rt: TestRuntime;
let redis: Redis;
const nodes: Array<{ cache: UserCache; subscriber: Redis }> = [];

beforeAll(async () => {
  rt = await startTestRuntime('usercache', { mode: 'api' });
  redis = new Redis(REDIS_URL);
  for (let i = 0; i < 2; i++) {
    const subscriber = new Redis(REDIS_URL);
    nodes.push({ subscriber, cache: await createUserCache(subscriber, redis, rt.t.prefix) });
  }
});

afterAll(async () => {
  for (const node of nodes) await node.cache.close();
  redis?.disconnect();
  await rt?.close();
});

const setRole = (id: string, role: string) => Model.knex()('users').where({ id }).update({ role });
const roles = async (id: string) => Promise.all(nodes.map(async (n) => (await n.cache.get(id))?.role));

/** A user both nodes hold as a 'user', made a 'lawyer' in the database since (not yet announced). */
async function changedBehindTheCaches(name: string) {
  const user = await registerUser(rt.url, name);
  expect(await roles(user.id)).toEqual(['user', 'user']);
  await setRole(user.id, 'lawyer');
  return user;
}

describe('the user cache of API nodes', () => {
  it('drops a changed user on every node before the announcement returns, even on a node slow to read its messages', async () => {
    const user = await changedBehindTheCaches('slow');
    // The second node reads nothing from its subscription for a while (a busy event loop).
    const slow = nodes[1]!.subscriber.stream;
    slow.pause();
    setTimeout(() => slow.resume(), 150);
    expect(await publishUserChanged(redis, rt.t.prefix, user.id)).toBe(true);
    expect(await roles(user.id)).toEqual(['lawyer', 'lawyer']);
  });

  it('returns after the wait, saying so, when a node does not acknowledge; that node catches up once it reads', async () => {
    const user = await changedBehindTheCaches('hung');
    const hung = nodes[1]!.subscriber.stream;
    hung.pause();
    try {
      expect(await publishUserChanged(redis, rt.t.prefix, user.id, 200)).toBe(false);
      expect(await nodes[0]!.cache.get(user.id).then((u) => u?.role)).toBe('lawyer');
    } finally {
      hung.resume();
    }
    await waitFor('the hung node to drop the user', async () => ((await nodes[1]!.cache.get(user.id))?.role === 'lawyer' ? true : undefined), 5000);
    // Its late acknowledgement was for an announcement that gave up: it expires, it is not left in Redis.
    const late = await redis.keys(`${rt.t.prefix}:user-changed-ack:*`);
    for (const key of late) expect(await redis.pttl(key)).toBeGreaterThan(0);
  });

  it('does not wait for a pattern subscriber, which receives the announcement but never acknowledges', async () => {
    const user = await changedBehindTheCaches('watched');
    // A tool watching the service's channels (PSUBSCRIBE counts in PUBLISH's answer).
    const watcher = new Redis(REDIS_URL);
    const seen: string[] = [];
    watcher.on('pmessage', (_pattern: string, channel: string) => seen.push(channel));
    await watcher.psubscribe(`${rt.t.prefix}:*`);
    try {
      expect(await publishUserChanged(redis, rt.t.prefix, user.id, 1000)).toBe(true);
      expect(await roles(user.id)).toEqual(['lawyer', 'lawyer']);
      await waitFor('the watcher to see the announcement', async () => (seen.length ? true : undefined), 2000);
    } finally {
      watcher.disconnect();
    }
  });

  it('reads the database while a node cannot hear announcements, and caches again once it can', async () => {
    // A third node whose subscription, once cut, comes back only after a second.
    const subscriber = new Redis(REDIS_URL, { retryStrategy: () => 1000 });
    const id = await subscriber.client('ID');
    const cache = await createUserCache(subscriber, redis, rt.t.prefix);
    try {
      const user = await registerUser(rt.url, 'deaf');
      expect((await cache.get(user.id))?.role).toBe('user');
      await redis.client('KILL', 'ID', String(id));
      await waitFor('the subscription to drop', async () => (subscriber.status === 'ready' ? undefined : true), 2000);
      // The announcement cannot count this node: it returns at once, without it having dropped anything.
      await setRole(user.id, 'lawyer');
      expect(await publishUserChanged(redis, rt.t.prefix, user.id)).toBe(true);
      expect((await cache.get(user.id))?.role).toBe('lawyer');
      await setRole(user.id, 'user');
      expect((await cache.get(user.id))?.role).toBe('user');
      // Heard again: reads are cached once more (a change left unannounced is not seen).
      await waitFor('the subscription to come back', () => (subscriber.status === 'ready' ? true : undefined), 5000);
      await subscriber.ping(); // answered after the node's own SUBSCRIBE
      expect((await cache.get(user.id))?.role).toBe('user');
      await setRole(user.id, 'lawyer');
      expect((await cache.get(user.id))?.role).toBe('user');
      expect(await publishUserChanged(redis, rt.t.prefix, user.id)).toBe(true);
      expect((await cache.get(user.id))?.role).toBe('lawyer');
    } finally {
      await cache.close();
    }
  });

  it('says a change was not confirmed, without throwing, when Redis fails', async () => {
    const down = new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true });
    try {
      expect(await publishUserChanged(down, rt.t.prefix, '00000000-0000-0000-0000-000000000000')).toBe(false);
    } finally {
      down.disconnect();
    }
  });
});
