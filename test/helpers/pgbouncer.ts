/**
 * A real PgBouncer (Debian's `pgbouncer`) in transaction mode in front of the test Postgres,
 * with a small server pool so that clients' transactions share server connections: any
 * session state the service relied on (SET, session advisory locks, named prepared
 * statements) would leak between clients or be lost.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { ADMIN_DATABASE_URL } from './services.js';
import { freePort } from './spawn.js';

export interface PgBouncer {
  port: number;
  /** `postgres://…@127.0.0.1:<port>/<database>` through the bouncer. */
  urlFor(database: string): string;
  log(): string;
  stop(): Promise<void>;
}

const BINARY = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => fs.existsSync(p)) ?? 'pgbouncer';


async function listening(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`pgbouncer did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startPgBouncer(opts: { poolSize?: number } = {}): Promise<PgBouncer> {
  if (spawnSync(BINARY, ['--version']).status !== 0) throw new Error('pgbouncer is not installed: apt-get install pgbouncer (bash .ci/run does it)');
  const upstream = new URL(ADMIN_DATABASE_URL);
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgbouncer-'));
  fs.chmodSync(dir, 0o777);
  const user = decodeURIComponent(upstream.username || 'postgres');
  fs.writeFileSync(path.join(dir, 'userlist.txt'), `"${user}" ""\n`);
  fs.writeFileSync(path.join(dir, 'pgbouncer.ini'), [
    '[databases]',
    `* = host=${upstream.hostname} port=${upstream.port || 5432}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    'auth_type = trust',
    `auth_file = ${path.join(dir, 'userlist.txt')}`,
    'pool_mode = transaction',
    `default_pool_size = ${opts.poolSize ?? 3}`,
    'max_client_conn = 500',
    'ignore_startup_parameters = extra_float_digits,options',
    `logfile = ${path.join(dir, 'pgbouncer.log')}`,
    `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
    '',
  ].join('\n'));
  for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o666);
  // PgBouncer refuses to run as root: as root (CI), it runs as the postgres account.
  const args = [path.join(dir, 'pgbouncer.ini')];
  const child: ChildProcess = process.getuid?.() === 0
    ? spawn('runuser', ['-u', 'postgres', '--', BINARY, ...args], { stdio: 'ignore' })
    : spawn(BINARY, args, { stdio: 'ignore' });
  await listening(port, 10_000);
  return {
    port,
    urlFor(database) {
      const u = new URL(ADMIN_DATABASE_URL);
      u.port = String(port);
      u.pathname = `/${database}`;
      return u.toString();
    },
    log: () => (fs.existsSync(path.join(dir, 'pgbouncer.log')) ? fs.readFileSync(path.join(dir, 'pgbouncer.log'), 'utf8') : ''),
    async stop() {
      // The pid file names pgbouncer itself (under runuser the child is runuser).
      const pidFile = path.join(dir, 'pgbouncer.pid');
      const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').trim()) : undefined;
      if (pid) process.kill(pid, 'SIGTERM');
      else child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
