/** "Мои данные": consents, export and erasure, loaded on first visit. */
import { lazy } from 'react';
import { page } from '../lib/lazy-page';
import type { AppRoute } from '../lib/routes';

const PrivacyPage = lazy(() => import('../pages/Privacy').then((m) => ({ default: m.PrivacyPage })));

export const routes: AppRoute[] = [
  { path: '/privacy', render: () => page(<PrivacyPage />), nav: { label: 'priv_nav', order: 90 } },
];
