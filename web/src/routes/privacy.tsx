/** "Мои данные": consents, export and erasure. */
import type { AppRoute } from '../lib/routes';
import { PrivacyPage } from '../pages/Privacy';

export const routes: AppRoute[] = [
  { path: '/privacy', render: () => <PrivacyPage />, nav: { label: 'priv_nav', order: 90 } },
];
