/** The plan page and the page the payment provider returns to, loaded on first visit. */
import { lazyPage } from '../lib/lazy-page';
import type { AppRoute } from '../lib/routes';
import { RETURN_PATH } from '../pages/billing-paths';

const BillingPage = lazyPage(() => import('../pages/Billing'), 'BillingPage');
const BillingReturnPage = lazyPage(() => import('../pages/BillingReturn'), 'BillingReturnPage');

export const routes: AppRoute[] = [
  { path: '/billing', render: () => <BillingPage />, nav: { label: 'bill_nav', order: 80 } },
  { path: RETURN_PATH, render: () => <BillingReturnPage /> },
];
