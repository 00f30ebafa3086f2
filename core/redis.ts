/**
 * Redis: connection factories with BullMQ's production rules, the start-up checks, and a
 * managed `redis-server` child for laptops where nothing answers at REDIS_URL. Every
 * connection of the service is made here, to one server, a Redis Cluster or a master found
 * through Sentinel (config.redis).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import { privateDataDir } from './data-dir.js';

export class StartupError extends Error {
  override name = 'StartupError';
}

/** A connection to one server (or a Sentinel-managed master) or to a whole cluster. */
export type RedisClient = Redis | Cluster;
export type RedisConfig = Config['redis'];

interface Rules {
  maxRetriesPerRequest: number | null;
  enableOfflineQueue?: boolean;
  connectTimeout?: number;
}

/** Workers block on Redis: they must retry forever, never give up on a command. */
const WORKER: Rules = { maxRetriesPerRequest: null };
/** Producers (the API) fail fast so a request answers 503 instead of hanging. */
const PRODUCER: Rules = { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 3000 };

interface ConnectOptions {
  /**
   * The client takes SSUBSCRIBE (the Socket.IO sharded adapter): in a cluster it then holds
   * one subscriber connection per master, each for the channels of its own slots.
   */
  sharded?: boolean;
  /**
   * Commands issued in one turn of the event loop leave in one write (ioredis auto-pipelining):
   * for a client many tasks share, such as a thousand reply streams' events, where one write
   * per command would cost a syscall each. Not for BullMQ's connections (blocking commands).
   */
  autoPipelining?: boolean;
}

function connect(redis: RedisConfig, rules: Rules, opts: ConnectOptions = {}): RedisClient {
  const pipelining = opts.autoPipelining ? { enableAutoPipelining: true } : {};
  if (redis.cluster) {
    const { enableOfflineQueue, ...perNode } = rules;
    return new Cluster(redis.cluster.nodes, {
      enableReadyCheck: true,
      ...pipelining,
      ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
      shardedSubscribers: opts.sharded ?? false,
      // BullMQ reads the per-node options to check maxRetriesPerRequest.
      redisOptions: { ...perNode, ...(redis.cluster.password ? { password: redis.cluster.password } : {}) },
    });
  }
  const options: RedisOptions = { enableReadyCheck: true, ...rules, ...pipelining };
  if (redis.sentinel) {
    const { nodes, name, password, sentinelPassword } = redis.sentinel;
    return new Redis({ ...options, sentinels: nodes, name, ...(password ? { password } : {}), ...(sentinelPassword ? { sentinelPassword } : {}) });
  }
  return new Redis(redis.url, options);
}

export function workerConnection(redis: RedisConfig, opts: ConnectOptions = {}): RedisClient {
  return connect(redis, WORKER, opts);
}

export function producerConnection(redis: RedisConfig): RedisClient {
  return connect(redis, PRODUCER);
}

/** Resolves once the client is connected; rejects on its first error. */
export async function whenReady(client: RedisClient): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise((resolve, reject) => client.once('ready', resolve).once('error', reject));
}

/** A fail-fast connection that is already connected (it has no offline queue to wait in). */
export async function connectedProducer(redis: RedisConfig): Promise<RedisClient> {
  const client = producerConnection(redis);
  try {
    await whenReady(client);
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
  /** Set when this process started its own redis-server. */
  child?: ChildProcess;
  stop(): Promise<void>;
}

const hosts = (nodes: Array<{ host: string; port: number }>) => nodes.map((n) => `${n.host}:${n.port}`).join(', ');

/** A cluster or a Sentinel-managed master is never started here: it answers, or one clear error. */
async function reachTopology(redis: RedisConfig): Promise<void> {
  const where = redis.cluster ? `the Redis Cluster at ${hosts(redis.cluster.nodes)}` : `the master "${redis.sentinel!.name}" through the sentinels at ${hosts(redis.sentinel!.nodes)}`;
  let client: RedisClient | undefined;
  try {
    client = await connectedProducer(redis);
    await client.ping();
  } catch (err) {
    throw new StartupError(`Redis is not reachable: ${where} did not answer (${(err as Error).message})`);
  } finally {
    client?.disconnect();
  }
}

/** Finds Redis at REDIS_URL or starts a managed one; otherwise one clear error. */
export async function ensureRedis(config: Config, log: Logger): Promise<RedisHandle> {
  const { url, autostart } = config.redis;
  if (config.redis.cluster || config.redis.sentinel) {
    await reachTopology(config.redis);
    return { stop: async () => undefined };
  }
  if (await ping(url)) return { stop: async () => undefined };
  const u = new URL(url);
  const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(u.hostname);
  if (!autostart || !local || !redisServerOnPath()) {
    throw new StartupError(
      `Redis is not reachable at ${u.host} and no redis-server binary is available to start one: ` +
        'install Redis 7 (e.g. `apt-get install redis-server`), start it, or set REDIS_URL',
    );
  }
  privateDataDir(config.dataDir);
  const dir = path.join(config.dataDir, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  const port = u.port || '6379';
  // A process group of its own: a Ctrl-C in the terminal signals the whole group, and Redis must
  // outlive the graceful stop (the jobs in flight finish against it); it is stopped last, and
  // at process.exit too (a start that failed, a shutdown that timed out). A SIGKILL of the
  // parent leaves it running, as it did before.
  const child = spawn(
    'redis-server',
    ['--port', port, '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--maxmemory-policy', 'noeviction'],
    { stdio: 'ignore', detached: true },
  );
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  log.warn({ port, dir }, 'no Redis answered: started a managed redis-server (data in DATA_DIR/redis)');
  for (let i = 0; i < 50; i++) {
    if (await ping(url)) {
      return {
        child,
        stop: () =>
          new Promise<void>((resolve) => {
            process.off('exit', killOnExit);
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

/** BullMQ needs Redis >= 6.2 (a cluster 7, for sharded pub/sub) and must not lose keys to eviction. */
export async function checkRedis(client: RedisClient, log: Logger): Promise<void> {
  const info = await client.info('server');
  const version = /redis_version:(\d+)\.(\d+)/.exec(info);
  const [major, minor] = version ? [Number(version[1]), Number(version[2])] : [0, 0];
  if (major < 6 || (major === 6 && minor < 2)) {
    throw new StartupError(`Redis ${major}.${minor} is too old: BullMQ needs Redis >= 6.2`);
  }
  if (client instanceof Cluster && major < 7) {
    throw new StartupError(`Redis ${major}.${minor} is too old for a cluster: Socket.IO's sharded adapter needs Redis >= 7 (SPUBLISH)`);
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
