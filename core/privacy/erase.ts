/**
 * Erasure (GDPR art. 17, 152-FZ art. 21). Confirmed with the password, the account is shut
 * at once (sessions revoked, sockets closed, queued work cancelled, the subscription ended);
 * a job then destroys the data step by step. Each step is idempotent and recorded in the
 * request's progress, so a worker that dies mid-way is followed by one that finishes. The
 * flow ends with a destruction act for admins: what was destroyed, when and how, the
 * request, and the extract of the audit entries.
 */
import type { Knex } from 'knex';
import type { Queue } from 'bullmq';
import type { RedisClient } from '../redis.js';
import { audit, auditActorOf } from '../audit.js';
import type { AccountEffects } from '../auth/accounts.js';
import { changeAccount } from '../auth/accounts.js';
import { verifyPassword } from '../auth/passwords.js';
import { revokeSessionsOf } from '../auth/refresh-tokens.js';
import { expireStripeCheckouts } from '../billing/effects.js';
import { destroyDocument } from '../documents/documents.js';
import { domainErrors } from '../errors.js';
import type { Logger } from '../log.js';
import type { ReviewEffects } from '../reviews/effects.js';
import { handBackReviewsOf } from '../reviews/hand-back.js';
import { announceChanged, cancelReviewsOf } from '../reviews/work.js';
import type { StripeProvider } from '../billing/stripe.js';
import type { Storage } from '../storage/index.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import { personHash } from './keys.js';
import { loadRequest, recordStep, type PrivacyRequestRow } from './requests.js';

export interface ErasureRequestDeps {
  db: Knex;
  effects: AccountEffects;
  encryptionKey: Buffer;
  /** The login's: a stolen session may not guess the password here faster than at sign-in. */
  throttle: LoginThrottle;
}

/** Confirms with the password and shuts the account; the caller queues `privacy.erase`. */
export async function requestErasure(deps: ErasureRequestDeps, userId: string, password: string, ip: string): Promise<PrivacyRequestRow> {
  const user = await deps.db('users').where({ id: userId }).first('email', 'password_hash', 'status');
  if (!user) throw domainErrors.invalid('the password is not right', 'invalid_password');
  const attempt = await deps.throttle.attempt(user.email, ip);
  if (attempt.wait > 0) throw domainErrors.limited(attempt.wait, 'too many wrong passwords: try again later');
  if (!(await verifyPassword(user.password_hash, password))) throw domainErrors.invalid('the password is not right', 'invalid_password');
  await attempt.succeeded();
  const open = await deps.db('privacy_requests').where({ user_id: userId, type: 'erasure' }).whereIn('status', ['queued', 'running']).first();
  if (open) {
    // Asked again after the block failed (the request had committed): the account shuts now.
    if (user.status !== 'blocked') await shut(deps, userId);
    return open as PrivacyRequestRow;
  }
  const request = await deps.db.transaction(async (trx) => {
    // What is held now, for the act: a resumed step only sees what an earlier run left.
    const count = async (table: string) => Number((await trx(table).where({ user_id: userId }).count({ n: '*' }))[0]?.n ?? 0);
    const inventory = { documents: await count('documents'), chats: await count('chats'), messages: await count('messages'), payments: await count('payments') };
    const [request] = await trx('privacy_requests').insert({
      user_id: userId, type: 'erasure',
      // The pseudonym too: the act finds the account's entries by it after the secret is gone.
      progress: JSON.stringify({ email_hash: personHash(deps.encryptionKey, user.email), actor: await auditActorOf(trx, userId), inventory }),
    }).returning('*');
    await revokeSessionsOf(trx, userId);
    // Ended here; a Stripe one is ended at Stripe by the erasure job's `stripe` step, retried until Stripe answers.
    await trx('subscriptions').where({ user_id: userId }).whereIn('status', ['incomplete', 'active', 'past_due'])
      .update({ status: 'canceled', canceled_at: trx.fn.now(), next_charge_at: null, updated_at: trx.fn.now() });
    await audit({ actorId: userId, action: 'privacy.erasure_requested', targetType: 'privacy_request', targetId: request.id, ip }, trx);
    return request as PrivacyRequestRow;
  });
  await shut(deps, userId);
  return request;
}

/** Sessions end now: sockets close on every node, queued answers are removed. */
async function shut(deps: ErasureRequestDeps, userId: string): Promise<void> {
  await changeAccount(deps.db, deps.effects, { id: userId }, { status: 'blocked' }, { actorId: null, via: 'privacy.erasure' });
}

export interface ErasureDeps {
  db: Knex;
  storage: Storage;
  redis: RedisClient;
  prefix: string;
  queues: Queue[];
  log: Logger;
  /** Announces and reroutes after the person's open reviews are cancelled. */
  reviews: ReviewEffects;
  /** Ends subscriptions and open checkouts at Stripe, when this server has Stripe keys. */
  stripe?: Pick<StripeProvider, 'cancelNow' | 'deleteCustomerOf' | 'expireCheckout'> | undefined;
}

/**
 * Ends at Stripe each of the person's Stripe subscriptions (ours are canceled already): Stripe
 * must stop charging. Then deletes the customers who bought them, with the e-mail and card the
 * person gave Stripe's Checkout (Stripe keeps its own records of the charges, as the law
 * requires of it). A failure throws, so the job tries again; what Stripe ended or deleted
 * already counts as done. Their open checkouts are expired, best effort: one paid all the same finds its
 * subscription kept, ended, and is cancelled at Stripe and flagged for a refund.
 */
async function cancelAtStripe(deps: ErasureDeps, userId: string): Promise<Record<string, number>> {
  const open: string[] = await deps.db('payments').where({ user_id: userId, provider: 'stripe', status: 'pending' }).whereNotNull('provider_payment_id').pluck('provider_payment_id');
  await expireStripeCheckouts({ db: deps.db, stripe: deps.stripe, log: deps.log }, open);
  const ids: string[] = await deps.db('subscriptions').where({ user_id: userId, provider: 'stripe' }).whereNotNull('provider_subscription_id').pluck('provider_subscription_id');
  if (ids.length && !deps.stripe) {
    // Nothing can reach Stripe from here: said in the log and the act, not waited on for good.
    deps.log.error({ subscriptions: ids.length }, 'an erasure found Stripe subscriptions and this server has no Stripe keys');
    return { not_reachable: ids.length };
  }
  const counts: Record<string, number> = { canceled: 0, already_canceled: 0, customers_deleted: 0, customers_already_deleted: 0 };
  for (const id of ids) counts[(await deps.stripe!.cancelNow(id)) === 'canceled' ? 'canceled' : 'already_canceled']! += 1;
  for (const id of ids) counts[(await deps.stripe!.deleteCustomerOf(id)) === 'deleted' ? 'customers_deleted' : 'customers_already_deleted']! += 1;
  return counts;
}

/** Tables holding the person's rows, deleted in this order (children first); payments are kept. */
const USER_TABLES = [
  'ai_cache', 'ai_usage_daily', 'ai_usage_provider_daily', 'ai_usage_records', 'idempotency_keys', 'consents', 'usage_counters',
  'lawyer_profiles', 'refresh_tokens',
] as const;

async function destroyDocuments(deps: ErasureDeps, userId: string): Promise<{ documents: number; objects: number }> {
  await deps.db('documents').where({ user_id: userId }).whereNull('deleted_at').update({ deleted_at: deps.db.fn.now() });
  const ids: string[] = await deps.db('documents').where({ user_id: userId }).pluck('id');
  let objects = 0;
  for (const id of ids) objects += (await destroyDocument(deps, id))?.objects ?? 0;
  // Exports are the person's data too.
  const exports = await deps.db('privacy_requests').where({ user_id: userId, type: 'export' }).whereNotNull('storage_key');
  for (const e of exports) {
    await deps.storage.delete(e.storage_key);
    await deps.db('privacy_requests').where({ id: e.id }).update({ storage_key: null, sealed_key: null });
    objects++;
  }
  return { documents: ids.length, objects };
}

/** Reply streams of the person's messages and every queued or kept job that names them. */
async function destroyRedis(deps: ErasureDeps, userId: string): Promise<{ keys: number; jobs: number }> {
  const messageIds: string[] = await deps.db('messages').where({ user_id: userId }).pluck('id');
  let keys = 0;
  for (let i = 0; i < messageIds.length; i += 500) {
    // Each reply's event stream and its attempt fence (core/chat/reply-stream.ts).
    const batch = messageIds.slice(i, i + 500).flatMap((id) => [`${deps.prefix}:reply-stream:${id}`, `${deps.prefix}:reply-stream:${id}:attempt`]);
    if (batch.length) keys += await deps.redis.del(...batch);
  }
  let jobs = 0;
  for (const queue of deps.queues) {
    // Found first, removed after: removing while paging would shift later jobs past the next page.
    const theirs = [];
    for (const state of ['completed', 'failed', 'delayed', 'wait', 'prioritized', 'waiting-children'] as const) {
      for (let start = 0; ; start += 500) {
        const page = await queue.getJobs([state], start, start + 499);
        theirs.push(...page.filter((job) => {
          const data = job?.data as Record<string, unknown> | undefined;
          return data && (data.user_id === userId || data.requester_id === userId);
        }));
        if (page.length < 500) break;
      }
    }
    for (const job of theirs) await job.remove().then(() => jobs++, () => undefined);
  }
  return { keys, jobs };
}

async function destroyRows(deps: ErasureDeps, userId: string): Promise<Record<string, number>> {
  const { counts, changed } = await deps.db.transaction(async (trx) => {
    const counts: Record<string, number> = {};
    // The person's open reviews end as their cancel would end them, so the lawyers get their
    // slots back before the chats' delete cascades to the reviews (document reviews went with
    // the documents step).
    const cancelled = await cancelReviewsOf(trx, { requester_id: userId }, 'privacy.erasure');
    counts.reviews_cancelled = cancelled.length;
    const chats: string[] = await trx('chats').where({ user_id: userId }).pluck('id');
    counts.pii_vaults = chats.length ? await trx('pii_vaults').where({ scope_type: 'chat' }).whereIn('scope_id', chats).delete() : 0;
    counts.messages = Number((await trx('messages').where({ user_id: userId }).count({ n: '*' }))[0]?.n ?? 0);
    counts.chats = await trx('chats').where({ user_id: userId }).delete();
    counts.reviews = await trx('lawyer_reviews').where({ requester_id: userId }).delete();
    // An erased lawyer's open reviews go back to routing (their block handed them back already;
    // this catches any taken since).
    const handedBack = await handBackReviewsOf(trx, userId, { actorId: null, via: 'privacy.erasure' });
    counts.reviews_handed_back = handedBack.length;
    for (const table of USER_TABLES) counts[table] = await trx(table).where({ user_id: userId }).delete();
    // Kept, ended, without the person or a saved card (a YooKassa one's provider id is its card):
    // a checkout paid or a Stripe invoice billed after this finds what it belongs to, has it
    // cancelled at Stripe and is flagged for a refund (billing/apply.ts). One started since the
    // request (its block had failed) ends here; the reconcile job cancels a Stripe one there.
    counts.subscriptions_kept = await trx('subscriptions').where({ user_id: userId }).update({
      user_id: null, payment_method_id: null, provider_subscription_id: trx.raw(`CASE WHEN provider = 'stripe' THEN provider_subscription_id END`),
      status: 'canceled', canceled_at: trx.raw('coalesce(canceled_at, now())'), cancel_at_period_end: false, next_charge_at: null, updated_at: trx.fn.now(),
    });
    // Tax law keeps the payments: amounts, dates and provider ids stay, the person goes, and
    // with them the saved card's id an event not yet applied still holds.
    await trx('payment_events').whereRaw(`data->'payment'->>'providerPaymentId' IN (SELECT provider_payment_id FROM payments WHERE user_id = ?)`, [userId])
      .whereRaw(`data->'payment'->>'paymentMethodId' IS NOT NULL`).update({ data: trx.raw(`data #- '{payment,paymentMethodId}'`) });
    counts.payments_kept = await trx('payments').where({ user_id: userId }).update({ user_id: null, confirmation_url: null });
    // The account's secret first, so the count shows it went: its data key and pseudonym die with it.
    counts.user_keys = await trx('user_keys').where({ user_id: userId }).delete();
    counts.users = await trx('users').where({ id: userId }).delete();
    return { counts, changed: [...cancelled, ...handedBack] };
  });
  await announceChanged(deps.reviews, changed);
  return counts;
}

/** Runs (or resumes) an erasure; each finished step is skipped on a rerun. */
export async function runErasure(deps: ErasureDeps, requestId: string, onStep: (r: PrivacyRequestRow) => Promise<void>): Promise<PrivacyRequestRow> {
  let request = await loadRequest(deps.db, requestId);
  if (!request || request.type !== 'erasure') throw domainErrors.notFound('no such erasure');
  if (request.status === 'completed') return request;
  const userId = request.user_id;
  const step = async (name: string, run: () => Promise<unknown>) => {
    if (request!.progress[name] !== undefined) return;
    request = await recordStep(deps.db, requestId, name, await run());
    await onStep(request);
  };
  await step('documents', () => destroyDocuments(deps, userId));
  await step('redis', () => destroyRedis(deps, userId));
  await step('stripe', () => cancelAtStripe(deps, userId));
  await step('database', () => destroyRows(deps, userId));
  await step('act', async () => {
    const { email_hash: emailHash, actor, inventory, ...steps } = request!.progress as Record<string, unknown> & { email_hash: string; actor: string | null };
    const extract = await deps.db('audit_logs').where({ actor_id: userId }).orWhere({ actor: actor ?? '' }).orWhereIn('target_id', [userId, requestId])
      .orderBy('seq').select('seq', 'action', 'created_at', 'hash');
    const act = {
      request_id: requestId, account_id: userId, email_hash: emailHash, audit_actor: actor,
      requested_at: request!.created_at, completed_at: new Date().toISOString(),
      // Held when the erasure was asked for; `destroyed` counts per step what the run that finished it found.
      held_at_request: inventory,
      destroyed: steps,
      how: {
        documents: 'every version\'s object and the masked export deleted from storage; their sealed data keys deleted with their rows, so copies left in backups cannot be decrypted without them',
        database: 'rows deleted: account, sessions, chats, messages, placeholder vaults, document texts, chunks and vectors, reviews requested, consents, caches, usage',
        redis: 'reply streams deleted; queued and kept jobs that named the account removed',
        stripe: 'subscriptions ended at Stripe, so Stripe charges no more, open checkouts expired, and the customers who bought them deleted there with the e-mail and card given to Stripe',
        payments: 'kept as tax law requires, without the account, with their subscriptions (ended, without a saved card): no name or e-mail is stored with them',
        audit: 'entries kept; they name the actor by a keyed hash whose key, the account\'s secret, was destroyed with it (older entries by the account id, which no longer leads to anyone), and hold the actor\'s address sealed with a key of that secret, so it can no longer be read (entries written before addresses were sealed keep theirs as written)',
        keys: 'the account\'s secret destroyed with its row: its data key, which sealed its placeholder registries and its files\' data keys, cannot be derived again, so copies in backups stay sealed',
      },
      audit_extract: extract,
    };
    await deps.db('destruction_acts').insert({ request_id: requestId, user_id: userId, email_hash: emailHash, act: JSON.stringify(act) }).onConflict('request_id').ignore();
    return true;
  });
  await deps.db.transaction(async (trx) => {
    const updated = await trx('privacy_requests').where({ id: requestId }).whereNot({ status: 'completed' }).update({ status: 'completed', completed_at: trx.fn.now() });
    if (updated) await audit({ action: 'privacy.erasure_completed', targetType: 'privacy_request', targetId: requestId, meta: { account_id: userId } }, trx);
  });
  request = (await loadRequest(deps.db, requestId))!;
  await onStep(request);
  return request;
}
