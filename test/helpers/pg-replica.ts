/**
 * A real PostgreSQL streaming replica for tests: a small primary cluster of its own (initdb
 * in a temp dir, trust auth, which also allows replication from 127.0.0.1) and a hot standby
 * made from it by `pg_basebackup -R -X stream`. Both belong to the test: the machine's own
 * cluster and its pg_hba.conf are left alone. As root (CI) the servers run as `postgres`.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sqlOnce } from './services.js';
import { freePort } from './spawn.js';

const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const run = promisify(execFile);

export interface PgReplication {
  primaryUrl: string;
  replicaUrl: string;
  /** The replica keeps receiving WAL but applies none of it until resumed. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Resolves once the replica has applied everything the primary has written so far. */
  caughtUp(): Promise<void>;
  stopReplica(): Promise<void>;
  /** Stops both servers and removes their files. */
  stop(): Promise<void>;
}

/** Runs a PostgreSQL program as the `postgres` account when we are root (the server refuses root). */
async function pgTool(program: string, args: string[]): Promise<void> {
  const bin = path.join(BIN, program);
  const [cmd, argv] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  try {
    await run(cmd, argv, { timeout: 60_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${program} failed: ${e.stderr || e.message}`, { cause: err });
  }
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function startPgReplication(): Promise<PgReplication> {
  if (!fs.existsSync(path.join(BIN, 'initdb'))) throw new Error(`PostgreSQL 15 server binaries not found in ${BIN} (apt-get install postgresql-15, or set PG_BIN)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-replica-'));
  fs.chmodSync(dir, 0o777);
  const primaryDir = path.join(dir, 'primary');
  const replicaDir = path.join(dir, 'replica');
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const server = (port: number) => `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c wal_level=replica -c max_wal_senders=4`;
  const url = (port: number) => `postgres://postgres@127.0.0.1:${port}/postgres`;
  const ctl = (dataDir: string, ...args: string[]) => pgTool('pg_ctl', ['-D', dataDir, ...args]);
  const stopServer = (dataDir: string, mode: 'fast' | 'immediate') =>
    fs.existsSync(path.join(dataDir, 'postmaster.pid')) ? ctl(dataDir, '-m', mode, '-w', 'stop').catch(() => undefined) : Promise.resolve();

  try {
    await pgTool('initdb', ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
    await ctl(primaryDir, '-o', server(primaryPort), '-l', path.join(dir, 'primary.log'), '-w', 'start');
    await pgTool('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', replicaDir, '-R', '-X', 'stream', '--checkpoint=fast', '--no-sync']);
    await ctl(replicaDir, '-o', server(replicaPort), '-l', path.join(dir, 'replica.log'), '-w', 'start');
  } catch (err) {
    await stopServer(replicaDir, 'immediate');
    await stopServer(primaryDir, 'immediate');
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const primaryUrl = url(primaryPort);
  const replicaUrl = url(replicaPort);
  const pauseState = async () => (await sqlOnce<{ state: string }>(replicaUrl, 'SELECT pg_get_wal_replay_pause_state() AS state'))[0]!.state;
  return {
    primaryUrl,
    replicaUrl,
    async pauseReplay() {
      await sqlOnce(replicaUrl, 'SELECT pg_wal_replay_pause()');
      // Pausing is a request: replay stops at the next record boundary.
      await until('replay to pause', async () => (await pauseState()) === 'paused');
    },
    async resumeReplay() {
      await sqlOnce(replicaUrl, 'SELECT pg_wal_replay_resume()');
    },
    async caughtUp() {
      const lsn = (await sqlOnce<{ lsn: string }>(primaryUrl, 'SELECT pg_current_wal_lsn()::text AS lsn'))[0]!.lsn;
      await until('the replica to catch up', async () =>
        (await sqlOnce<{ ok: boolean }>(replicaUrl, 'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [lsn]))[0]!.ok);
    },
    stopReplica: () => stopServer(replicaDir, 'fast'),
    async stop() {
      await stopServer(replicaDir, 'immediate');
      await stopServer(primaryDir, 'fast');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
