/** "Мои данные": consents, export and erasure, loaded on first visit. */
import { lazyPage } from '../lib/lazy-page';
import type { AppRoute } from '../lib/routes';

const PrivacyPage = lazyPage(() => import('../pages/Privacy'), 'PrivacyPage');

export const routes: AppRoute[] = [
  { path: '/privacy', render: () => <PrivacyPage />, nav: { label: 'priv_nav', order: 90 } },
];
