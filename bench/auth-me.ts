/**
 * Authenticated `GET /api/auth/me` under concurrent load, against a bare Koa app measured
 * in the same run, in alternating rounds: the ratio is what the full edge (JWT check, user
 * lookup, validation, logging, headers) costs.
 */
import { fork } from 'node:child_process';
import { testEnv } from '../test/helpers/env.js';
import { registerUser } from '../test/helpers/http.js';
import { freePort, spawnService, waitForReady } from '../test/helpers/spawn.js';
import { load } from './load.js';

const ROUNDS = 3;

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
    // Warm both up.
    await load(`http://127.0.0.1:${port}/api/auth/me`, { connections: 8, durationMs: 1000, headers });
    await load(`http://127.0.0.1:${barePort}/`, { connections: 8, durationMs: 1000 });
    // Short rounds, alternating: a change in the machine's load falls on both alike; the round
    // with the median ratio is reported, with every round's ratio beside it.
    const rounds = [];
    for (let i = 0; i < ROUNDS; i++) {
      const baseline = await load(`http://127.0.0.1:${barePort}/`, { ...opts, durationMs: opts.durationMs / ROUNDS });
      const me = await load(`http://127.0.0.1:${port}/api/auth/me`, { ...opts, durationMs: opts.durationMs / ROUNDS, headers });
      rounds.push({ baseline, me, ratio: Math.round((me.rps / baseline.rps) * 1000) / 1000 });
    }
    const median = [...rounds].sort((a, b) => a.ratio - b.ratio)[Math.floor(ROUNDS / 2)]!;
    return {
      name: 'GET /api/auth/me vs bare Koa',
      connections: opts.connections,
      service: median.me,
      baseline: median.baseline,
      throughput_ratio: median.ratio,
      round_ratios: rounds.map((r) => r.ratio),
    };
  } finally {
    bare.kill('SIGTERM');
    await service.stop();
    await t.cleanup();
  }
}
