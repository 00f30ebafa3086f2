/**
 * The embedded database (DATABASE_URL unset): exactly one process owns DATA_DIR/pglite,
 * recorded in DATA_DIR/pglite.lock. The owner uses PGlite in-process and serves it on a
 * unix socket (DATA_DIR/.s.PGSQL.5432); command-line tools reach a running owner there.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import type { Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { StartupError } from '../redis.js';
import { tryLock, type HeldLock, type LockRecord } from './lock.js';
import { serveSocket, SOCKET_FILE, type SocketServer } from './pglite-socket.js';
import { Turns } from './turns.js';
import { privateDataDir } from '../data-dir.js';

export const LOCK_FILE = 'pglite.lock';
/** The session name of this process's own knex connection in Turns. */
const IN_PROCESS = 'in-process';
/** How long a tool waits for a starting owner to listen (a first start runs initdb). */
const JOIN_WAIT_MS = 60_000;

export class DataDirInUse extends StartupError {
  override name = 'DataDirInUse';
  constructor(dataDir: string, readonly owner: LockRecord) {
    super(`DATA_DIR ${shown(dataDir)} is in use by process ${owner.pid} (${owner.command}); stop it or set another DATA_DIR`);
  }
}

/** DATA_DIR as the user most likely typed it: ./data under the working directory, else absolute. */
function shown(dir: string): string {
  const rel = path.relative(process.cwd(), dir);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? `./${rel}` : dir;
}

/** Unix socket paths are capped near 104 bytes: a deep DATA_DIR gets a private directory in tmp. */
function socketDirFor(dataDir: string): string {
  if (path.join(dataDir, SOCKET_FILE).length < 100) return dataDir;
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pglite-'));
}

/**
 * Knex settings that make this process the owner of DATA_DIR/pglite: the lock is taken now,
 * PGlite opens and the socket starts on the first connection, and closing that connection
 * (knex `destroy()`) stops both and removes the lock. Throws DataDirInUse when a live
 * process owns the directory.
 */
export function ownEmbedded(dataDir: string, command: string): Knex.Config {
  privateDataDir(dataDir);
  fs.mkdirSync(path.join(dataDir, 'pglite'), { recursive: true });
  const attempt = tryLock(path.join(dataDir, LOCK_FILE), { pid: process.pid, command });
  if ('owner' in attempt) throw new DataDirInUse(dataDir, attempt.owner);
  const connection = ownerConnection(dataDir, attempt.held);
  // knex-pglite takes an existing instance through a connection function.
  return { client: EmbeddedClient as unknown as typeof ClientPgLite, dialect: 'postgres', connection: () => ({ pglite: connection }) as object };
}

/**
 * knex-pglite names a statement's command after knex's method, and a delete's is `del`: `DEL`,
 * which knex's Postgres dialect does not know, so `.delete()` answered the driver's raw result
 * instead of the number of rows (an object, truthy when nothing was deleted; erasure's counts
 * showed it). Named `delete`, its command is `DELETE` and the count comes back.
 */
// knex's typings leave out the dialect's `processResponse`.
const PgLiteClient = ClientPgLite as unknown as new (config: Knex.Config) => { processResponse(obj: object, runner: unknown): unknown };
class EmbeddedClient extends PgLiteClient {
  override processResponse(obj: { method?: string }, runner: unknown): unknown {
    return super.processResponse(obj.method === 'del' ? { ...obj, method: 'delete' } : obj, runner);
  }
}

/**
 * For command-line tools: the running owner's socket, or, when nobody runs, ownership of
 * the directory for this process's lifetime.
 */
export async function joinEmbedded(dataDir: string, command: string): Promise<Knex.Config> {
  const deadline = Date.now() + JOIN_WAIT_MS;
  for (;;) {
    let owner: LockRecord;
    try {
      return ownEmbedded(dataDir, command);
    } catch (err) {
      if (!(err instanceof DataDirInUse)) throw err;
      owner = err.owner;
    }
    if (owner.socketDir) {
      return {
        client: 'pg',
        connection: { host: owner.socketDir, port: 5432, user: 'postgres', database: 'postgres' },
        pool: { min: 0, max: 1 },
      };
    }
    if (Date.now() > deadline) throw new StartupError(`${new DataDirInUse(dataDir, owner).message} (it does not serve the database yet)`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** What knex-pglite calls on its one connection: `waitReady`, `query`, `close`. */
function ownerConnection(dataDir: string, lock: HeldLock) {
  const turns = new Turns();
  let opened: Promise<{ db: PGlite; socket: SocketServer; socketDir: string }> | undefined;
  const open = () =>
    (opened ??= (async () => {
      // pgvector is loaded so the embedded database can hold embeddings too (hybrid search).
      const db = await PGlite.create(path.join(dataDir, 'pglite'), { extensions: { vector } });
      const socketDir = socketDirFor(dataDir);
      const socket = await serveSocket(db, turns, socketDir).catch(async (err: Error) => {
        await db.close();
        throw err;
      });
      lock.publish(socketDir);
      return { db, socket, socketDir };
    })());
  return {
    get waitReady() {
      return open().then(() => undefined);
    },
    async query(sql: string, params?: unknown[], options?: object) {
      const { db } = await open();
      await turns.take(IN_PROCESS);
      try {
        return await db.query(sql, params, options);
      } finally {
        if (!db.isInTransaction()) turns.give(IN_PROCESS);
      }
    },
    async close() {
      try {
        if (opened) {
          const { db, socket, socketDir } = await opened;
          await socket.close();
          await db.close();
          if (socketDir !== dataDir) fs.rmSync(socketDir, { recursive: true, force: true });
        }
      } finally {
        lock.release();
      }
    },
  };
}
