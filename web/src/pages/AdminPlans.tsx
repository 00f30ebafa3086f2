/** Plans: each plan's name, price and limits, edited in place (`PUT /api/admin/plans/{code}`). */
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../lib/api';
import { useT } from '../lib/i18n';
import { errorText } from '../lib/problem-text';

const LIMIT_KEYS = ['messages_per_day', 'documents_per_month', 'storage_mb', 'reviews_per_month'] as const;
const CURRENCIES = ['RUB', 'USD', 'EUR'] as const;
type Limits = Record<(typeof LIMIT_KEYS)[number], number>;
interface Plan {
  code: string;
  name: string;
  price: { amount: number; currency: string };
  interval: string;
  limits: Limits;
}

function PlanForm({ plan, onSaved }: { plan: Plan; onSaved(p: Plan): void }) {
  const t = useT();
  const [name, setName] = useState(plan.name);
  // The price is typed in roubles (or dollars, euros) and sent in minor units.
  const [price, setPrice] = useState(String(plan.price.amount / 100));
  // The server keeps `free` at 0 and a paid plan at 1.00 or more.
  const free = plan.code === 'free';
  const [currency, setCurrency] = useState(plan.price.currency);
  const [limits, setLimits] = useState<Record<string, string>>(Object.fromEntries(LIMIT_KEYS.map((k) => [k, String(plan.limits[k])])));
  const [state, setState] = useState<{ busy?: boolean; saved?: boolean; error?: string }>({});

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!confirm(t('admin_confirmPlan').replace('{name}', name))) return;
    setState({ busy: true });
    try {
      const saved = await api<Plan>(`/api/admin/plans/${plan.code}`, {
        method: 'PUT',
        json: {
          name,
          price: { amount: Math.round(Number(price) * 100), currency },
          limits: Object.fromEntries(LIMIT_KEYS.map((k) => [k, Number(limits[k])])),
        },
      });
      onSaved(saved);
      setState({ saved: true });
    } catch (err) {
      setState({ error: errorText(err) });
    }
  };

  return (
    <form className="plan-form" onSubmit={submit} data-plan={plan.code} aria-label={`${t('admin_plan')} ${plan.code}`}>
      <h2>{plan.name} <code className="muted">{plan.code}</code></h2>
      <label>{t('admin_planName')} <input name="name" value={name} required maxLength={100} onChange={(e) => setName(e.target.value)} /></label>
      <div className="row">
        <label>{t('admin_price')}, {t(`admin_interval_${plan.interval}`)} <input name="price" type="number" min={free ? 0 : 1} max={free ? 0 : undefined} step={0.01} required readOnly={free} value={price} onChange={(e) => setPrice(e.target.value)} /></label>
        <label>{t('admin_currency')}
          <select name="currency" value={currency} onChange={(e) => setCurrency(e.target.value)}>
            {CURRENCIES.map((c) => <option key={c}>{c}</option>)}
          </select>
        </label>
      </div>
      {!free && <p className="muted">{t('admin_priceHint')}</p>}
      {LIMIT_KEYS.map((k) => (
        <label key={k}>{t(`admin_limit_${k}`)} <input name={k} type="number" min={0} step={1} required value={limits[k]} onChange={(e) => setLimits({ ...limits, [k]: e.target.value })} /></label>
      ))}
      <div className="actions">
        <button type="submit" disabled={state.busy}>{t('admin_save')}</button>
        {state.saved && <span role="status" className="ok">{t('admin_saved')}</span>}
      </div>
      {state.error && <p role="alert" className="error">{state.error}</p>}
    </form>
  );
}

export function AdminPlans() {
  const t = useT();
  const [plans, setPlans] = useState<Plan[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<{ items: Plan[] }>('/api/plans').then((r) => setPlans(r.items), (err: unknown) => setError(errorText(err)));
  }, []);
  if (error) return <p role="alert" className="error">{error}</p>;
  if (!plans) return <p className="muted">{t('loading')}</p>;
  return (
    <div className="plans-admin">
      {plans.map((p) => <PlanForm key={p.code} plan={p} onSaved={(saved) => setPlans((list) => list?.map((x) => (x.code === saved.code ? saved : x)) ?? null)} />)}
    </div>
  );
}
