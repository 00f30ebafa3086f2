/**
 * The audit trail, newest first, filtered by action, actor, target and a range of UTC days,
 * paged with "load more". An erased actor shows as their pseudonymous hash.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { TableScroll } from '../components/TableScroll';
import { api } from '../lib/api';
import { useLang, useT } from '../lib/i18n';
import { errorText } from '../lib/problem-text';

interface AuditEntry {
  id: string;
  actor_id: string | null;
  actor: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  meta: Record<string, unknown>;
  created_at: string;
}
type Filters = Record<'action' | 'actor_id' | 'target_id' | 'from' | 'to', string>;

const FIELDS = ['action', 'actor_id', 'target_id', 'from', 'to'] as const;
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
// Actions the service records; the field takes any other too.
const KNOWN_ACTIONS = [
  'admin.plan_update', 'admin.read', 'admin.user_update', 'auth.login', 'auth.login_blocked', 'auth.login_failed', 'auth.login_throttled',
  'auth.logout', 'auth.refresh_reuse', 'auth.register', 'billing.cancel_at_period_end', 'billing.plan_granted', 'billing.subscribe',
  'billing.subscription_activated', 'billing.subscription_canceled', 'documents.delete', 'documents.download', 'documents.download_masked',
  'privacy.erasure_completed', 'privacy.erasure_requested', 'privacy.export_downloaded', 'privacy.export_requested',
  'review.accept_expired', 'review.requested', 'review.sla_breached',
];
const DAY_MS = 86_400_000;

/** The API's query: days become the UTC midnights that bound them (`to` is exclusive there). */
function toQuery(f: Filters, cursor: string | null): string {
  const q = new URLSearchParams();
  for (const key of ['action', 'actor_id', 'target_id'] as const) if (f[key].trim()) q.set(key, f[key].trim());
  if (f.from) q.set('from', `${f.from}T00:00:00Z`);
  if (f.to) q.set('to', new Date(Date.parse(`${f.to}T00:00:00Z`) + DAY_MS).toISOString());
  if (cursor) q.set('cursor', cursor);
  return q.toString();
}

function fromUrl(): Filters {
  const params = new URLSearchParams(location.search);
  return Object.fromEntries(FIELDS.map((k) => [k, params.get(k) ?? ''])) as Filters;
}

function Actor({ entry }: { entry: AuditEntry }) {
  const t = useT();
  if (entry.actor_id) return <code>{entry.actor_id}</code>;
  if (entry.actor) return <span title={entry.actor}>{t('admin_erased')} <code>{entry.actor.slice(0, 12)}…</code></span>;
  return <span className="muted">{t('admin_system')}</span>;
}

export function AdminAudit() {
  const t = useT();
  const { lang } = useLang();
  const [filters, setFilters] = useState<Filters>(fromUrl);
  const [applied, setApplied] = useState<Filters>(filters);
  const [items, setItems] = useState<AuditEntry[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(async (f: Filters, cursor: string | null) => {
    setLoading(true);
    setError(null);
    try {
      const page = await api<{ items: AuditEntry[]; next_cursor: string | null }>(`/api/admin/audit?${toQuery(f, cursor)}`);
      setItems((list) => (cursor ? [...(list ?? []), ...page.items] : page.items));
      setNext(page.next_cursor);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => void load(fromUrl(), null), [load]);

  const apply = (f: Filters) => {
    setFilters(f);
    setApplied(f);
    // The filters live in the address, so a filtered trail can be reloaded or shared.
    const shown = new URLSearchParams(Object.entries(f).filter(([, v]) => v)).toString();
    history.replaceState(null, '', `${location.pathname}${shown ? `?${shown}` : ''}`);
    void load(f, null);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    apply(filters);
  };
  const field = (key: keyof Filters) => ({ name: key, value: filters[key], onChange: (e: { target: { value: string } }) => setFilters({ ...filters, [key]: e.target.value }) });

  return (
    <div className="admin-audit">
      <form className="filters" onSubmit={submit}>
        <label>{t('admin_action')} <input {...field('action')} list="audit-actions" /></label>
        <datalist id="audit-actions">{KNOWN_ACTIONS.map((a) => <option key={a} value={a} />)}</datalist>
        <label>{t('admin_actorId')} <input {...field('actor_id')} pattern={UUID} /></label>
        <label>{t('admin_targetId')} <input {...field('target_id')} maxLength={64} /></label>
        <label>{t('admin_from')} <input type="date" {...field('from')} /></label>
        <label>{t('admin_to')} <input type="date" {...field('to')} /></label>
        <button type="submit" disabled={loading}>{t('admin_apply')}</button>
        <button type="button" className="link" onClick={() => apply({ action: '', actor_id: '', target_id: '', from: '', to: '' })}>{t('admin_reset')}</button>
      </form>
      {error && <p role="alert" className="error">{error}</p>}
      {items === null ? <p className="muted">{t('loading')}</p> : items.length === 0 ? <p className="muted">{t('admin_noEvents')}</p> : (
        <TableScroll label={t('admin_audit')}>
          <table className="audit">
            <thead><tr><th>{t('admin_when')}</th><th>{t('admin_action')}</th><th>{t('admin_actor')}</th><th>{t('admin_target')}</th><th>IP</th><th>{t('admin_details')}</th></tr></thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.id} data-action={e.action}>
                  <td>{new Date(e.created_at).toLocaleString(lang)}</td>
                  <td><code>{e.action}</code></td>
                  <td><Actor entry={e} /></td>
                  <td>{e.target_type}{e.target_id && <> <code>{e.target_id}</code></>}</td>
                  <td>{e.ip}</td>
                  <td>{Object.keys(e.meta).length > 0 && <details><summary>{t('admin_details')}</summary><pre>{JSON.stringify(e.meta, null, 2)}</pre></details>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {next && <button type="button" className="more" disabled={loading} onClick={() => void load(applied, next)}>{t('admin_loadMore')}</button>}
    </div>
  );
}
