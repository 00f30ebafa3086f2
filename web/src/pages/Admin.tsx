/** The admin section: tabs for reports, users, the audit trail and plans, and Bull Board in a new tab. */
import { useT } from '../lib/i18n';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { AdminAudit } from './AdminAudit';
import { AdminPlans } from './AdminPlans';
import { AdminReports } from './AdminReports';
import { AdminUsers } from './AdminUsers';

export const ADMIN_TABS = { reports: AdminReports, users: AdminUsers, audit: AdminAudit, plans: AdminPlans } as const;
export type AdminTab = keyof typeof ADMIN_TABS;

export default function AdminPage({ tab }: { tab: AdminTab }) {
  const t = useT();
  const { user } = useSession();
  if (user?.role !== 'admin') return <div className="admin"><p role="alert" className="error">{t('admin_forbidden')}</p></div>;
  const Section = ADMIN_TABS[tab];
  return (
    <div className="admin">
      <nav className="tabs" aria-label={t('admin_menu')}>
        {(Object.keys(ADMIN_TABS) as AdminTab[]).map((k) => (
          <Link key={k} to={k === 'reports' ? '/admin' : `/admin/${k}`} aria-current={k === tab ? 'page' : undefined}>{t(`admin_${k}`)}</Link>
        ))}
        <a href="/admin/queues" target="_blank" rel="noopener noreferrer" title={t('admin_queuesHint')}>{t('admin_queues')} ↗</a>
      </nav>
      <h1>{t(`admin_${tab}`)}</h1>
      <Section />
    </div>
  );
}
