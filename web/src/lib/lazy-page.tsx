/**
 * Pages loaded on their first visit: each route part makes its pages `lazy`, so their code is a
 * chunk of its own and the first load of the app (the chat) carries none of it. `page` shows
 * that the page is loading while its chunk arrives.
 */
import { Suspense, type ReactNode } from 'react';
import { useT } from './i18n';

function Loading() {
  const t = useT();
  return <p className="muted center" role="status">{t('loading')}</p>;
}

export const page = (node: ReactNode) => <Suspense fallback={<Loading />}>{node}</Suspense>;
