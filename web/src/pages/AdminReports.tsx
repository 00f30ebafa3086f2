/**
 * Reports for a range of UTC days: usage per day (active users, messages, AI tokens by
 * provider, documents, reviews, revenue) and the lawyer-review SLA, drawn as SVG charts.
 */
import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { api } from '../lib/api';
import { useLang, useT } from '../lib/i18n';
import { DayChart, RowChart, useNumber, type Series } from './AdminCharts';
import { errorText } from '../lib/problem-text';

interface UsageDay {
  day: string;
  active_users: number;
  messages: number;
  ai_tokens: Array<{ provider: string; input_tokens: number; output_tokens: number }>;
  documents: number;
  reviews: number;
  revenue: Array<{ currency: string; amount_minor: number }>;
}
interface ReviewsReport {
  total: number;
  completed: number;
  sla_breached: number;
  median_first_response_s: number | null;
  median_resolution_s: number | null;
  by_lawyer: Array<{ lawyer_id: string; name: string | null; completed: number; breached: number; avg_rating: number | null }>;
}
interface Range {
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const lastDays = (n: number): Range => ({ from: utcDay(Date.now() - (n - 1) * DAY_MS), to: utcDay(Date.now()) });
const nextDay = (day: string) => utcDay(Date.parse(`${day}T00:00:00Z`) + DAY_MS);

/** One series per key found in the days (providers, currencies), zero where a day has none. */
function seriesBy<T>(days: UsageDay[], pick: (d: UsageDay) => T[], key: (t: T) => string, value: (t: T) => number): Series[] {
  const keys = [...new Set(days.flatMap((d) => pick(d).map(key)))].sort();
  return keys.map((k) => ({ key: k, label: k, values: days.map((d) => pick(d).filter((t) => key(t) === k).reduce((s, t) => s + value(t), 0)) }));
}

function Duration({ seconds }: { seconds: number | null }) {
  const t = useT();
  if (seconds === null) return <>—</>;
  const s = Math.round(seconds);
  const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)];
  if (s < 60) return <>{s} {t('admin_sec')}</>;
  return <>{h > 0 && `${h} ${t('admin_hour')} `}{m} {t('admin_min')}</>;
}

function UsageCharts({ days }: { days: UsageDay[] }) {
  const t = useT();
  const { lang } = useLang();
  const labels = days.map((d) => d.day);
  const one = (key: keyof UsageDay, label: string): Series => ({ key, label, values: days.map((d) => d[key] as number) });
  const tokens = seriesBy(days, (d) => d.ai_tokens, (x) => x.provider, (x) => x.input_tokens + x.output_tokens);
  const providers = seriesBy(days, (d) => d.ai_tokens, (x) => x.provider, () => 0).map((s) => s.key);
  const revenue = seriesBy(days, (d) => d.revenue, (x) => x.currency, (x) => x.amount_minor / 100);
  const money = (currency: string) => (n: number) => new Intl.NumberFormat(lang === 'ru' ? 'ru-RU' : 'en-US', { style: 'currency', currency }).format(n);
  const sum = (pick: (x: UsageDay['ai_tokens'][number]) => number, p: string) => days.reduce((s, d) => s + d.ai_tokens.filter((x) => x.provider === p).reduce((a, x) => a + pick(x), 0), 0);
  const common = { days: labels, totalLabel: t('admin_total') };
  return (
    <div className="charts">
      <DayChart {...common} title={t('admin_usage')} kind="line" series={[one('active_users', t('admin_activeUsers')), one('messages', t('admin_messages'))]} />
      <DayChart {...common} title={t('admin_tokens')} kind="stacked" series={tokens.length ? tokens : [{ key: 'none', label: t('admin_noData'), values: labels.map(() => 0) }]} />
      {providers.length > 0 && (
        <RowChart title={t('admin_tokensPeriod')} rows={providers.map((p) => ({ label: p, parts: [{ label: t('admin_tokensIn'), value: sum((x) => x.input_tokens, p) }, { label: t('admin_tokensOut'), value: sum((x) => x.output_tokens, p) }] }))} />
      )}
      <DayChart {...common} title={t('admin_documents')} kind="stacked" series={[one('documents', t('admin_documents'))]} />
      <DayChart {...common} title={t('admin_reviewsPerDay')} kind="stacked" series={[one('reviews', t('admin_reviewsPerDay'))]} />
      {(revenue.length ? revenue : [{ key: 'RUB', label: 'RUB', values: labels.map(() => 0) }]).map((s) => (
        <DayChart key={s.key} {...common} title={`${t('admin_revenue')}, ${s.key}`} kind="stacked" series={[s]} format={money(s.key)} />
      ))}
    </div>
  );
}

function SlaReport({ report }: { report: ReviewsReport }) {
  const t = useT();
  const num = useNumber();
  const stats: Array<[string, ReactNode]> = [
    ['admin_slaTotal', num(report.total)],
    ['admin_slaCompleted', num(report.completed)],
    ['admin_slaBreached', num(report.sla_breached)],
    ['admin_medianFirst', <Duration seconds={report.median_first_response_s} />],
    ['admin_medianResolution', <Duration seconds={report.median_resolution_s} />],
  ];
  return (
    <section className="sla" aria-labelledby="sla-title">
      <h2 id="sla-title">{t('admin_sla')}</h2>
      <dl className="stats">
        {stats.map(([key, value]) => <div key={key} data-stat={key}><dt>{t(key)}</dt><dd>{value}</dd></div>)}
      </dl>
      {report.by_lawyer.length === 0 ? <p className="muted">{t('admin_noLawyers')}</p> : (
        <>
          <RowChart title={t('admin_sla')} rows={report.by_lawyer.map((l) => ({ label: l.name ?? l.lawyer_id.slice(0, 8), parts: [{ label: t('admin_slaCompleted'), value: l.completed }, { label: t('admin_slaBreached'), value: l.breached }] }))} />
          <table>
            <thead><tr><th>{t('admin_lawyer')}</th><th>{t('admin_slaCompleted')}</th><th>{t('admin_slaBreached')}</th><th>{t('admin_avgRating')}</th></tr></thead>
            <tbody>
              {report.by_lawyer.map((l) => (
                <tr key={l.lawyer_id}><td>{l.name ?? l.lawyer_id}</td><td>{l.completed}</td><td>{l.breached}</td><td>{l.avg_rating === null ? '—' : num(l.avg_rating)}</td></tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

export function AdminReports() {
  const t = useT();
  const [range, setRange] = useState<Range>(() => lastDays(30));
  const [data, setData] = useState<{ days: UsageDay[]; reviews: ReviewsReport } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(async (r: Range) => {
    setLoading(true);
    setError(null);
    try {
      const [usage, reviews] = await Promise.all([
        api<{ days: UsageDay[] }>(`/api/admin/reports/usage?from=${r.from}&to=${r.to}`),
        api<ReviewsReport>(`/api/admin/reports/reviews?from=${r.from}&to=${nextDay(r.to)}`),
      ]);
      setData({ days: usage.days, reviews });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => void load(lastDays(30)), [load]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void load(range);
  };
  const preset = (n: number) => {
    const r = lastDays(n);
    setRange(r);
    void load(r);
  };

  return (
    <div className="admin-reports">
      <form className="filters" onSubmit={submit}>
        <label>{t('admin_from')} <input type="date" name="from" value={range.from} max={range.to} required onChange={(e) => setRange({ ...range, from: e.target.value })} /></label>
        <label>{t('admin_to')} <input type="date" name="to" value={range.to} min={range.from} required onChange={(e) => setRange({ ...range, to: e.target.value })} /></label>
        <button type="submit" disabled={loading}>{t('admin_show')}</button>
        {[7, 30, 90].map((n) => <button key={n} type="button" className="link" onClick={() => preset(n)}>{t(`admin_last${n}`)}</button>)}
        <span className="muted">{t('admin_utc')}</span>
      </form>
      {error && <p role="alert" className="error">{error}</p>}
      {loading && !data && <p className="muted">{t('loading')}</p>}
      {data && (
        <div aria-busy={loading}>
          <UsageCharts days={data.days} />
          <SlaReport report={data.reviews} />
        </div>
      )}
    </div>
  );
}
