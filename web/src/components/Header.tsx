/**
 * The app's header: the pages the role may open, the language and the account. On a narrow
 * screen the rest folds behind a menu button (Escape closes it and gives the focus back).
 */
import { useEffect, useRef, useState } from 'react';
import { useLang, useT } from '../lib/i18n';
import { Link } from '../lib/router';
import type { AppRoute } from '../lib/routes';
import type { User } from '../lib/session';

/** The chat's menu entry stands for every chat; the others for their own subpages. */
const isCurrent = (route: string, path: string) => {
  const page = path.split('?')[0]!;
  return route === '/' ? page === '/' || page.startsWith('/chats/') : page === route || page.startsWith(`${route}/`);
};

export function Header({ menu, user, path, onSignOut }: { menu: AppRoute[]; user: User; path: string; onSignOut(): void }) {
  const t = useT();
  const { lang, setLang } = useLang();
  const other = lang === 'ru' ? 'en' : 'ru';
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);

  useEffect(() => setOpen(false), [path]); // a page was chosen
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      toggle.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open]);

  return (
    <header>
      <Link to="/" className="brand">{t('appName')}</Link>
      <button ref={toggle} type="button" className="menu-toggle secondary" aria-expanded={open} aria-controls="app-menu" onClick={() => setOpen(!open)}>
        <span aria-hidden="true">☰</span> {t('menu')}
      </button>
      <div id="app-menu" className="header-menu" data-open={open}>
        <nav aria-label={t('mainNav')}>
          {menu.filter((r) => !r.nav!.roles || r.nav!.roles.includes(user.role)).map((r) => (
            <Link key={r.path} to={r.path} aria-current={isCurrent(r.path, path) ? 'page' : undefined}>{t(r.nav!.label)}</Link>
          ))}
        </nav>
        <span className="spacer" />
        <button type="button" className="link" lang={other} onClick={() => setLang(other)}>{other.toUpperCase()}</button>
        <span className="muted account" title={user.email}>{user.email}</span>
        <button type="button" className="link" onClick={onSignOut}>{t('signOut')}</button>
      </div>
    </header>
  );
}
