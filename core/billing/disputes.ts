/**
 * A payer disputes a charge at their bank (Stripe `charge.dispute.created`). Stripe takes the
 * money back at once and the dispute is lost by default unless answered with evidence by its
 * deadline, so an operator must hear of it: it is audited on the payment once per dispute, with
 * the amount, the bank's reason and the deadline, logged and counted (the PaymentDisputed alert).
 * The plan goes on; the dispute's end decides (webhooks.ts: lost is a refund, won changes nothing).
 */
import type { Knex } from 'knex';
import { audit } from '../audit.js';
import type { Applied } from './apply.js';
import { paymentOfCharge, type RefundedInvoice } from './refunds.js';

export interface DisputeReport {
  id: string;
  /** The invoice the charge paid; none when Stripe names none (a charge not made by our checkout). */
  invoice?: RefundedInvoice | undefined;
  amount: number;
  currency: string;
  reason: string;
  /** When the evidence is due at Stripe (ISO), if Stripe said. */
  dueBy: string | null;
}

export const DISPUTE_OPENED = 'billing.dispute_opened';

export async function disputeOpened(db: Knex, report: DisputeReport): Promise<Applied> {
  return db.transaction(async (trx): Promise<Applied> => {
    // Not a refund: a renewal whose invoice.paid is still to come gets no payment made up here.
    const payment = await paymentOfCharge(trx, 'stripe', { ref: report.id, full: false, invoice: report.invoice });
    const answer = `answer it at Stripe by ${report.dueBy ?? 'its deadline'}`;
    // Still the operators' to answer: Stripe has the money back either way.
    if (!payment) return { outcome: 'dispute of an unknown payment', warning: { message: `a charge we hold no payment for is disputed: ${answer}`, ids: { dispute_id: report.id }, disputed: 'stripe' } };
    const seen = await trx('audit_logs').where({ action: DISPUTE_OPENED, target_id: payment.id }).whereRaw(`meta ->> 'dispute' = ?`, [report.id]).first('id');
    if (seen) return { outcome: 'dispute already recorded' };
    await audit({
      actorId: payment.user_id, action: DISPUTE_OPENED, targetType: 'payment', targetId: payment.id,
      meta: { dispute: report.id, amount: report.amount, currency: report.currency.toUpperCase(), reason: report.reason, due_by: report.dueBy },
    }, trx);
    return {
      outcome: 'dispute opened: the plan goes on until it ends',
      warning: { message: `a charge is disputed: ${answer}`, ids: { payment_id: payment.id, dispute_id: report.id }, disputed: 'stripe' },
    };
  });
}
