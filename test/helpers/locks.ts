/** Races made with real row locks: a test transaction holds a lock until another session waits for it. */
import type { Knex } from 'knex';
import { waitFor } from '../e2e/chat/harness.js';

/** The backend of a transaction, to see who waits for its locks. */
export async function backendOf(trx: Knex): Promise<number> {
  const { rows: [{ pid }] } = await trx.raw('SELECT pg_backend_pid() AS pid');
  return pid as number;
}

/** Resolves once another session waits for a lock that backend `pid` holds. */
export async function untilBlockedBy(db: Knex, pid: number, what: string): Promise<void> {
  await waitFor(what, async () => {
    const { rows: [{ n }] } = await db.raw('SELECT count(*)::int AS n FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))', [pid]);
    return n > 0 || undefined;
  });
}
