/** The plan page and the page the payment provider returns to. */
import type { AppRoute } from '../lib/routes';
import { BillingPage } from '../pages/Billing';
import { RETURN_PATH } from '../pages/BillingPlans';
import { BillingReturnPage } from '../pages/BillingReturn';

export const routes: AppRoute[] = [
  { path: '/billing', render: () => <BillingPage />, nav: { label: 'bill_nav', order: 80 } },
  { path: RETURN_PATH, render: () => <BillingReturnPage /> },
];
