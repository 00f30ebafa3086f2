/**
 * The plans side by side and subscribing: the API makes the payment and answers with the
 * provider's confirmation page, where the browser goes; the provider sends it back to
 * `/billing/return`.
 */
import { useState } from 'react';
import { api } from '../lib/api';
import { useCount, useT } from '../lib/i18n';
import { navigate } from '../lib/router';
import { RETURN_PATH } from './billing-paths';
import { PENDING_PAYMENT_KEY, useFormat, type Me, type Plan, type ProviderName } from './BillingCommon';
import { errorText } from '../lib/problem-text';

async function subscribe(plan: string, provider: ProviderName): Promise<void> {
  const made = await api<{ payment: { id: string; confirmation_url: string | null } }>('/api/subscriptions', {
    json: { plan_code: plan, provider, return_url: `${location.origin}${RETURN_PATH}` },
    headers: { 'idempotency-key': crypto.randomUUID() },
  });
  sessionStorage.setItem(PENDING_PAYMENT_KEY, made.payment.id);
  if (made.payment.confirmation_url) location.assign(made.payment.confirmation_url);
  else navigate(RETURN_PATH);
}

function PlanCard({ plan, me, onSubscribe, busy }: { plan: Plan; me: Me; onSubscribe?: () => void; busy: boolean }) {
  const t = useT();
  const count = useCount();
  const f = useFormat();
  const current = plan.code === me.plan.code;
  return (
    <article className={`plan-card${current ? ' current' : ''}`} data-plan-code={plan.code} aria-label={plan.name}>
      <h3>{plan.name}</h3>
      <p className="price">{plan.price.amount ? <>{f.money(plan.price)} <span className="muted">{t('bill_perMonth')}</span></> : t('bill_free')}</p>
      <ul>
        <li>{count(plan.limits.messages_per_day, 'bill_limitMessages')}</li>
        <li>{count(plan.limits.documents_per_month, 'bill_limitDocuments')}</li>
        <li>{count(plan.limits.reviews_per_month, 'bill_limitReviews')}</li>
        <li>{f.size(plan.limits.storage_mb)} — {t('bill_limitStorage')}</li>
      </ul>
      {current && <p className="ok">{t('bill_isCurrent')}</p>}
      {!current && plan.price.amount === 0 && <p className="muted">{t('bill_freeHint')}</p>}
      {!current && plan.price.amount > 0 && onSubscribe && (
        <button type="button" disabled={busy} onClick={onSubscribe}>{t('bill_subscribe')}: {plan.name}</button>
      )}
    </article>
  );
}

export function Plans({ plans, providers, me }: { plans: Plan[]; providers: ProviderName[]; me: Me }) {
  const t = useT();
  const [provider, setProvider] = useState<ProviderName | undefined>(providers[0]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const start = async (plan: string) => {
    if (!provider) return;
    setBusy(true);
    setError(null);
    try {
      await subscribe(plan, provider);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="plans">
      <h2 id="plans">{t('bill_plans')}</h2>
      {providers.length === 0 && <p className="notice">{t('bill_noProviders')}</p>}
      {providers.length > 1 && (
        <fieldset className="providers">
          <legend>{t('bill_provider')}</legend>
          {providers.map((p) => (
            <label key={p}><input type="radio" name="provider" value={p} checked={provider === p} onChange={() => setProvider(p)} /> {t(`bill_provider_${p}`)}</label>
          ))}
        </fieldset>
      )}
      {error && <p role="alert" className="error">{error}</p>}
      {busy && <p role="status" className="muted">{t('bill_redirecting')}</p>}
      <div className="plan-grid">
        {plans.map((p) => <PlanCard key={p.code} plan={p} me={me} busy={busy} {...(provider ? { onSubscribe: () => void start(p.code) } : {})} />)}
      </div>
    </section>
  );
}
