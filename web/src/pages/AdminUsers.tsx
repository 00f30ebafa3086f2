/** Accounts: search by e-mail, name or id, filter by role and status; change a role, block and unblock. */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { TableScroll } from '../components/TableScroll';
import { api } from '../lib/api';
import { useLang, useT } from '../lib/i18n';
import { Link } from '../lib/router';
import { useSession, type User } from '../lib/session';
import { errorText } from '../lib/problem-text';

interface Account extends User {
  status: 'active' | 'blocked';
  created_at: string;
}
interface Filters {
  q: string;
  role: string;
  status: string;
}
const NO_FILTERS: Filters = { q: '', role: '', status: '' };
const ROLES: Array<User['role']> = ['user', 'lawyer', 'admin'];
const fill = (text: string, values: Record<string, string>) => text.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '');

function AccountRow({ account, self, onChange }: { account: Account; self: boolean; onChange(a: Account): void }) {
  const t = useT();
  const { lang } = useLang();
  const [role, setRole] = useState(account.role);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const patch = async (change: Partial<Pick<Account, 'role' | 'status'>>, question: string) => {
    if (!confirm(question)) return;
    setBusy(true);
    setError(null);
    try {
      onChange(await api<Account>(`/api/admin/users/${account.id}`, { method: 'PATCH', json: change }));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const blocked = account.status === 'blocked';
  return (
    <tr data-user-id={account.id} data-status={account.status}>
      <td>{account.email}<br /><span className="muted">{account.name}</span></td>
      <td>
        <select aria-label={`${t('admin_role')}: ${account.email}`} value={role} disabled={self || busy} onChange={(e) => setRole(e.target.value as User['role'])}>
          {ROLES.map((r) => <option key={r} value={r}>{t(`admin_role_${r}`)}</option>)}
        </select>
        {role !== account.role && (
          <button type="button" className="link" disabled={busy} onClick={() => void patch({ role }, fill(t('admin_confirmRole'), { email: account.email, role: t(`admin_role_${role}`) }))}>{t('admin_saveRole')}</button>
        )}
      </td>
      <td className={blocked ? 'error' : 'ok'}>{t(`admin_status_${account.status}`)}</td>
      <td>{new Date(account.created_at).toLocaleDateString(lang)}</td>
      <td>
        <button
          type="button"
          className={blocked ? undefined : 'danger'}
          disabled={self || busy}
          onClick={() => void patch({ status: blocked ? 'active' : 'blocked' }, fill(t(blocked ? 'admin_confirmUnblock' : 'admin_confirmBlock'), { email: account.email }))}
        >
          {t(blocked ? 'admin_unblock' : 'admin_block')}
        </button>
        {' '}<Link to={`/admin/audit?target_id=${account.id}`}>{t('admin_history')}</Link>
        {error && <p role="alert" className="error">{error}</p>}
      </td>
    </tr>
  );
}

export function AdminUsers() {
  const t = useT();
  const { user } = useSession();
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  // What the list shows: "load more" continues these, not half-typed ones.
  const [applied, setApplied] = useState<Filters>(NO_FILTERS);
  const [items, setItems] = useState<Account[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(async (f: Filters, cursor: string | null) => {
    setLoading(true);
    setError(null);
    const query = new URLSearchParams(Object.entries(f).filter(([, v]) => v.trim()).map(([k, v]) => [k, v.trim()]));
    if (cursor) query.set('cursor', cursor);
    try {
      const page = await api<{ items: Account[]; next_cursor: string | null }>(`/api/admin/users?${query}`);
      setItems((list) => (cursor ? [...(list ?? []), ...page.items] : page.items));
      setNext(page.next_cursor);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => void load(NO_FILTERS, null), [load]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setApplied(filters);
    void load(filters, null);
  };
  const replace = (a: Account) => setItems((list) => list?.map((x) => (x.id === a.id ? a : x)) ?? null);

  return (
    <div className="admin-users">
      <form className="filters" onSubmit={submit} role="search">
        <input type="search" name="q" aria-label={t('admin_search')} placeholder={t('admin_searchPlaceholder')} value={filters.q} onChange={(e) => setFilters({ ...filters, q: e.target.value })} />
        <select name="role" aria-label={t('admin_role')} value={filters.role} onChange={(e) => setFilters({ ...filters, role: e.target.value })}>
          <option value="">{t('admin_anyRole')}</option>
          {ROLES.map((r) => <option key={r} value={r}>{t(`admin_role_${r}`)}</option>)}
        </select>
        <select name="status" aria-label={t('admin_status')} value={filters.status} onChange={(e) => setFilters({ ...filters, status: e.target.value })}>
          <option value="">{t('admin_anyStatus')}</option>
          <option value="active">{t('admin_status_active')}</option>
          <option value="blocked">{t('admin_status_blocked')}</option>
        </select>
        <button type="submit" disabled={loading}>{t('admin_search')}</button>
      </form>
      {error && <p role="alert" className="error">{error}</p>}
      {items === null ? <p className="muted">{t('loading')}</p> : items.length === 0 ? <p className="muted">{t('admin_noUsers')}</p> : (
        <TableScroll label={t('admin_users')}>
          <table>
            <thead><tr><th>{t('email')}</th><th>{t('admin_role')}</th><th>{t('admin_status')}</th><th>{t('admin_created')}</th><th>{t('admin_actions')}</th></tr></thead>
            <tbody>{items.map((a) => <AccountRow key={`${a.id}:${a.role}:${a.status}`} account={a} self={a.id === user?.id} onChange={replace} />)}</tbody>
          </table>
        </TableScroll>
      )}
      {next && <button type="button" className="more" disabled={loading} onClick={() => void load(applied, next)}>{t('admin_loadMore')}</button>}
    </div>
  );
}
