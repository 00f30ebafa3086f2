/** The shell: who is signed in decides between the sign-in pages and the product. */
import { Suspense, useEffect, useRef, useState } from 'react';
import { ErrorBoundary } from './components/ErrorBoundary';
import { Header } from './components/Header';
import { useT } from './lib/i18n';
import { match, navigate, usePath } from './lib/router';
import type { AppRoute } from './lib/routes';
import { useSession } from './lib/session';
import { AuthPage } from './pages/Auth';
import { errorText } from './lib/problem-text';

const ROUTES: AppRoute[] = Object.values(import.meta.glob<{ routes: AppRoute[] }>('./routes/*.tsx', { eager: true })).flatMap((m) => m.routes);
const MENU = ROUTES.filter((r) => r.nav).sort((a, b) => a.nav!.order - b.nav!.order);

function Loading() {
  const t = useT();
  return <p className="muted center" role="status">{t('loading')}</p>;
}

function Page({ path }: { path: string }) {
  for (const route of ROUTES) {
    const params = match(route.path, path);
    if (params) return <>{route.render(params)}</>;
  }
  // An unknown path shows the home page (the chat).
  return <>{ROUTES.find((r) => r.path === '/')?.render({})}</>;
}

/** The session could not be restored because the server did not answer: not signed out, so try again. */
function Unreachable({ failure, onRetry }: { failure: string; onRetry(): void }) {
  const t = useT();
  return (
    <div role="alert" className="notice error center">
      <p>{t('sessionFailed')} ({failure})</p>
      <button type="button" onClick={onRetry}>{t('retry')}</button>
    </div>
  );
}

export function App() {
  const t = useT();
  const { user, failure, restore, signOut } = useSession();
  // Signing out that did not reach the server leaves the person signed in, and says so.
  const [signOutFailure, setSignOutFailure] = useState<string | null>(null);
  const leave = () => {
    setSignOutFailure(null);
    signOut().catch((err: unknown) => setSignOutFailure(errorText(err)));
  };
  const path = usePath();
  const authPath = path.startsWith('/login') || path.startsWith('/register');

  useEffect(() => {
    if (user === null && !authPath) navigate('/login', true);
    if (user && authPath) navigate('/', true);
  }, [user, authPath]);

  // A new page takes the focus to its content, so the next Tab is in it and a screen reader
  // starts there (a change of the query alone, as a filter makes, keeps it where it is).
  const main = useRef<HTMLElement>(null);
  const pathname = path.split('?')[0];
  const shown = useRef(pathname);
  useEffect(() => {
    if (shown.current === pathname) return;
    shown.current = pathname;
    main.current?.focus({ preventScroll: true });
  }, [pathname]);

  if (user === undefined) return failure ? <Unreachable failure={failure} onRetry={restore} /> : <Loading />;
  if (!user) return <AuthPage mode={path.startsWith('/register') ? 'register' : 'login'} />;
  return (
    <div className="app">
      <a className="skip-link" href="#main">{t('skipToContent')}</a>
      <Header menu={MENU} user={user} path={path} onSignOut={leave} />
      {signOutFailure && (
        <p role="alert" className="banner sign-out-failed">
          {t('signOutFailed')} ({signOutFailure}) <button type="button" onClick={leave}>{t('retry')}</button>
        </p>
      )}
      {/* Each page is the content of this one landmark; the skip link and a new page focus it. */}
      <main id="main" ref={main} tabIndex={-1}>
        {/* Pages other than the chat are chunks of their own (lib/lazy-page.tsx), loaded on first visit;
            a page that fails shows so under the header, and another page is tried afresh. */}
        <ErrorBoundary key={pathname}>
          <Suspense fallback={<Loading />}>
            <Page path={path} />
          </Suspense>
        </ErrorBoundary>
      </main>
    </div>
  );
}
