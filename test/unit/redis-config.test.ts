import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../core/config.js';

describe('Redis topology', () => {
  it('is one server at REDIS_URL by default, with the prefix as given', () => {
    const { redis } = loadConfig({ QUEUE_PREFIX: 'app' });
    expect(redis).toEqual({ url: 'redis://127.0.0.1:6379', autostart: true, queuePrefix: 'app' });
  });

  it('puts REDIS_PASSWORD into a REDIS_URL that has none, and accepts the same one twice', () => {
    expect(loadConfig({ REDIS_URL: 'redis://r1:6380/2', REDIS_PASSWORD: 'p@ss' }).redis.url).toBe('redis://:p%40ss@r1:6380/2');
    expect(loadConfig({ REDIS_URL: 'redis://:pw@r1:6380', REDIS_PASSWORD: 'pw' }).redis.url).toBe('redis://:pw@r1:6380');
  });

  it('takes cluster seeds and makes the prefix a hash tag', () => {
    const { redis } = loadConfig({ REDIS_CLUSTER_NODES: 'r1:7000, r2:7001,[::1]:7002', REDIS_PASSWORD: 'pw', QUEUE_PREFIX: 'app' });
    expect(redis.queuePrefix).toBe('{app}');
    expect(redis.cluster).toEqual({ nodes: [{ host: 'r1', port: 7000 }, { host: 'r2', port: 7001 }, { host: '::1', port: 7002 }], password: 'pw' });
    expect(redis.sentinel).toBeUndefined();
  });

  it('takes sentinels and the master name, and keeps the prefix', () => {
    const { redis } = loadConfig({ REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_NAME: 'main', REDIS_SENTINEL_PASSWORD: 'spw' });
    expect(redis.queuePrefix).toBe('bull');
    expect(redis.sentinel).toEqual({ nodes: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }], name: 'main', password: undefined, sentinelPassword: 'spw' });
    expect(redis.cluster).toBeUndefined();
  });

  it.each([
    [{ REDIS_CLUSTER_NODES: 'r1' }, /REDIS_CLUSTER_NODES: must be a comma-separated list of host:port/],
    [{ REDIS_SENTINELS: 's1:26379' }, /REDIS_SENTINELS and REDIS_SENTINEL_NAME go together/],
    [{ REDIS_SENTINEL_NAME: 'main' }, /REDIS_SENTINELS and REDIS_SENTINEL_NAME go together/],
    [{ REDIS_CLUSTER_NODES: 'r1:7000', REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_NAME: 'main' }, /exclude each other/],
    [{ REDIS_CLUSTER_NODES: 'r1:7000', REDIS_URL: 'redis://r1:7000' }, /REDIS_URL names one server and REDIS_CLUSTER_NODES another/],
    [{ REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_NAME: 'main', REDIS_URL: 'redis://r1' }, /REDIS_URL names one server and REDIS_SENTINELS another/],
    [{ REDIS_URL: 'redis://:one@r1', REDIS_PASSWORD: 'two' }, /REDIS_URL and REDIS_PASSWORD name different passwords/],
    [{ REDIS_SENTINEL_PASSWORD: 'spw' }, /REDIS_SENTINEL_PASSWORD goes with REDIS_SENTINELS/],
    [{ REDIS_CLUSTER_NODES: 'r1:7000', REDIS_SENTINEL_PASSWORD: 'spw' }, /REDIS_SENTINEL_PASSWORD goes with REDIS_SENTINELS/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
