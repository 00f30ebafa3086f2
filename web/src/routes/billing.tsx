/** The plan page and the page the payment provider returns to, loaded on first visit. */
import { lazy } from 'react';
import { page } from '../lib/lazy-page';
import type { AppRoute } from '../lib/routes';
import { RETURN_PATH } from '../pages/billing-paths';

const BillingPage = lazy(() => import('../pages/Billing').then((m) => ({ default: m.BillingPage })));
const BillingReturnPage = lazy(() => import('../pages/BillingReturn').then((m) => ({ default: m.BillingReturnPage })));

export const routes: AppRoute[] = [
  { path: '/billing', render: () => page(<BillingPage />), nav: { label: 'bill_nav', order: 80 } },
  { path: RETURN_PATH, render: () => page(<BillingReturnPage />) },
];
