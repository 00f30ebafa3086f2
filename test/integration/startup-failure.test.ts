/**
 * A start that fails after its worker pools began (mode all: the API's port is taken) closes
 * them as a shutdown would: no pool is left taking jobs, no connection left open. One that
 * fails before (mode workers: the metrics port is taken) closes what it had opened so far.
 */
import net from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startRuntime } from '../../bin/runtime.js';
import { testEnv } from '../helpers/env.js';
import { openQueue } from '../e2e/chat/harness.js';
import { REDIS_URL } from '../helpers/services.js';

const t = testEnv('startfail');
const ai = openQueue('ai', t.prefix);
const taken = net.createServer();

afterAll(async () => {
  taken.close();
  await ai.close();
  await t.cleanup();
});

describe('a start that fails late', () => {
  it('closes the worker pools it had started before giving up', async () => {
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    await expect(startRuntime('all', { ...t.env, PORT: String(port) })).rejects.toThrow(/EADDRINUSE/);
    // A running pool holds a connection named after its queue; none is left.
    expect(await ai.queue.getWorkers()).toEqual([]);
  }, 60_000);

  it('closes the connections it had opened when the metrics port cannot be had', async () => {
    const port = (taken.address() as net.AddressInfo).port;
    await expect(startRuntime('workers', { ...t.env, METRICS_PORT: String(port) })).rejects.toThrow(/EADDRINUSE|in use/);
    // The follower of stop requests had subscribed on its own connection: it is gone.
    const redis = new Redis(REDIS_URL);
    try {
      expect(await redis.pubsub('NUMSUB', `${t.prefix}:reply-stop`)).toEqual([`${t.prefix}:reply-stop`, 0]);
    } finally {
      redis.disconnect();
    }
  }, 60_000);
});
