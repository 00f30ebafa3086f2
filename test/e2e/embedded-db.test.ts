/**
 * The embedded database has one owner: `npm run cli` reaches a running `npm start` through
 * it (the change is live at once), a chat question is admitted and answered on it, a second
 * start is refused with one line, and with the server stopped, or dead, the directory opens
 * again.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, newChat, storedReply } from './chat/harness.js';
import { testEnv } from '../helpers/env.js';
import { registerUser, request } from '../helpers/http.js';
import { ROOT, spawnListening, spawnService, type Spawned } from '../helpers/spawn.js';

const t = testEnv('embeddeddb');
delete t.env.DATABASE_URL;
delete t.env.DATABASE_SCHEMA;
const lockFile = path.join(t.dataDir, 'pglite.lock');
let base: string;
let server: Spawned;
/** Every service started, so a failed step leaves none running. */
const started: Spawned[] = [];
let user: Awaited<ReturnType<typeof registerUser>>;

/** `npm run cli -- ...` as an operator types it, in another process. */
async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  return cliWith({}, ...args);
}

async function cliWith(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; out: string }> {
  const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/cli.ts', ...args], { cwd: ROOT, env: { ...t.env, ...env } });
  return run.then(
    ({ stdout, stderr }) => ({ code: 0, out: stdout + stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, out: err.stdout + err.stderr }),
  );
}

async function start(): Promise<Spawned> {
  const { proc, url } = await spawnListening('all', t.env, 60_000);
  started.push(proc);
  base = url;
  return proc;
}

const role = async () => (await request(base, 'GET', '/api/auth/me', { token: user.token })).body.role;

beforeAll(async () => {
  server = await start();
  user = await registerUser(base, 'operator');
}, 90_000);

afterAll(async () => {
  await Promise.all(started.map((proc) => proc.stop()));
  await t.cleanup();
});

describe('embedded database owner', () => {
  it('applies a CLI role change to the running server at once', async () => {
    expect((await request(base, 'GET', '/api/admin/users', { token: user.token })).status).toBe(403);

    const { code, out } = await cli('user:role', user.email, 'admin');
    expect({ code, out: out.trim() }).toEqual({ code: 0, out: `${user.email} is now admin` });

    expect(await role()).toBe('admin');
    const list = await request(base, 'GET', '/api/admin/users', { token: user.token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((u: { email: string }) => u.email)).toContain(user.email);
  }, 60_000);

  it('makes the change without Redis, saying what it does not reach at once', async () => {
    const { code, out } = await cliWith({ REDIS_URL: 'redis://127.0.0.1:1' }, 'user:role', user.email, 'admin');
    expect(code).toBe(0);
    expect(out).toContain(`${user.email} is now admin`);
    expect(out).toMatch(/warning: Redis is not reachable \(redis:\/\/127\.0\.0\.1:1\): running API nodes apply this change within 10 s/);
  }, 60_000);

  it('admits and answers a chat question, and refuses one to a chat that is not there', async () => {
    const chatId = await newChat(base, user.token);
    const { reply } = await ask(base, user.token, chatId, 'Как вернуть залог за квартиру?');
    expect((await storedReply(base, user.token, chatId, reply.id, 30_000)).status).toBe('completed');
    const missing = await request(base, 'POST', `/api/chats/${randomUUID()}/messages`, { token: user.token, json: { content: 'Вопрос' } });
    expect([missing.status, missing.body.code]).toEqual([404, 'not_found']);
  }, 60_000);

  it('refuses a second start on the same DATA_DIR with one line', async () => {
    const second = spawnService('all', { ...t.env, PORT: '0' });
    started.push(second);
    const code = await Promise.race([second.exited, new Promise((resolve) => setTimeout(resolve, 30_000, 'still running'))]);
    expect(code).toBe(1);
    expect(second.output().trim()).toBe(`error: DATA_DIR ${t.dataDir} is in use by process ${server.child.pid} (npm start); stop it or set another DATA_DIR`);
    // The refused start left the owner alone.
    expect(await role()).toBe('admin');
  }, 60_000);

  it('lets the CLI open the directory itself once the server has stopped', async () => {
    expect(JSON.parse(fs.readFileSync(lockFile, 'utf8'))).toMatchObject({ pid: server.child.pid });
    expect(await server.stop()).toBe(0);
    expect(fs.existsSync(lockFile)).toBe(false);

    const { code, out } = await cli('user:role', user.email, 'lawyer');
    expect({ code, out: out.trim() }).toEqual({ code: 0, out: `${user.email} is now lawyer` });
    expect(fs.existsSync(lockFile)).toBe(false);
  }, 60_000);

  it('takes over the lock of a process that died', async () => {
    const dead = await promisify(execFile)(process.execPath, ['-e', 'console.log(process.pid)']);
    fs.writeFileSync(lockFile, JSON.stringify({ pid: Number(dead.stdout), command: 'npm start', socketDir: t.dataDir }));

    server = await start();
    expect(JSON.parse(fs.readFileSync(lockFile, 'utf8'))).toEqual({ pid: server.child.pid, command: 'npm start', socketDir: t.dataDir });
    // The data written by the CLI alone is there.
    expect(await role()).toBe('lawyer');
  }, 90_000);
});
