/**
 * Fair use, checked when a message is accepted: at most `maxInflight` replies queued or
 * streaming per user, and a daily message quota. A per-user advisory lock serialises the
 * check with the insert, so two API processes cannot both let a request over the limit.
 */
import type { Knex } from 'knex';
import type { Usage } from '../ai/index.js';
import { problems } from '../http/problem.js';

export interface FairUseLimits {
  maxInflight: number;
  dailyQuota: number;
  /** CHAT_STUCK_AFTER_SECONDS: a reply untouched this long is dead and holds no slot. */
  stuckAfterSeconds: number;
}

const today = () => new Date().toISOString().slice(0, 10);

function secondsToMidnightUtc(): number {
  const now = new Date();
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.ceil((midnight - now.getTime()) / 1000);
}

/** One kind of unfinished work that the in-flight limit counts (chat replies, one-off answers). */
export interface InflightKind {
  /** Named in the 429 detail: "at most N <what> may be in progress at once". */
  what: string;
  count(trx: Knex.Transaction, userId: string): Promise<number>;
}

/** Chat replies queued or streaming; the messages table is their record. */
export const chatReplies = (stuckAfterSeconds: number): InflightKind => ({
  what: 'replies',
  async count(trx, userId) {
    const row = await trx('messages')
      .where({ user_id: userId, sender: 'assistant' })
      .whereIn('status', ['queued', 'streaming'])
      // A reply untouched this long is dead (its job was lost; the sweeper fails it): no slot.
      .where('updated_at', '>', new Date(Date.now() - stuckAfterSeconds * 1000))
      .count({ count: '*' })
      .first();
    return Number(row?.count ?? 0);
  },
});

/**
 * Throws 429 `rate_limited` or `quota_exceeded`; otherwise counts one message for today.
 * Runs in the caller's transaction, which a throw rolls back (with today's count).
 */
export async function admitMessage(trx: Knex.Transaction, userId: string, limits: FairUseLimits, inflight: InflightKind): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`chat-fair-use:${userId}`]);
  if ((await inflight.count(trx, userId)) >= limits.maxInflight) {
    throw problems.rateLimited(2, `at most ${limits.maxInflight} ${inflight.what} may be in progress at once`);
  }
  // Counted and checked in one statement: over the quota, the rollback takes the count back.
  const [row] = await trx('ai_usage_daily')
    .insert({ user_id: userId, day: today(), messages: 1 })
    .onConflict(['user_id', 'day'])
    .merge({ messages: trx.raw('ai_usage_daily.messages + 1') })
    .returning('messages');
  if (Number(row.messages) > limits.dailyQuota) {
    throw problems.rateLimited(secondsToMidnightUtc(), `the daily limit of ${limits.dailyQuota} messages is used up`, 'quota_exceeded');
  }
}

/** Adds a completed reply's tokens to the user's day (in the transaction that stores the reply). */
export async function recordUsage(trx: Knex | Knex.Transaction, userId: string, usage: Usage): Promise<void> {
  await trx('ai_usage_daily')
    .insert({ user_id: userId, day: today(), input_tokens: usage.input_tokens, output_tokens: usage.output_tokens })
    .onConflict(['user_id', 'day'])
    .merge({
      input_tokens: trx.raw('ai_usage_daily.input_tokens + ?', [usage.input_tokens]),
      output_tokens: trx.raw('ai_usage_daily.output_tokens + ?', [usage.output_tokens]),
    });
}

/**
 * Adds a one-off completion's tokens once per request: a retried job (the worker died after
 * counting, or a later step failed) finds its marker row and adds nothing.
 */
export async function recordUsageOnce(db: Knex, requestId: string, userId: string, usage: Usage): Promise<boolean> {
  return db.transaction(async (trx) => {
    const marked = await trx('ai_usage_records').insert({ request_id: requestId, user_id: userId }).onConflict('request_id').ignore().returning('request_id');
    if (marked.length === 0) return false;
    await recordUsage(trx, userId, usage);
    return true;
  });
}
