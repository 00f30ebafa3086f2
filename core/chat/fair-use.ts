/**
 * Fair use, checked when a message is accepted: at most `maxInflight` replies queued or
 * streaming per user, and the plan's `messages_per_day`. A per-user advisory lock serialises
 * the check with the insert, so two API processes cannot both let a request over the limit.
 */
import type { Knex } from 'knex';
import type { Usage } from '../ai/index.js';
import { planLimitSql } from '../billing/plans.js';
import type { Message } from '../db/models/index.js';
import { rawPrepared } from '../db/prepared.js';
import { domainErrors } from '../errors.js';

export interface FairUseLimits {
  maxInflight: number;
  /** CHAT_STUCK_AFTER_SECONDS: a reply untouched this long is dead and holds no slot. */
  stuckAfterSeconds: number;
}

/** The UTC day a quota counts on. */
export const dayOf = (at: Date | string) => new Date(at).toISOString().slice(0, 10);
const today = () => dayOf(new Date());

function secondsToMidnightUtc(): number {
  const now = new Date();
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.ceil((midnight - now.getTime()) / 1000);
}

export interface AdmittedTurn {
  questionId: string;
  replyId: string;
  /** The question's time; the reply sorts 1 ms after it (keyset cursors stay exact). */
  at: Date;
}

const quotaExceeded = (limit: unknown) =>
  domainErrors.limited(secondsToMidnightUtc(), `the daily limit of ${limit} messages is used up`, 'quota_exceeded');

/** chat_admit's refusals (migrations/20261228000016_chat_admission.ts), by SQLSTATE. */
const REFUSALS: Record<string, (limits: FairUseLimits, detail?: string) => Error> = {
  CA404: () => domainErrors.notFound('no such chat'),
  CA409: () => domainErrors.conflict('the chat is archived'),
  CA429: (limits) => domainErrors.limited(2, `at most ${limits.maxInflight} replies may be in progress at once`),
  CA430: (_, detail) => quotaExceeded(detail),
};

/**
 * Admits a question and writes it with its reply, in one statement (one round trip, no
 * transaction to open): the `chat_admit` function takes the user's fair-use lock (admissions
 * of one user run one at a time, across API processes), touches the chat (its ownership
 * check), counts the replies in flight, counts today's message unless the quota is used up,
 * and only then inserts the question (`pending`) and the reply (`queued`). Refuses with
 * `not_found`, `conflict` (archived), `rate_limited` or `quota_exceeded`; a refusal aborts
 * the statement, so nothing it touched is kept. The same statement brings back the account's
 * secret, which seals the question for its job (seal.ts).
 */
export async function admitQuestion(db: Knex, userId: string, chatId: string, limits: FairUseLimits, turn: AdmittedTurn): Promise<{ message: Message; reply: Message; ownerSecret: Buffer }> {
  // A reply untouched this long is dead (its job was lost; the sweeper fails it): no slot.
  const alive = new Date(Date.now() - limits.stuckAfterSeconds * 1000);
  let rows: Array<Message & { owner_secret?: Buffer }>;
  try {
    ({ rows } = await rawPrepared<{ rows: Array<Message & { owner_secret?: Buffer }> }>(db,
      `SELECT m.*, (SELECT secret FROM user_keys WHERE user_id = ?::uuid) AS owner_secret
       FROM chat_admit(?::uuid, ?::uuid, ?::uuid, ?::uuid, ?::timestamptz, ?::timestamptz, ?::date, ?::int) AS m`, [
        userId, userId, chatId, turn.questionId, turn.replyId, turn.at, alive, dayOf(turn.at), limits.maxInflight,
      ]));
  } catch (err) {
    const { code, detail } = err as { code?: string; detail?: string };
    const refusal = code === undefined ? undefined : REFUSALS[code];
    throw refusal ? refusal(limits, detail) : err;
  }
  const ownerSecret = rows[0]!.owner_secret!;
  for (const row of rows) delete row.owner_secret;
  return { message: rows.find((r) => r.id === turn.questionId)!, reply: rows.find((r) => r.id === turn.replyId)!, ownerSecret };
}

async function readQuotaExceeded(db: Knex | Knex.Transaction, userId: string) {
  const { rows } = await db.raw(`SELECT ${planLimitSql('messages_per_day')} AS n`, [userId]);
  return quotaExceeded(rows[0]?.n);
}

/**
 * Counts one message for today, or refuses `quota_exceeded`: one conditional upsert, so
 * parallel requests can never count past the limit. Returns the day it was counted on and, read
 * in the same statement, the account's secret, which seals the prompt for its job (seal.ts).
 */
export async function countMessage(db: Knex | Knex.Transaction, userId: string): Promise<{ day: string; ownerSecret: Buffer | undefined }> {
  const day = today();
  const { rows } = await db.raw(
    `INSERT INTO ai_usage_daily AS d (user_id, day, messages)
       SELECT ?::uuid, ?::date, 1 WHERE ${planLimitSql('messages_per_day')} >= 1
       ON CONFLICT (user_id, day) DO UPDATE SET messages = d.messages + 1 WHERE d.messages < ${planLimitSql('messages_per_day')}
       RETURNING (SELECT secret FROM user_keys WHERE user_id = d.user_id) AS owner_secret`,
    [userId, day, userId, userId],
  );
  if (rows.length === 0) throw await readQuotaExceeded(db, userId);
  return { day, ownerSecret: rows[0].owner_secret ?? undefined };
}

/** Gives back a message counted on `day` (it was never served); never below zero. */
export async function giveBackMessage(db: Knex | Knex.Transaction, userId: string, day: string): Promise<void> {
  await db('ai_usage_daily').where({ user_id: userId, day }).where('messages', '>', 0).decrement('messages', 1);
}

/** What an answer costs: its tokens, nothing (a cached answer), or its message back (a stand-in). */
export type Charge =
  | { kind: 'tokens'; userId: string; usage: Usage; provider: string }
  | { kind: 'none' }
  | { kind: 'give_back'; userId: string; day: string };

/**
 * Common table expressions that apply `charge` once for each row of the CTE named `source`
 * (the answer that was just stored, or the marker row of a one-off request). They run in
 * the statement that writes `source`, so the answer and its cost commit together or not at
 * all, and a rerun that writes no row charges nothing.
 */
function chargeCtes(source: string, charge: Charge): { sql: string; bindings: Array<string | number> } {
  if (charge.kind === 'none') return { sql: '', bindings: [] };
  if (charge.kind === 'give_back') {
    return {
      sql: `, given_back AS (UPDATE ai_usage_daily SET messages = messages - 1
          WHERE user_id = ? AND day = ?::date AND messages > 0 AND EXISTS (SELECT 1 FROM ${source}))`,
      bindings: [charge.userId, charge.day],
    };
  }
  const { userId, usage, provider } = charge;
  const day = today();
  return {
    sql: `, daily AS (INSERT INTO ai_usage_daily AS d (user_id, day, input_tokens, output_tokens)
          SELECT ?, ?::date, ?, ? FROM ${source}
          ON CONFLICT (user_id, day) DO UPDATE SET input_tokens = d.input_tokens + excluded.input_tokens, output_tokens = d.output_tokens + excluded.output_tokens)
        , by_provider AS (INSERT INTO ai_usage_provider_daily AS p (user_id, day, provider, input_tokens, output_tokens)
          SELECT ?, ?::date, ?, ?, ? FROM ${source}
          ON CONFLICT (user_id, day, provider) DO UPDATE SET input_tokens = p.input_tokens + excluded.input_tokens, output_tokens = p.output_tokens + excluded.output_tokens)`,
    bindings: [userId, day, usage.input_tokens, usage.output_tokens, userId, day, provider, usage.input_tokens, usage.output_tokens],
  };
}

/**
 * Stores a reply's answer if the reply is still open, and charges it, in one statement.
 * Answers the stored row, or undefined when another run completed it or it was cancelled.
 */
export async function completeReply(db: Knex, replyId: string, answer: { content: string; meta: object }, charge: Charge): Promise<Record<string, unknown> | undefined> {
  const cost = chargeCtes('done', charge);
  const { rows } = await rawPrepared(
    db,
    `WITH done AS (UPDATE messages SET content = ?, status = 'completed', meta = ?::jsonb, updated_at = now()
        WHERE id = ? AND status IN ('queued', 'streaming') RETURNING *)${cost.sql}
     SELECT * FROM done`,
    [answer.content, JSON.stringify(answer.meta), replyId, ...cost.bindings],
  );
  return rows[0];
}

/**
 * Charges a one-off completion once per request, in one statement: the marker row's insert
 * guards it, so a retried job (the worker died after charging) changes nothing.
 */
export async function settleUsageOnce(db: Knex, requestId: string, charge: Charge & { userId: string }): Promise<boolean> {
  const cost = chargeCtes('marked', charge);
  const { rows } = await db.raw(
    `WITH marked AS (INSERT INTO ai_usage_records (request_id, user_id) VALUES (?, ?) ON CONFLICT (request_id) DO NOTHING RETURNING request_id)${cost.sql}
     SELECT count(*) AS n FROM marked`,
    [requestId, charge.userId, ...cost.bindings],
  );
  return Number(rows[0].n) > 0;
}
