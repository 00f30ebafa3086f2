/** Search and the law library. */
import type { AppRoute } from '../lib/routes';
import { LawLibraryPage } from '../pages/LawLibrary';
import { SearchPage } from '../pages/Search';

export const routes: AppRoute[] = [
  { path: '/search', render: () => <SearchPage />, nav: { label: 'search', order: 30 } },
  { path: '/law', render: () => <LawLibraryPage />, nav: { label: 'lawLibrary', order: 40 } },
];
