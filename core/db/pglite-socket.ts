/**
 * Serves the owner's PGlite on a unix socket in the PostgreSQL wire protocol, so `npm run
 * cli`, `npm run migrate` and `psql -h <dir>` reach the database the running server uses.
 * pglite-socket's handler does the framing (startup, SSL refusal, cancel); the order of
 * messages is ours: its own queue interleaves sessions message by message and knows
 * nothing of this process's in-process connection.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { protocol, type PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from '@electric-sql/pglite-socket';
import type { Turns } from './turns.js';

/** The name libpq and node-postgres look for in a socket directory (port 5432). */
export const SOCKET_FILE = '.s.PGSQL.5432';

const discard = { onRawData: () => undefined };

/**
 * A client idle with the turn (inside a transaction: `BEGIN` in psql, then nothing) stops
 * everyone, the server included; like Postgres' idle_in_transaction_session_timeout, it is
 * disconnected (and rolled back) after this long.
 */
export const IDLE_HOLD_MS = 60_000;

/** Does a response end with ReadyForQuery 'I' (Z, length 5, idle)? Then the session is done for now. */
function endsIdle(tail: number[]): boolean {
  return tail.length === 6 && tail[0] === 0x5a && tail[4] === 5 && tail[5] === 0x49 && !tail[1] && !tail[2] && !tail[3];
}

/** The queue the handler calls (`enqueue`, `clearQueueForHandler`, `clearTransactionIfNeeded`), built on Turns. */
function turnQueue(db: PGlite, turns: Turns, idleHoldMs: number, evict: (id: number) => void) {
  const name = (id: number) => `socket#${id}`;
  const idle = new Map<number, NodeJS.Timeout>();
  const busy = (id: number) => {
    clearTimeout(idle.get(id));
    idle.delete(id);
  };
  return {
    async enqueue(id: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
      const session = name(id);
      busy(id);
      await turns.take(session);
      let size = 0;
      let tail: number[] = [];
      await db.runExclusive(() =>
        db.execProtocolRawStream(message, {
          onRawData: (data) => {
            size += data.length;
            tail = [...tail, ...data.subarray(-6)].slice(-6);
            onData(data);
          },
        }),
      );
      if (endsIdle(tail)) turns.give(session);
      else idle.set(id, setTimeout(() => evict(id), idleHoldMs).unref());
      return size;
    },
    clearQueueForHandler(id: number): void {
      busy(id);
      turns.forget(name(id));
    },
    /** A client that left mid-transaction or mid-sequence: end both, then pass the turn on. */
    async clearTransactionIfNeeded(id: number): Promise<void> {
      const session = name(id);
      await db.runExclusive(async () => {
        if (turns.holder !== session) return;
        await db.execProtocolRawStream(protocol.serialize.sync(), discard);
        if (db.isInTransaction()) await db.execProtocolRawStream(protocol.serialize.query('ROLLBACK'), discard);
      });
      turns.give(session);
    },
  };
}

export interface SocketServer {
  close(): Promise<void>;
}

/** Listens on `<dir>/.s.PGSQL.5432` (mode 0600). The caller holds the lock, so a socket file left there is a crashed owner's. */
export async function serveSocket(db: PGlite, turns: Turns, dir: string, idleHoldMs = IDLE_HOLD_MS): Promise<SocketServer> {
  const file = path.join(dir, SOCKET_FILE);
  fs.rmSync(file, { force: true });
  const handlers = new Map<number, PGLiteSocketHandler>();
  const evict = (id: number) => {
    const handler = handlers.get(id);
    handlers.delete(id);
    void handler?.detach(true);
  };
  // The handler types its queue as pglite-socket's unexported class; ours has the same three methods.
  const queryQueue = turnQueue(db, turns, idleHoldMs, evict) as unknown as PGLiteSocketHandlerOptions['queryQueue'];
  const server = net.createServer((socket) => {
    const handler = new PGLiteSocketHandler({ queryQueue, closeOnDetach: true });
    handlers.set(handler.handlerId, handler);
    handler.addEventListener('close', () => handlers.delete(handler.handlerId));
    handler.addEventListener('error', () => handlers.delete(handler.handlerId));
    void handler.attach(socket);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(file, resolve));
  fs.chmodSync(file, 0o600);
  return {
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      await Promise.all([...handlers.values()].map((h) => h.detach(true)));
      await closed;
      fs.rmSync(file, { force: true });
    },
  };
}
