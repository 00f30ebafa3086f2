/**
 * The safety net for replies nobody will finish: BullMQ fails a job that stalled more than
 * `maxStalledCount` times without running our code, so its row would stay `streaming`
 * forever. A reply untouched for `stuckAfterSeconds` whose job is no longer alive is
 * failed here (`reply_lost`), and the client is told.
 */
import type { Emitter } from '../emitter.js';
import type { Db } from '../db/knex.js';
import { failQuestionAndReply } from './reply.js';

export interface SweepDeps {
  db: Db;
  emitter: Emitter;
  /** Whether the reply's job is still queued or running (the queue is the pipeline's business). */
  replyJobAlive(replyId: string): Promise<boolean>;
  stuckAfterSeconds: number;
}

/** Replies looked at per statement, and pages per run: a bounded run; what is left waits for the next minute's. */
const PAGE = 500;
const MAX_PAGES = 20;

/** `at`: updated_at as Postgres writes it, to the microsecond (a JavaScript Date keeps milliseconds). */
type Stuck = { id: string; reply_to: string; chat_id: string; user_id: string; at: string };

export async function sweepStuckReplies(deps: SweepDeps): Promise<number> {
  const { db } = deps;
  const cutoff = new Date(Date.now() - deps.stuckAfterSeconds * 1000);
  let failed = 0;
  let after: Stuck | undefined;
  // Oldest first, page after page: replies whose jobs are alive (long queues) must not hide the dead ones behind them.
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = db('messages')
      .where({ sender: 'assistant' })
      .whereIn('status', ['queued', 'streaming'])
      .where('updated_at', '<', cutoff)
      .orderBy([{ column: 'updated_at' }, { column: 'id' }])
      .select('id', 'reply_to', 'chat_id', 'user_id', db.raw('updated_at::text AS at'))
      .limit(PAGE);
    if (after) query.whereRaw('(updated_at, id) > (?::timestamptz, ?)', [after.at, after.id]);
    const stuck = (await query) as Stuck[];
    for (const row of stuck) {
      if (await deps.replyJobAlive(row.id)) continue;
      await failQuestionAndReply(deps, { message_id: row.id, reply_to: row.reply_to, chat_id: row.chat_id, user_id: row.user_id }, {
        code: 'reply_lost',
        detail: 'the reply could not be completed: please ask again',
      });
      failed++;
    }
    if (stuck.length < PAGE) break;
    after = stuck.at(-1);
  }
  return failed;
}

const DAY_MS = 24 * 3600 * 1000;
const PURGE_BATCH = 1000;
const PURGE_MAX_BATCHES = 20;

/** Deletes rows of `table` whose `column` is before `cutoff`, a bounded batch at a time (short locks, bounded run). */
async function purgeBefore(db: Db, table: string, keys: string[], column: string, cutoff: Date): Promise<number> {
  let total = 0;
  for (let i = 0; i < PURGE_MAX_BATCHES; i++) {
    const batch = db(table).select(keys).where(column, '<', cutoff).limit(PURGE_BATCH);
    const deleted = await db(table).whereIn(keys, batch).delete();
    total += deleted;
    if (deleted < PURGE_BATCH) break;
  }
  return total;
}

const ago = (ms: number) => new Date(Date.now() - ms);

/**
 * Housekeeping of the same schedule: Idempotency-Keys are replayed for 24 h only; usage
 * markers only guard a job's retries (a failed job is kept 24 h): a week is plenty; cached
 * answers past their expiry are never served again.
 */
export async function purgeExpired(db: Db): Promise<{ idempotencyKeys: number; usageRecords: number; cachedAnswers: number }> {
  return {
    idempotencyKeys: await purgeBefore(db, 'idempotency_keys', ['user_id', 'key'], 'created_at', ago(DAY_MS)),
    usageRecords: await purgeBefore(db, 'ai_usage_records', ['request_id'], 'created_at', ago(7 * DAY_MS)),
    cachedAnswers: await purgeBefore(db, 'ai_cache', ['key'], 'expires_at', new Date()),
  };
}
