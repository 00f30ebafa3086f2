/**
 * Read routing: list and search reads go to the read replica (DATABASE_READ_URL), except a
 * user's reads that could miss that user's own recent write (read-your-writes).
 *
 * After a user's write the writer's WAL insert position is kept for that user in Redis (the
 * highest one, for a few minutes). A read compares it with the replica's last replayed
 * position (`pg_last_wal_replay_lsn()`): replayed, the replica serves; not yet, the writer
 * does. Users who did not write lately cost one Redis GET per read; the replica's position
 * is asked only when a mark is ahead of the last one seen (it never moves back).
 *
 * A replica that cannot be reached is skipped for a few seconds and the read goes to the
 * writer: logged once when it goes away and once when it is back, never a failed request.
 */
import type { RedisClient } from '../redis.js';
import type { Logger } from '../log.js';
import type { Db } from './knex.js';

export interface ReadRouting {
  /** Runs a read for `userId` on the replica when it has replayed that user's writes, else on the writer. */
  read<T>(userId: string, fn: (db: Db) => Promise<T>): Promise<T>;
  /** Notes that `userId` has just written: call after the write committed, before answering. Never throws. */
  wrote(userId: string): Promise<void>;
}

export interface ReadRoutingDeps {
  db: Db;
  /** The replica, or `db` itself when there is none (then reads simply go to the writer). */
  dbRead: Db;
  redis: RedisClient;
  prefix: string;
  log: Logger;
}

/** Longer than any lag we tolerate; a replica further behind serves the user's older state. */
const MARK_TTL_SECONDS = 300;
/** How long reads avoid a replica that failed before trying it again. */
const RETRY_REPLICA_MS = 5_000;
/** Postgres and socket errors that mean "the replica is not there", not "the query is wrong". */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006']);
/** A hot standby cancelled the query (conflict with recovery): the writer answers this one. */
const RECOVERY_CONFLICT = '40001';

// Keeps the highest position: concurrent writes by one user may record out of order.
const RECORD_MAX = `local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > cur then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) else redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 1`;

const lsnQuery = (fn: string) => `SELECT (${fn}() - '0/0'::pg_lsn)::bigint AS lsn`;

function unreachable(err: unknown): boolean {
  const e = err as { code?: string; name?: string; message?: string };
  return UNREACHABLE.has(e.code ?? '') || e.name === 'KnexTimeoutError' || /Connection terminated/i.test(e.message ?? '');
}

export function createReadRouting(deps: ReadRoutingDeps): ReadRouting {
  const { db, dbRead, redis, log } = deps;
  if (dbRead === db) return { read: (_userId, fn) => fn(db), wrote: async () => {} };
  const markKey = (userId: string) => `${deps.prefix}:read-after-write:${userId}`;
  let replayed = 0;
  let asking: Promise<number> | undefined;
  let downUntil = 0;

  /** The replica's replay position, asked once for every read waiting on it. Not in recovery: it has all it has. */
  const askReplayed = () =>
    (asking ??= dbRead
      .raw(lsnQuery('pg_last_wal_replay_lsn'))
      .then((r: { rows: Array<{ lsn: number | null }> }) => (replayed = Math.max(replayed, r.rows[0]?.lsn ?? Number.POSITIVE_INFINITY)))
      .finally(() => (asking = undefined)));

  async function replicaHas(userId: string): Promise<boolean> {
    const mark = Number(await redis.get(markKey(userId)).catch(() => Number.POSITIVE_INFINITY));
    return mark <= replayed || mark <= (await askReplayed());
  }

  let down = false;
  function replicaDown(err: unknown): void {
    if (!down) log.warn({ err }, 'read replica unreachable: reading from the writer');
    down = true;
    downUntil = Date.now() + RETRY_REPLICA_MS;
  }
  function replicaUp(): void {
    if (down) log.info('read replica reachable again');
    down = false;
  }

  return {
    async read(userId, fn) {
      if (Date.now() < downUntil) return fn(db);
      let current: boolean;
      try {
        current = await replicaHas(userId);
      } catch (err) {
        replicaDown(err);
        return fn(db);
      }
      if (!current) return fn(db);
      try {
        const result = await fn(dbRead);
        replicaUp();
        return result;
      } catch (err) {
        const conflict = (err as { code?: string }).code === RECOVERY_CONFLICT;
        if (!conflict && !unreachable(err)) throw err;
        if (!conflict) replicaDown(err);
        return fn(db);
      }
    },

    async wrote(userId) {
      try {
        const { rows } = (await db.raw(lsnQuery('pg_current_wal_insert_lsn'))) as { rows: Array<{ lsn: number }> };
        await redis.eval(RECORD_MAX, 1, markKey(userId), String(rows[0]!.lsn), String(MARK_TTL_SECONDS));
      } catch (err) {
        // The write stands; at worst this user's next reads may lag behind it.
        log.warn({ err }, 'could not record a write for read routing');
      }
    },
  };
}
