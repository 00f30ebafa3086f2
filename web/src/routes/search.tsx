/** Search and the law library, loaded on first visit. */
import { lazyPage } from '../lib/lazy-page';
import type { AppRoute } from '../lib/routes';

const SearchPage = lazyPage(() => import('../pages/Search'), 'SearchPage');
const LawLibraryPage = lazyPage(() => import('../pages/LawLibrary'), 'LawLibraryPage');

export const routes: AppRoute[] = [
  { path: '/search', render: () => <SearchPage />, nav: { label: 'search', order: 30 } },
  { path: '/law', render: () => <LawLibraryPage />, nav: { label: 'lawLibrary', order: 40 } },
];
