/** The admin section, loaded only when an admin opens it (its code stays out of everyone's first load). */
import { lazyPage } from '../lib/lazy-page';
import type { AppRoute } from '../lib/routes';
import type { AdminTab } from '../pages/Admin';

const AdminPage = lazyPage(() => import('../pages/Admin'), 'default');
const page = (tab: AdminTab) => () => <AdminPage tab={tab} />;

export const routes: AppRoute[] = [
  { path: '/admin', render: page('reports'), nav: { label: 'admin_menu', roles: ['admin'], order: 90 } },
  { path: '/admin/users', render: page('users') },
  { path: '/admin/audit', render: page('audit') },
  { path: '/admin/plans', render: page('plans') },
];
