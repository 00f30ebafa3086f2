/** The current plan with its subscription state, cancel at period end, and the usage meters. */
import { useState } from 'react';
import { api } from '../lib/api';
import { useT } from '../lib/i18n';
import { useFormat, type Me } from './BillingCommon';
import { errorText } from '../lib/problem-text';

function Meter({ label, used, limit, show }: { label: string; used: number; limit: number; show(n: number): string }) {
  const full = used >= limit;
  return (
    <div className={`meter${full ? ' full' : ''}`} data-meter={label}>
      <span>{label}</span>
      <span className="meter-value">{show(used)} / {show(limit)}</span>
      <progress max={Math.max(limit, 1)} value={Math.min(used, limit)} aria-label={label} />
    </div>
  );
}

export function CurrentPlan({ me, onChange }: { me: Me; onChange(me: Me): void }) {
  const t = useT();
  const f = useFormat();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const sub = me.subscription;
  // A subscriber pays the price they bought at, which a later price change leaves alone.
  const price = sub ? sub.price : me.plan.price;
  const run = async (action: () => Promise<Me>) => {
    setBusy(true);
    setError(null);
    try {
      onChange(await action());
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const cancel = () => confirm(t('bill_cancelConfirm')) && run(() => api<Me>('/api/subscriptions/me/cancel', { json: {} }));
  // Asking again for the plan one is on, cancelled at its period's end, resumes it: nothing is charged now.
  const resume = (plan: string, provider: string) => run(async () => {
    await api('/api/subscriptions', {
      json: { plan_code: plan, provider, return_url: `${location.origin}${location.pathname}` },
      headers: { 'idempotency-key': crypto.randomUUID() },
    });
    return api<Me>('/api/subscriptions/me');
  });
  return (
    <section className="current-plan" aria-labelledby="current-plan">
      <h2 id="current-plan">{t('bill_current')}: <span data-plan={me.plan.code}>{me.plan.name}</span></h2>
      <p>
        {price.amount ? `${f.money(price)} ${t('bill_perMonth')}` : t('bill_free')}
        {sub && <> · <span className={`badge sub-${sub.status}`}>{t(`bill_sub_${sub.status}`)}</span></>}
        {sub?.current_period_end && <> · {t('bill_until')} {f.date(sub.current_period_end)}</>}
      </p>
      {sub?.cancel_at_period_end && (
        <>
          <p className="notice">{t('bill_endsAt')}</p>
          {sub.status !== 'canceled' && (
            <button type="button" disabled={busy} onClick={() => void resume(sub.plan_code, sub.provider)}>{t('bill_resume')}</button>
          )}
        </>
      )}
      {sub && !sub.cancel_at_period_end && sub.status !== 'canceled' && (
        <button type="button" className="secondary" disabled={busy} onClick={() => void cancel()}>{t('bill_cancel')}</button>
      )}
      {error && <p role="alert" className="error">{error}</p>}
      <h3>{t('bill_usage')}</h3>
      <div className="meters">
        <Meter label={t('bill_messagesToday')} used={me.usage.messages_today} limit={me.plan.limits.messages_per_day} show={String} />
        <Meter label={t('bill_documents')} used={me.usage.documents_this_period} limit={me.plan.limits.documents_per_month} show={String} />
        <Meter label={t('bill_reviews')} used={me.usage.reviews_this_period} limit={me.plan.limits.reviews_per_month} show={String} />
        <Meter label={t('bill_storage')} used={me.usage.storage_mb} limit={me.plan.limits.storage_mb} show={f.size} />
      </div>
      <p className="muted">{t('bill_periodEnds')} {f.date(me.usage.period_end)}</p>
    </section>
  );
}
