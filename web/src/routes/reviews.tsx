/** Lawyer review: the requester's requests and the lawyer's workspace, loaded on first visit. */
import { lazy } from 'react';
import { page } from '../lib/lazy-page';
import type { AppRoute } from '../lib/routes';

const ReviewsMinePage = lazy(() => import('../pages/ReviewsMine').then((m) => ({ default: m.ReviewsMinePage })));
const ReviewsDetailPage = lazy(() => import('../pages/ReviewsDetail').then((m) => ({ default: m.ReviewsDetailPage })));
const ReviewsWorkspacePage = lazy(() => import('../pages/ReviewsWorkspace').then((m) => ({ default: m.ReviewsWorkspacePage })));
const ReviewsEditorPage = lazy(() => import('../pages/ReviewsEditor').then((m) => ({ default: m.ReviewsEditorPage })));

export const routes: AppRoute[] = [
  { path: '/reviews', render: () => page(<ReviewsMinePage />), nav: { label: 'rv_myReviews', roles: ['user'], order: 50 } },
  { path: '/reviews/:id', render: (p) => page(<ReviewsDetailPage key={p.id} id={p.id!} />) },
  { path: '/lawyer', render: () => page(<ReviewsWorkspacePage />), nav: { label: 'rv_workspace', roles: ['lawyer'], order: 50 } },
  { path: '/lawyer/reviews/:id', render: (p) => page(<ReviewsEditorPage key={p.id} id={p.id!} />) },
];
