/**
 * `Idempotency-Key` for POSTs that create things: the same key from the same user within
 * 24 h returns the first response and creates nothing new. The key is claimed before the
 * work runs; a failed attempt releases it so the client may retry. The same key with a
 * different request is refused (422), and one still being processed answers 409. A claim
 * still unanswered after a minute is abandoned (its process died mid-work) and may be taken
 * over; while the work runs its claim is touched every 20 s, so a long one (an upload over a
 * slow link) is never taken for abandoned. The stored response keeps its headers (a 202's
 * Location).
 * The request is remembered by an HMAC, not a plain hash: a short message with personal
 * data in it must not be recoverable from the table by guessing.
 */
import { createHmac } from 'node:crypto';
import type { Db } from '../core/db/knex.js';
import { HttpProblem, problems } from './problem.js';
import type { AppContext } from './context.js';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
const TTL_MS = 24 * 3600 * 1000;
/** A claim untouched this long belongs to a process that died mid-work (running work touches it). */
const ABANDONED_MS = 60 * 1000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export interface Outcome {
  status: number;
  body: unknown;
  /** Sent, stored and replayed with the body (e.g. Location). */
  headers?: Record<string, string>;
}

export type Idempotent = (ctx: AppContext, userId: string, body: unknown, work: () => Promise<Outcome>) => Promise<void>;

/** `encryptionKey` is not used as is: a key of its own is derived for this purpose. */
export function createIdempotency(db: Db, encryptionKey: Buffer): Idempotent {
  const secret = createHmac('sha256', encryptionKey).update('idempotency-request-hmac-v1').digest();
  return (ctx, userId, body, work) => idempotent(db, secret, ctx, userId, body, work);
}

async function idempotent(db: Db, secret: Buffer, ctx: AppContext, userId: string, body: unknown, work: () => Promise<Outcome>): Promise<void> {
  const key = ctx.get(IDEMPOTENCY_HEADER);
  const answer = (o: Outcome) => {
    ctx.status = o.status;
    ctx.body = o.body;
    if (o.headers) ctx.set(o.headers);
  };
  if (!key) return answer(await work());
  if (!KEY_PATTERN.test(key)) throw problems.badRequest(`${IDEMPOTENCY_HEADER} must be 1-255 visible ASCII characters`, 'validation_failed');

  const requestHash = createHmac('sha256', secret).update(`${ctx.method} ${ctx.path}\n${JSON.stringify(body ?? null)}`).digest('hex');
  const now = Date.now();
  // One statement claims a free key, or takes over an expired or abandoned claim; a live
  // claim is left as it is (no row returned).
  const claimed = await db('idempotency_keys')
    .insert({ user_id: userId, key, request_hash: requestHash })
    .onConflict(['user_id', 'key'])
    .merge({ request_hash: requestHash, created_at: db.fn.now(), status_code: null, response: null, response_headers: null })
    .where((q) =>
      q.where('idempotency_keys.created_at', '<', new Date(now - TTL_MS))
        .orWhere((a) => a.whereNull('idempotency_keys.status_code').where('idempotency_keys.created_at', '<', new Date(now - ABANDONED_MS))))
    .returning('key');

  if (claimed.length === 0) {
    const first = await db('idempotency_keys').where({ user_id: userId, key }).first();
    if (!first) throw problems.conflict('the request with this Idempotency-Key is being retried; try again');
    if (first.request_hash !== requestHash) {
      throw new HttpProblem(422, 'idempotency_key_reused', 'Idempotency-Key reused', 'this Idempotency-Key was used for a different request');
    }
    if (first.status_code === null) {
      throw new HttpProblem(409, 'conflict', 'Conflict', 'a request with this Idempotency-Key is still being processed', { headers: { 'Retry-After': '1' } });
    }
    ctx.set('Idempotent-Replayed', 'true');
    return answer({ status: first.status_code as number, body: first.response, headers: first.response_headers ?? undefined });
  }

  const heartbeat = setInterval(() => {
    // Only an unanswered claim: one answered or released meanwhile is left alone.
    db('idempotency_keys').where({ user_id: userId, key }).whereNull('status_code').update({ created_at: db.fn.now() })
      .catch((err: unknown) => ctx.state.log.warn({ err: (err as Error).message }, 'could not refresh an idempotency claim'));
  }, ABANDONED_MS / 3);
  heartbeat.unref();
  let outcome: Outcome;
  try {
    outcome = await work();
  } catch (err) {
    await db('idempotency_keys').where({ user_id: userId, key }).delete();
    throw err;
  } finally {
    clearInterval(heartbeat);
  }
  try {
    await db('idempotency_keys')
      .where({ user_id: userId, key })
      .update({ status_code: outcome.status, response: JSON.stringify(outcome.body), response_headers: outcome.headers ? JSON.stringify(outcome.headers) : null });
  } catch (err) {
    // The work is done: the client gets its answer. Unrecorded, the claim is abandoned after
    // a minute and a retry then runs the work again.
    ctx.state.log.error({ err: (err as Error).message }, 'could not store an idempotent response');
  }
  answer(outcome);
}
