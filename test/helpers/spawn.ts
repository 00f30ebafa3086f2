/** Spawns the service as a user would (the `start` scripts of package.json) and waits for it. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** `node FLAGS… bin/start.ts MODE`, as `npm start` (or start:api, start:workers) runs it. */
function startArgs(mode: 'all' | 'api' | 'workers'): string[] {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const [node, ...args] = scripts[mode === 'all' ? 'start' : `start:${mode}`]!.trim().split(/\s+/);
  if (node !== 'node') throw new Error(`the start script of ${mode} does not run node`);
  return args;
}

export interface Spawned {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `group`: in a process group of its own, as a terminal runs `npm start` (Ctrl-C signals the whole group). */
export function spawnService(mode: 'all' | 'api' | 'workers', env: NodeJS.ProcessEnv, opts: { group?: boolean } = {}): Spawned {
  const child = spawn(process.execPath, startArgs(mode), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: Boolean(opts.group) });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * Spawns the service on a port it picks itself (PORT=0) and resolves with its URL once /readyz
 * answers. A port found free beforehand may be taken meanwhile by a process of another test
 * file, as a listening or an outgoing connection's port. The URL comes from the `listening`
 * log line, so the level is at least info.
 */
export async function spawnListening(mode: 'all' | 'api', env: NodeJS.ProcessEnv, timeoutMs = 30_000, opts: { group?: boolean } = {}): Promise<{ proc: Spawned; url: string }> {
  const verbose = env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace';
  const proc = spawnService(mode, { ...env, PORT: '0', LOG_LEVEL: verbose ? env.LOG_LEVEL : 'info' }, opts);
  const deadline = Date.now() + timeoutMs;
  try {
    let url: string | undefined;
    while (!(url = /"url":"(http:\/\/[^"]+)"[^\n]*"msg":"listening"/.exec(proc.output())?.[1])) {
      if (proc.child.exitCode !== null) throw new Error(`service exited early (${proc.child.exitCode}):\n${proc.output()}`);
      if (Date.now() > deadline) throw new Error(`service not listening within ${timeoutMs} ms:\n${proc.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await waitForReady(`${url}/readyz`, proc, Math.max(1000, deadline - Date.now()));
    return { proc, url };
  } catch (err) {
    await proc.stop('SIGKILL');
    throw err;
  }
}

/** Polls until `url` answers 200, or fails with the process output. */
export async function waitForReady(url: string, proc: Spawned, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`service exited early (${proc.child.exitCode}):\n${proc.output()}`);
    const ok = await fetch(url).then((r) => r.status === 200, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`service not ready at ${url} within ${timeoutMs} ms:\n${proc.output()}`);
}

export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
