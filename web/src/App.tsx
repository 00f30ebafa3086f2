/** The shell: who is signed in decides between the sign-in pages and the product. */
import { useEffect } from 'react';
import { useLang, useT } from './lib/i18n';
import { Link, match, navigate, usePath } from './lib/router';
import type { AppRoute } from './lib/routes';
import { useSession } from './lib/session';
import { AuthPage } from './pages/Auth';

const ROUTES: AppRoute[] = Object.values(import.meta.glob<{ routes: AppRoute[] }>('./routes/*.tsx', { eager: true })).flatMap((m) => m.routes);
const MENU = ROUTES.filter((r) => r.nav).sort((a, b) => a.nav!.order - b.nav!.order);

function Page({ path }: { path: string }) {
  for (const route of ROUTES) {
    const params = match(route.path, path);
    if (params) return <>{route.render(params)}</>;
  }
  // An unknown path shows the home page (the chat).
  return <>{ROUTES.find((r) => r.path === '/')?.render({})}</>;
}

export function App() {
  const t = useT();
  const { lang, setLang } = useLang();
  const { user, signOut } = useSession();
  const path = usePath();
  const authPath = path.startsWith('/login') || path.startsWith('/register');

  useEffect(() => {
    if (user === null && !authPath) navigate('/login', true);
    if (user && authPath) navigate('/', true);
  }, [user, authPath]);

  if (user === undefined) return <p className="muted center">{t('loading')}</p>;
  if (!user) return <AuthPage mode={path.startsWith('/register') ? 'register' : 'login'} />;
  return (
    <div className="app">
      <header>
        <Link to="/" className="brand">{t('appName')}</Link>
        <nav>
          {MENU.filter((r) => !r.nav!.roles || r.nav!.roles.includes(user.role)).map((r) => <Link key={r.path} to={r.path}>{t(r.nav!.label)}</Link>)}
        </nav>
        <span className="spacer" />
        <button type="button" className="link" onClick={() => setLang(lang === 'ru' ? 'en' : 'ru')}>{lang === 'ru' ? 'EN' : 'RU'}</button>
        <span className="muted">{user.email}</span>
        <button type="button" className="link" onClick={() => void signOut()}>{t('signOut')}</button>
      </header>
      <Page path={path} />
    </div>
  );
}
