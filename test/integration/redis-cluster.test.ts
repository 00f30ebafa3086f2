/**
 * The service on a real 3-master Redis Cluster (REDIS_CLUSTER_NODES), nothing on REDIS_URL.
 * Checked: sign-up and a chat answer streamed over Socket.IO (workers SPUBLISH to the API's
 * sharded adapter); every key of the service in the slot of its hash-tagged prefix, on the one
 * master that owns it; the Socket.IO rooms' shard channels each on the master owning their
 * slot; a user change reaching every node's user cache on a sharded channel; a block closing
 * the user's socket (a DISCONNECT_SOCKETS through the cluster).
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- event payloads are whatever the server sent */
import { Cluster } from 'ioredis';
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserCache, publishUserChanged, userChangedChannel } from '../../core/auth/user-cache.js';
import { whenReady } from '../../core/redis.js';
import { ask, connect, following, newChat, waitFor } from '../e2e/chat/harness.js';
import { fakeProviderEnv, startFakeOpenAI, type FakeProvider } from '../helpers/fake-providers/index.js';
import { registerUser, request } from '../helpers/http.js';
import { onNode, startRedisCluster, type RedisTopology } from '../helpers/redis-servers.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';

const ANSWER = 'Залог возвращается при выезде, если квартира сдана без повреждений.';

let cluster: RedisTopology;
let openai: FakeProvider;
let rt: TestRuntime;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  openai = await startFakeOpenAI({ defaultStep: { kind: 'text', text: ANSWER, chunks: 4 } });
  rt = await startTestRuntime('rediscluster', { env: { ...fakeProviderEnv({ openai }), REDIS_URL: undefined, REDIS_CLUSTER_NODES: cluster.seeds, SHUTDOWN_TIMEOUT_MS: '4000' } });
}, 60_000);

afterAll(async () => {
  await rt?.close();
  await openai?.close();
  await cluster?.stop();
});

/** The master that serves a slot, by CLUSTER SLOTS: [[start, end, [host, port, id]], ...]. */
async function ownerOf(slot: number): Promise<number> {
  const ranges = (await onNode(cluster.ports[0]!, 'CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
  return ranges.find(([start, end]) => slot >= start && slot <= end)![2][1];
}

const slotOf = async (name: string) => Number(await onNode(cluster.ports[0]!, 'CLUSTER', 'KEYSLOT', name));

describe('on a Redis Cluster', () => {
  it('signs up and streams a chat answer over Socket.IO', async () => {
    const user = await registerUser(rt.url, 'cluster');
    const chatId = await newChat(rt.url, user.token);
    const { done, deltas } = await following(rt.url, user.token, chatId, async (client) => {
      const { reply } = await ask(rt.url, user.token, chatId, 'Как вернуть залог за квартиру?');
      const done = await client.first('reply.completed', reply.id);
      return { done, deltas: client.of('reply.delta', reply.id) };
    });
    expect(done.message.content).toBe(ANSWER);
    expect(deltas.map((d: any) => d.seq)).toEqual(deltas.map((_: any, i: number) => i + 1));
    expect(deltas.map((d: any) => d.delta).join('')).toBe(ANSWER);
  });

  it('keeps every key in the slot of the hash-tagged prefix, on the master that owns it', async () => {
    const prefix = `{${rt.t.prefix}}`;
    const slot = await slotOf(prefix);
    const owner = await ownerOf(slot);
    const keys = [];
    for (const port of cluster.ports) {
      const [, found] = (await onNode(port, 'SCAN', '0', 'COUNT', '10000')) as [string, string[]];
      if (port !== owner) expect(found).toEqual([]);
      else keys.push(...found);
    }
    expect(keys.every((k) => k.startsWith(`${prefix}:`))).toBe(true);
    // BullMQ's queues and the service's own keys (reply streams, rate limits) side by side.
    expect(keys).toEqual(expect.arrayContaining([`${prefix}:ai:meta`, expect.stringMatching(/:reply-stream:/), expect.stringMatching(/:rl:/)]));
    // Each key's own slot (counting the slot's keys instead would race the workers, which make and expire keys meanwhile).
    expect(new Set(await Promise.all(keys.map(slotOf)))).toEqual(new Set([slot]));
  });

  it('spreads the Socket.IO rooms over the shards: each room channel lives on the master owning its slot', async () => {
    const user = await registerUser(rt.url, 'rooms');
    const chatId = await newChat(rt.url, user.token);
    await following(rt.url, user.token, chatId, async () => {
      const base = `${rt.t.prefix}-io#/#`;
      for (const channel of [base, `${base}user:${user.id}#`, `${base}chat:${chatId}#`]) {
        const owner = await ownerOf(await slotOf(channel));
        const listed = await Promise.all(cluster.ports.map(async (port) => ((await onNode(port, 'PUBSUB', 'SHARDCHANNELS', channel)) as string[]).length > 0 ? port : undefined));
        expect(listed.filter(Boolean)).toEqual([owner]);
      }
    });
  });

  it('drops a changed user from every API node\'s cache through a sharded channel, and the change waits for all', async () => {
    const nodes = cluster.ports.map((port) => ({ host: '127.0.0.1', port }));
    const subscriber = new Cluster(nodes, { shardedSubscribers: true });
    const commands = new Cluster(nodes);
    try {
      await whenReady(subscriber);
      const prefix = `{${rt.t.prefix}}`;
      const cache = await createUserCache(subscriber, commands, prefix);
      const channel = userChangedChannel(prefix);
      // This node's and the service's own, both on the master owning the channel's slot.
      expect(await onNode(await ownerOf(await slotOf(channel)), 'PUBSUB', 'SHARDNUMSUB', channel)).toEqual([channel, 2]);
      const user = await registerUser(rt.url, 'cached');
      expect((await cache.get(user.id))?.role).toBe('user');
      await Model.knex()('users').where({ id: user.id }).update({ role: 'lawyer' });
      expect(await publishUserChanged(commands, prefix, user.id)).toBe(true);
      expect((await cache.get(user.id))?.role).toBe('lawyer');
    } finally {
      subscriber.disconnect();
      commands.disconnect();
    }
  });

  it('closes a blocked user\'s socket through the cluster', async () => {
    const boss = await registerUser(rt.url, 'admin');
    await Model.knex()('users').where({ id: boss.id }).update({ role: 'admin' });
    const victim = await registerUser(rt.url, 'victim');
    const client = await connect(rt.url, victim.token);
    const res = await request(rt.url, 'PATCH', `/api/admin/users/${victim.id}`, { token: boss.token, json: { status: 'blocked' } });
    expect(res.status).toBe(200);
    await waitFor('the socket to be closed', () => (client.socket.connected ? undefined : true), 5000);
  });
});
