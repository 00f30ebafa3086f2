/** "Тариф": the current plan and usage, the plans to subscribe to, and the payment history; live on `subscription.updated`. */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { api } from '../lib/api';
import { useT } from '../lib/i18n';
import { useSocketEvent } from '../lib/socket';
import { type Me, type Payment, type Plan, type ProviderName } from './BillingCommon';
import { PaymentHistory } from './BillingPayments';
import { Plans } from './BillingPlans';
import { CurrentPlan } from './BillingUsage';
import { errorText } from '../lib/problem-text';

interface Loaded {
  me: Me;
  plans: Plan[];
  providers: ProviderName[];
  payments: Payment[];
}

/** `reloadKey` changing reloads everything (the return page bumps it when a payment settles). */
export function BillingPage({ notice, reloadKey = 0 }: { notice?: ReactNode; reloadKey?: number }) {
  const t = useT();
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      const [me, plans, payments] = await Promise.all([
        api<Me>('/api/subscriptions/me'),
        api<{ items: Plan[]; providers?: ProviderName[] }>('/api/plans'),
        api<{ items: Payment[] }>('/api/payments?limit=50'),
      ]);
      setData({ me, plans: plans.items, providers: plans.providers ?? [], payments: payments.items });
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  }, []);
  useEffect(() => void load(), [load, reloadKey]);
  // A payment applied, a renewal or an expiry: the plan, meters and history change together.
  useSocketEvent('subscription.updated', () => void load(), [load]);

  return (
    <div className="billing">
      <h1>{t('bill_title')}</h1>
      {notice}
      {error && <p role="alert" className="error">{error}</p>}
      {!data && !error && <p className="muted">{t('loading')}</p>}
      {data && (
        <>
          <CurrentPlan me={data.me} onChange={(me) => setData({ ...data, me })} />
          <Plans plans={data.plans} providers={data.providers} me={data.me} />
          <PaymentHistory payments={data.payments} />
        </>
      )}
    </div>
  );
}
