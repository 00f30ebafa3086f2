/** The shell: who is signed in decides between the sign-in pages and the product. */
import { useEffect } from 'react';
import { useLang, useT } from './lib/i18n';
import { Link, match, navigate, usePath } from './lib/router';
import { useSession } from './lib/session';
import { AuthPage } from './pages/Auth';
import { ChatPage } from './pages/Chat';
import { DocumentPage } from './pages/DocumentPage';
import { DocumentsPage } from './pages/Documents';
import { LawArticlePage } from './pages/LawArticle';

function Page({ path }: { path: string }) {
  let m: Record<string, string> | undefined;
  if ((m = match('/chats/:id', path))) return <ChatPage chatId={m.id} />;
  if (match('/documents', path)) return <DocumentsPage />;
  if ((m = match('/documents/:id', path))) return <DocumentPage id={m.id!} />;
  if ((m = match('/law/:code/:article', path))) return <LawArticlePage code={m.code!} article={m.article!} />;
  return <ChatPage />;
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
          <Link to="/">{t('chats')}</Link>
          <Link to="/documents">{t('documents')}</Link>
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
