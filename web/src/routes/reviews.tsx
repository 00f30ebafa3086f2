/** Lawyer review: the requester's requests and the lawyer's workspace, loaded on first visit. */
import { lazyPage } from '../lib/lazy-page';
import type { AppRoute } from '../lib/routes';

const ReviewsMinePage = lazyPage(() => import('../pages/ReviewsMine'), 'ReviewsMinePage');
const ReviewsDetailPage = lazyPage(() => import('../pages/ReviewsDetail'), 'ReviewsDetailPage');
const ReviewsWorkspacePage = lazyPage(() => import('../pages/ReviewsWorkspace'), 'ReviewsWorkspacePage');
const ReviewsEditorPage = lazyPage(() => import('../pages/ReviewsEditor'), 'ReviewsEditorPage');

export const routes: AppRoute[] = [
  { path: '/reviews', render: () => <ReviewsMinePage />, nav: { label: 'rv_myReviews', roles: ['user'], order: 50 } },
  { path: '/reviews/:id', render: (p) => <ReviewsDetailPage key={p.id} id={p.id!} /> },
  { path: '/lawyer', render: () => <ReviewsWorkspacePage />, nav: { label: 'rv_workspace', roles: ['lawyer'], order: 50 } },
  { path: '/lawyer/reviews/:id', render: (p) => <ReviewsEditorPage key={p.id} id={p.id!} /> },
];
