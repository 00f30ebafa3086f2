/**
 * Renewals of YooKassa subscriptions: at the period's end (and at each dunning retry) the
 * saved payment method is charged. The renewal payment row is made first, under the
 * subscription's lock, and its id is the `Idempotence-Key`: a crash between the charge and
 * recording it leads the next run to repeat the call with the same key, and YooKassa answers
 * with the same payment, never a second charge; for a day only, as YooKassa keeps a key's result
 * for 24 hours. Stripe renews on its own side.
 */
import type { Knex } from 'knex';
import type { Logger } from '../log.js';
import { settlePayment } from './apply.js';
import { afterSettle } from './effects.js';
import { LIVE_STATUSES } from './plans.js';
import { YooKassaRefused, type YooKassaProvider } from './yookassa.js';

export type Charger = Pick<YooKassaProvider, 'fetch' | 'chargeSaved'>;

const BATCH = 50;
/** The id a renewal charge that YooKassa never made is marked with: `none-<payment id>`. */
const NEVER_MADE = 'none-';
/** YooKassa keeps an `Idempotence-Key`'s result for 24 hours; a pending call is not repeated past this. */
const KEY_KEPT_HOURS = 23;

export async function renewDue(deps: { db: Knex; yookassa: Charger | undefined; firstPollSeconds: number; log: Logger }): Promise<{ charged: number; users: string[] }> {
  const { db } = deps;
  if (!deps.yookassa) return { charged: 0, users: [] };
  const due = await db('subscriptions as s').join('plans as p', 'p.id', 's.plan_id')
    .where({ 's.provider': 'yookassa', 's.cancel_at_period_end': false }).whereIn('s.status', LIVE_STATUSES)
    .where('s.next_charge_at', '<=', db.fn.now()).limit(BATCH)
    // The subscription's own price: a plan's later price change applies to new checkouts only.
    .join('users as u', 'u.id', 's.user_id')
    .select('s.id', 's.user_id', 's.payment_method_id', 's.price_minor', 's.currency', 'p.name', 'u.email');
  const users: string[] = [];
  const effects = { db, stripe: undefined, log: deps.log };
  for (const sub of due) {
    const payment = await db.transaction(async (trx) => {
      const locked = await trx('subscriptions').where({ id: sub.id }).whereIn('status', LIVE_STATUSES).where('next_charge_at', '<=', trx.fn.now()).forUpdate().first('id');
      if (!locked) return undefined;
      const open = await trx('payments').where({ subscription_id: sub.id, kind: 'renewal' }).whereIn('status', ['pending', 'waiting_for_capture'])
        .first('*', trx.raw(`created_at < now() - make_interval(hours => ?) AS key_expiring`, [KEY_KEPT_HOURS]));
      if (open) return open;
      const [row] = await trx('payments').insert({
        user_id: sub.user_id, subscription_id: sub.id, provider: 'yookassa', kind: 'renewal', amount_minor: sub.price_minor, currency: sub.currency,
        next_poll_at: trx.raw(`now() + make_interval(secs => ?)`, [deps.firstPollSeconds]),
      }).returning('*');
      return row;
    });
    if (!payment) continue;
    if (payment.provider_payment_id?.startsWith(NEVER_MADE)) {
      // Marked as never made, and not settled: a stop between the two, before they shared a transaction.
      await chargeFailed(db, payment.id);
      users.push(sub.user_id);
      continue;
    }
    if (payment.provider_payment_id) {
      // YooKassa has it (pending at the bank): asked how it stands, never charged again (once
      // its key has expired a repeat would be a second charge). Its webhook, or the reconcile
      // polls, may settle it first; this covers one pending past their last poll.
      try {
        await afterSettle(effects, await settlePayment(db, 'yookassa', await deps.yookassa.fetch(payment.provider_payment_id)));
      } catch (err) {
        deps.log.warn({ subscription_id: sub.id, payment_id: payment.id, err: (err as Error).message }, 'pending renewal not fetched');
      }
      continue;
    }
    if (payment.key_expiring) {
      // Unanswered for a day: the key is about to be forgotten and a repeat could charge twice.
      // The charge counts as failed (dunning retries with a new key); should it have gone
      // through, its notification names this row and flags it for a refund (apply.ts).
      deps.log.warn({ subscription_id: sub.id, payment_id: payment.id }, 'renewal unanswered for a day: counted as failed');
      await chargeFailed(db, payment.id);
      users.push(sub.user_id);
      continue;
    }
    try {
      if (!sub.payment_method_id) throw new Error('no saved payment method');
      const charged = await deps.yookassa.chargeSaved({
        paymentId: payment.id, methodId: sub.payment_method_id, amountMinor: payment.amount_minor, currency: payment.currency,
        description: `Продление подписки «${sub.name}»`, email: sub.email,
      });
      await db('payments').where({ id: payment.id }).update({ provider_payment_id: charged.providerPaymentId, updated_at: db.fn.now() });
      const applied = await settlePayment(db, 'yookassa', charged);
      await afterSettle(effects, applied);
      deps.log.info({ subscription_id: sub.id, payment_id: payment.id, outcome: applied.outcome }, 'renewal charged');
      users.push(sub.user_id);
    } catch (err) {
      // The provider did not answer: the payment stays pending and the next run repeats the call
      // with the same key. It refused the charge itself (or there is no saved method): repeating
      // it changes nothing, so the charge counts as failed and dunning starts.
      deps.log.warn({ subscription_id: sub.id, payment_id: payment.id, err: (err as Error).message }, 'renewal not charged');
      if (!sub.payment_method_id || err instanceof YooKassaRefused) {
        await chargeFailed(db, payment.id);
        users.push(sub.user_id);
      }
    }
  }
  return { charged: users.length, users };
}

/**
 * A renewal charge that YooKassa never made (as far as we know): canceled, so dunning starts.
 * Only while the row has no id of YooKassa's: a notification that linked it meanwhile wins. The
 * mark and the settlement commit together: a stop between them left the row pending under the
 * mark, fetched from YooKassa in vain at every run, and the subscription live without a charge.
 */
async function chargeFailed(db: Knex, paymentId: string): Promise<void> {
  const mark = `${NEVER_MADE}${paymentId}`;
  await db.transaction(async (trx) => {
    const marked = await trx('payments').where({ id: paymentId, status: 'pending' })
      .where((q) => q.whereNull('provider_payment_id').orWhere({ provider_payment_id: mark })).update({ provider_payment_id: mark });
    if (marked) await settlePayment(trx, 'yookassa', { providerPaymentId: mark, status: 'canceled' });
  });
}

/** Ends subscriptions whose period is over and that were not to renew (cancelled by the user, or granted by an operator). */
export async function expireEnded(db: Knex): Promise<string[]> {
  const ended = await db('subscriptions').whereIn('status', LIVE_STATUSES).where('current_period_end', '<', db.fn.now())
    .where((q) => q.where({ cancel_at_period_end: true }).orWhere({ provider: 'manual' }))
    .update({ status: 'canceled', canceled_at: db.fn.now(), next_charge_at: null, updated_at: db.fn.now() }).returning('user_id');
  return ended.map((r: { user_id: string }) => r.user_id);
}
