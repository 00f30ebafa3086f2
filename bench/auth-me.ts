/**
 * Authenticated `GET /api/auth/me` under concurrent load, against a bare Koa app measured
 * in the same run: the ratio is what the full edge (JWT check, user lookup, validation,
 * logging, headers) costs.
 */
import { fork } from 'node:child_process';
import { testEnv } from '../test/helpers/env.js';
import { registerUser } from '../test/helpers/http.js';
import { freePort, spawnService, waitForReady } from '../test/helpers/spawn.js';
import { load } from './load.js';

export async function runAuthMeBench(opts: { connections: number; durationMs: number }) {
  const t = testEnv('benchme', { LOG_LEVEL: 'warn' });
  const [port, barePort] = [await freePort(), await freePort()];
  const service = spawnService('api', { ...t.env, PORT: String(port), NODE_ENV: 'production', JWT_SECRET: 'b'.repeat(48), ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') });
  const bare = fork('bench/bare-koa.ts', { env: { ...process.env, PORT: String(barePort) }, execArgv: ['--import', 'tsx'] });
  try {
    await waitForReady(`http://127.0.0.1:${port}/readyz`, service);
    await new Promise((resolve) => bare.once('message', resolve));
    const user = await registerUser(`http://127.0.0.1:${port}`, 'bench');
    const headers = { authorization: `Bearer ${user.token}` };
    // Warm both up, then measure them one after the other in the same run.
    await load(`http://127.0.0.1:${port}/api/auth/me`, { connections: 8, durationMs: 1000, headers });
    await load(`http://127.0.0.1:${barePort}/`, { connections: 8, durationMs: 1000 });
    const baseline = await load(`http://127.0.0.1:${barePort}/`, opts);
    const me = await load(`http://127.0.0.1:${port}/api/auth/me`, { ...opts, headers });
    return {
      name: 'GET /api/auth/me vs bare Koa',
      connections: opts.connections,
      service: me,
      baseline,
      throughput_ratio: Math.round((me.rps / baseline.rps) * 1000) / 1000,
    };
  } finally {
    bare.kill('SIGTERM');
    await service.stop();
    await t.cleanup();
  }
}
