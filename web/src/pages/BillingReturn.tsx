/**
 * Where the payment provider sends the browser back (`return_url`). The provider confirms the
 * payment to the API by webhook, which may land a moment later, so the page asks until the
 * payment is settled (at once on `subscription.updated`, else every 2 s), then shows the plan
 * page refreshed.
 */
import { useEffect, useState } from 'react';
import { api } from '../lib/api';
import { useT } from '../lib/i18n';
import { Link } from '../lib/router';
import { useSocketEvent } from '../lib/socket';
import { BillingPage } from './Billing';
import { isOpen, PENDING_PAYMENT_KEY, type Payment } from './BillingCommon';
import { errorText } from '../lib/problem-text';

const POLL_MS = 2000;
const POLLS = 60; // about two minutes, then the reader is told it may take longer

async function findPayment(): Promise<Payment | undefined> {
  const id = sessionStorage.getItem(PENDING_PAYMENT_KEY);
  const { items } = await api<{ items: Payment[] }>('/api/payments?limit=20');
  return id ? items.find((p) => p.id === id) : items[0];
}

export function BillingReturnPage() {
  const t = useT();
  const [payment, setPayment] = useState<Payment | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [round, setRound] = useState(0); // a new round restarts the polling
  const [slow, setSlow] = useState(false);
  const [settled, setSettled] = useState(0);

  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setSlow(false);
    const poll = async (n: number) => {
      try {
        const p = (await findPayment()) ?? null;
        if (stop) return;
        setPayment(p);
        setError(null);
        if (p && isOpen(p)) {
          if (n < POLLS) timer = setTimeout(() => void poll(n + 1), POLL_MS);
          else setSlow(true);
          return;
        }
        sessionStorage.removeItem(PENDING_PAYMENT_KEY);
        setSettled((s) => s + 1);
      } catch (err) {
        if (!stop) setError(errorText(err));
      }
    };
    void poll(0);
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [round]);
  // The webhook was applied: ask now rather than at the next poll.
  useSocketEvent('subscription.updated', () => setRound((r) => r + 1));

  let outcome;
  if (error) outcome = <p role="alert" className="error">{error}</p>;
  else if (payment === undefined) outcome = <p className="muted">{t('loading')}</p>;
  else if (payment === null) outcome = <p className="notice">{t('bill_return_none')}</p>;
  else if (payment.status === 'succeeded') outcome = <p className="notice ok" data-outcome="succeeded">{t('bill_return_succeeded')}</p>;
  else if (!isOpen(payment)) outcome = <p className="notice error" data-outcome={payment.status}>{t('bill_return_canceled')}</p>;
  else outcome = <p className="notice" data-outcome="pending">{t(slow ? 'bill_return_slow' : 'bill_return_checking')}</p>;

  return (
    <BillingPage
      reloadKey={settled}
      notice={(
        <div role="status" className="payment-outcome">
          {outcome}
          {(slow || error) && <button type="button" onClick={() => setRound((r) => r + 1)}>{t('bill_checkAgain')}</button>}
          <Link to="/billing">{t('bill_toPlans')}</Link>
        </div>
      )}
    />
  );
}
