/** Start-up as a user meets it: defaults that need no set-up, one-line refusals, clean stops. */
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { testEnv } from '../helpers/env.js';
import { fakeProviderEnv, startFakeOpenAI } from '../helpers/fake-providers/index.js';
import { registerUser } from '../helpers/http.js';
import { ask, connect, newChat } from './chat/harness.js';
import { freePort, spawnListening, spawnService } from '../helpers/spawn.js';

const envs: Array<ReturnType<typeof testEnv>> = [];
const fresh = (name: string, extra: NodeJS.ProcessEnv = {}) => {
  const t = testEnv(name, extra);
  envs.push(t);
  return t;
};
/** Whether a Redis answers PING on `port` within a second. */
function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
    socket.once('error', () => done(false));
  });
}

afterAll(async () => {
  for (const t of envs) await t.cleanup();
});

describe('start-up', () => {
  it('runs on embedded PGlite when DATABASE_URL is unset, and stops with exit 0 on SIGTERM', async () => {
    const t = fresh('pglite');
    delete t.env.DATABASE_URL;
    delete t.env.DATABASE_SCHEMA;
    const { proc, url } = await spawnListening('all', t.env, 45_000);
    const ready = await fetch(`${url}/readyz`).then((r) => r.json());
    expect(ready).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok', storage: 'ok' } });
    // A new installation says how to get an admin.
    await expect.poll(() => proc.output(), { timeout: 10_000 }).toContain('npm run cli -- user:role EMAIL admin');
    expect(await proc.stop('SIGTERM')).toBe(0);
    expect(proc.output()).toContain('"msg":"stopped"');
  }, 60_000);

  it('exits non-zero with one line when Redis is down and no redis-server can be started', async () => {
    const t = fresh('noredis');
    const port = await freePort();
    // PATH without redis-server: an empty directory (node itself is spawned by full path).
    const proc = spawnService('all', { ...t.env, PATH: t.dataDir, REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_AUTOSTART: 'true' });
    expect(await proc.exited).not.toBe(0);
    const lines = proc.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: Redis is not reachable at 127\.0\.0\.1:\d+ .*install Redis/);
  });

  it('starts a managed redis-server under DATA_DIR when nothing answers and the binary exists, and stops it on SIGHUP', async () => {
    const t = fresh('managedredis');
    const redisPort = await freePort();
    const { proc } = await spawnListening('all', { ...t.env, REDIS_URL: `redis://127.0.0.1:${redisPort}`, REDIS_AUTOSTART: 'true' });
    expect(proc.output()).toContain('started a managed redis-server');
    expect(await redisAnswers(redisPort)).toBe(true);
    // SIGHUP (the terminal closed) stops it as cleanly as SIGTERM.
    expect(await proc.stop('SIGHUP')).toBe(0);
    // The managed server is gone with its parent.
    expect(await redisAnswers(redisPort)).toBe(false);
  }, 60_000);

  it('stops cleanly when Ctrl-C signals the whole process group, its managed redis-server last', async () => {
    // An answer streams while the stop begins: finishing it needs Redis to the end.
    const openai = await startFakeOpenAI({ defaultStep: { kind: 'text', text: 'Ответ, который ещё идёт.', chunks: 6, delayMs: 300 } });
    const t = fresh('ctrlc', fakeProviderEnv({ openai }));
    const redisPort = await freePort();
    const { proc, url: base } = await spawnListening('all', { ...t.env, REDIS_URL: `redis://127.0.0.1:${redisPort}`, REDIS_AUTOSTART: 'true' }, 30_000, { group: true });
    try {
      const user = await registerUser(base, 'ctrlc');
      const chatId = await newChat(base, user.token);
      const client = await connect(base, user.token);
      await client.join(chatId);
      const { reply } = await ask(base, user.token, chatId, 'Долгий вопрос');
      await client.first('reply.delta', reply.id);
      client.close();
      process.kill(-proc.child.pid!, 'SIGINT'); // what the terminal does on Ctrl-C
      expect(await proc.exited).toBe(0);
      expect(proc.output()).not.toMatch(/ECONNREFUSED|shutdown timed out/);
    } finally {
      await proc.stop('SIGKILL');
      await openai.close();
    }
    expect(await redisAnswers(redisPort)).toBe(false);
  }, 60_000);

  it('runs two workers processes on one host with METRICS_PORT unset, the second serving metrics on another port', async () => {
    const t = fresh('twoworkers');
    const env: NodeJS.ProcessEnv = { ...t.env, LOG_LEVEL: 'info' };
    delete env.METRICS_PORT; // the default, 9464, for both
    const started = async () => {
      const proc = spawnService('workers', env);
      await expect.poll(() => proc.output(), { timeout: 30_000 }).toContain('worker pools started');
      return proc;
    };
    const first = await started();
    const second = await started();
    try {
      const urls = [first, second].map((p) => /"url":"(http:[^"]+\/metrics)"/.exec(p.output())?.[1]);
      expect(new Set(urls).size).toBe(2);
      for (const url of urls) expect((await fetch(url!)).status).toBe(200);
    } finally {
      expect(await second.stop()).toBe(0);
      expect(await first.stop()).toBe(0);
    }
  }, 90_000);

  it('stops cleanly with exit 0 when SIGTERM comes while it is still starting', async () => {
    const t = fresh('earlystop');
    const proc = spawnService('workers', { ...t.env, LOG_LEVEL: 'info' });
    // Its first log line: it is migrating and connecting, with pools and schedules yet to start.
    await new Promise((resolve) => proc.child.stdout!.once('data', resolve));
    expect(await proc.stop('SIGTERM')).toBe(0);
    expect(proc.output()).toContain('"msg":"stopped"');
  }, 60_000);

  it('refuses production without secrets, naming them', async () => {
    const t = fresh('prod');
    const proc = spawnService('all', { ...t.env, NODE_ENV: 'production' });
    expect(await proc.exited).toBe(1);
    expect(proc.output().trim()).toBe('error: refusing to start in production without JWT_SECRET and ENCRYPTION_KEY');
  });

  it('stops on a bad variable with a message naming it', async () => {
    const t = fresh('badvar');
    const proc = spawnService('all', { ...t.env, PORT: 'http' });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(/^error: invalid configuration: PORT: /);
  });

  it('refuses the split api mode on PGlite', async () => {
    const t = fresh('splitpglite');
    delete t.env.DATABASE_URL;
    const proc = spawnService('api', t.env);
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toContain('set DATABASE_URL');
  });
});
