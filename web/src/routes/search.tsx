/** Search and the law library, loaded on first visit. */
import { lazy } from 'react';
import { page } from '../lib/lazy-page';
import type { AppRoute } from '../lib/routes';

const SearchPage = lazy(() => import('../pages/Search').then((m) => ({ default: m.SearchPage })));
const LawLibraryPage = lazy(() => import('../pages/LawLibrary').then((m) => ({ default: m.LawLibraryPage })));

export const routes: AppRoute[] = [
  { path: '/search', render: () => page(<SearchPage />), nav: { label: 'search', order: 30 } },
  { path: '/law', render: () => page(<LawLibraryPage />), nav: { label: 'lawLibrary', order: 40 } },
];
