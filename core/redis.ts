/**
 * Redis: connection factories with BullMQ's production rules, the start-up checks, and a
 * managed `redis-server` child for laptops where nothing answers at REDIS_URL.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from './config.js';
import type { Logger } from './log.js';

export class StartupError extends Error {
  override name = 'StartupError';
}

/** Workers block on Redis: they must retry forever, never give up on a command. */
export function workerConnection(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...extra });
}

/** Producers (the API) fail fast so a request answers 503 instead of hanging. */
export function producerConnection(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 3000, ...extra });
}

/** A fail-fast connection that is already connected (it has no offline queue to wait in). */
export async function connectedProducer(url: string): Promise<Redis> {
  const client = producerConnection(url);
  try {
    await new Promise((resolve, reject) => client.once('ready', resolve).once('error', reject));
  } catch (err) {
    client.disconnect(); // or it keeps reconnecting, and the process alive
    throw err;
  }
  return client;
}

async function ping(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1500, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function redisServerOnPath(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface RedisHandle {
  url: string;
  /** Set when this process started its own redis-server. */
  child?: ChildProcess;
  stop(): Promise<void>;
}

/** Finds Redis at REDIS_URL or starts a managed one; otherwise one clear error. */
export async function ensureRedis(config: Config, log: Logger): Promise<RedisHandle> {
  const { url, autostart } = config.redis;
  if (await ping(url)) return { url, stop: async () => undefined };
  const u = new URL(url);
  const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(u.hostname);
  if (!autostart || !local || !redisServerOnPath()) {
    throw new StartupError(
      `Redis is not reachable at ${u.host} and no redis-server binary is available to start one: ` +
        'install Redis 7 (e.g. `apt-get install redis-server`), start it, or set REDIS_URL',
    );
  }
  const dir = path.join(config.dataDir, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  const port = u.port || '6379';
  const child = spawn(
    'redis-server',
    ['--port', port, '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--maxmemory-policy', 'noeviction'],
    { stdio: 'ignore' },
  );
  log.warn({ port, dir }, 'no Redis answered: started a managed redis-server (data in DATA_DIR/redis)');
  for (let i = 0; i < 50; i++) {
    if (await ping(url)) {
      return {
        url,
        child,
        stop: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new StartupError(`started redis-server on port ${port} but it did not answer`);
}

/** BullMQ needs Redis >= 6.2 and must not lose keys to eviction. */
export async function checkRedis(client: Redis, log: Logger): Promise<void> {
  const info = await client.info('server');
  const version = /redis_version:(\d+)\.(\d+)/.exec(info);
  const [major, minor] = version ? [Number(version[1]), Number(version[2])] : [0, 0];
  if (major < 6 || (major === 6 && minor < 2)) {
    throw new StartupError(`Redis ${major}.${minor} is too old: BullMQ needs Redis >= 6.2`);
  }
  try {
    const [, policy] = (await client.config('GET', 'maxmemory-policy')) as [string, string];
    if (policy !== 'noeviction') {
      log.warn({ policy }, 'REDIS maxmemory-policy is not noeviction: Redis may evict queue keys and lose jobs');
    }
  } catch {
    log.warn('could not read Redis maxmemory-policy (CONFIG is disabled): make sure it is noeviction');
  }
}
