/**
 * Throwaway Redis topologies for the tests, from Debian's `redis-server` (7.x): a 3-master
 * Redis Cluster (`--cluster-enabled yes`, joined with `redis-cli --cluster create`), and a
 * master watched by a Sentinel (`redis-server --sentinel`). Free ports, a temp dir, no
 * persistence; `stop()` ends every process and removes the dir.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './spawn.js';

export interface RedisTopology {
  /** `host:port,...` as REDIS_CLUSTER_NODES or REDIS_SENTINELS takes it. */
  seeds: string;
  /** The data nodes (the cluster's masters, or the sentinel's master). */
  ports: number[];
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** One command on a throwaway connection. */
export async function onNode(port: number, ...args: string[]): Promise<unknown> {
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.call(args[0]!, ...args.slice(1));
  } finally {
    client.disconnect();
  }
}

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const srv = net.createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });

/** A cluster node also listens on its bus port, port + 10000. */
async function clusterPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port + 10_000 <= 65_535 && (await portFree(port + 10_000))) return port;
  }
}

function tempDir(kind: string): string {
  if (spawnSync('redis-server', ['--version']).status !== 0) throw new Error('redis-server is not installed: apt-get install redis-server');
  return fs.mkdtempSync(path.join(os.tmpdir(), `redis-${kind}-`));
}

function startServer(dir: string, port: number, args: string[]): ChildProcess {
  return spawn('redis-server', [...args, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
}

function stopAll(children: ChildProcess[], dir: string): () => Promise<void> {
  // Should a hook time out before stop(), the servers still end with the test process.
  const kill = () => children.forEach((child) => child.kill('SIGKILL'));
  process.once('exit', kill);
  return async () => {
    process.off('exit', kill);
    await Promise.all(children.map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      // A server that does not stop on SIGTERM within 3 s is killed.
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    })));
    fs.rmSync(dir, { recursive: true, force: true });
  };
}

export async function startRedisCluster(masters = 3): Promise<RedisTopology> {
  const dir = tempDir('cluster');
  const ports: number[] = [];
  const children: ChildProcess[] = [];
  const stop = stopAll(children, dir);
  try {
    for (let i = 0; i < masters; i++) {
      const port = await clusterPort();
      ports.push(port);
      children.push(startServer(dir, port, ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '5000']));
    }
    for (const port of ports) await until(`redis-server on ${port}`, async () => (await onNode(port, 'PING')) === 'PONG');
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${create.stdout}${create.stderr}`);
    for (const port of ports) await until(`cluster_state:ok on ${port}`, async () => String(await onNode(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'));
  } catch (err) {
    await stop();
    throw err;
  }
  return { seeds: ports.map((p) => `127.0.0.1:${p}`).join(','), ports, stop };
}

/** One master and one Sentinel watching it under `name`. */
export async function startRedisSentinel(name: string): Promise<RedisTopology> {
  const dir = tempDir('sentinel');
  const [master, sentinel] = [await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  const stop = stopAll(children, dir);
  try {
    children.push(startServer(dir, master, []));
    await until(`redis-server on ${master}`, async () => (await onNode(master, 'PING')) === 'PONG');
    // Sentinel rewrites its config file, so it must have one of its own.
    const conf = path.join(dir, 'sentinel.conf');
    fs.writeFileSync(conf, `sentinel monitor ${name} 127.0.0.1 ${master} 1\nsentinel down-after-milliseconds ${name} 5000\n`);
    children.push(spawn('redis-server', [conf, '--sentinel', '--port', String(sentinel), '--bind', '127.0.0.1', '--dir', dir], { stdio: 'ignore' }));
    await until(`sentinel on ${sentinel} to name the master`, async () => {
      const addr = (await onNode(sentinel, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as string[] | null;
      return addr?.[1] === String(master);
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { seeds: `127.0.0.1:${sentinel}`, ports: [master], stop };
}
