/**
 * Renewals of YooKassa subscriptions: at the period's end (and at each dunning retry) the
 * saved payment method is charged. The renewal payment row is made first, under the
 * subscription's lock, and its id is the `Idempotence-Key`: a crash between the charge and
 * recording it leads the next run to repeat the call with the same key, and YooKassa answers
 * with the same payment, never a second charge. Stripe renews on its own side.
 */
import type { Knex } from 'knex';
import type { Logger } from '../log.js';
import { settlePayment } from './apply.js';
import { LIVE_STATUSES } from './plans.js';
import type { ProviderPayment } from './provider.js';
import { YooKassaRefused } from './yookassa.js';

export interface Charger {
  chargeSaved(p: { paymentId: string; methodId: string; amountMinor: number; currency: string; description: string }): Promise<ProviderPayment>;
}

const BATCH = 50;

export async function renewDue(deps: { db: Knex; yookassa: Charger | undefined; firstPollSeconds: number; log: Logger }): Promise<{ charged: number; users: string[] }> {
  const { db } = deps;
  if (!deps.yookassa) return { charged: 0, users: [] };
  const due = await db('subscriptions as s').join('plans as p', 'p.id', 's.plan_id')
    .where({ 's.provider': 'yookassa', 's.cancel_at_period_end': false }).whereIn('s.status', LIVE_STATUSES)
    .where('s.next_charge_at', '<=', db.fn.now()).limit(BATCH)
    .select('s.id', 's.user_id', 's.payment_method_id', 'p.price_minor', 'p.currency', 'p.name');
  const users: string[] = [];
  for (const sub of due) {
    const payment = await db.transaction(async (trx) => {
      const locked = await trx('subscriptions').where({ id: sub.id }).whereIn('status', LIVE_STATUSES).where('next_charge_at', '<=', trx.fn.now()).forUpdate().first('id');
      if (!locked) return undefined;
      const open = await trx('payments').where({ subscription_id: sub.id, kind: 'renewal' }).whereIn('status', ['pending', 'waiting_for_capture']).first();
      if (open) return open;
      const [row] = await trx('payments').insert({
        user_id: sub.user_id, subscription_id: sub.id, provider: 'yookassa', kind: 'renewal', amount_minor: sub.price_minor, currency: sub.currency,
        next_poll_at: trx.raw(`now() + make_interval(secs => ?)`, [deps.firstPollSeconds]),
      }).returning('*');
      return row;
    });
    if (!payment) continue;
    try {
      if (!sub.payment_method_id) throw new Error('no saved payment method');
      const charged = await deps.yookassa.chargeSaved({
        paymentId: payment.id, methodId: sub.payment_method_id, amountMinor: payment.amount_minor, currency: payment.currency,
        description: `Продление подписки «${sub.name}»`,
      });
      await db('payments').where({ id: payment.id }).update({ provider_payment_id: charged.providerPaymentId, updated_at: db.fn.now() });
      const applied = await settlePayment(db, 'yookassa', charged);
      deps.log.info({ subscription_id: sub.id, payment_id: payment.id, outcome: applied.outcome }, 'renewal charged');
      users.push(sub.user_id);
    } catch (err) {
      // The provider did not answer: the payment stays pending and the next run repeats the call
      // with the same key. It refused the charge itself (or there is no saved method): repeating
      // it changes nothing, so the charge counts as failed and dunning starts.
      deps.log.warn({ subscription_id: sub.id, payment_id: payment.id, err: (err as Error).message }, 'renewal not charged');
      if (!sub.payment_method_id || err instanceof YooKassaRefused) {
        await db('payments').where({ id: payment.id }).update({ provider_payment_id: `none-${payment.id}` });
        await settlePayment(db, 'yookassa', { providerPaymentId: `none-${payment.id}`, status: 'canceled' });
        users.push(sub.user_id);
      }
    }
  }
  return { charged: users.length, users };
}

/** Ends subscriptions whose period is over and that were not to renew (cancelled by the user, or granted by an operator). */
export async function expireEnded(db: Knex): Promise<string[]> {
  const ended = await db('subscriptions').whereIn('status', LIVE_STATUSES).where('current_period_end', '<', db.fn.now())
    .where((q) => q.where({ cancel_at_period_end: true }).orWhere({ provider: 'manual' }))
    .update({ status: 'canceled', canceled_at: db.fn.now(), next_charge_at: null, updated_at: db.fn.now() }).returning('user_id');
  return ended.map((r: { user_id: string }) => r.user_id);
}
