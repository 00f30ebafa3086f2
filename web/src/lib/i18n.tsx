/** Russian first, English on request; the choice is kept in localStorage. */
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';

/**
 * Each part of the app keeps its strings in `web/src/i18n/<part>.ts`, exporting `ru` and `en`;
 * they are merged here, so pages added side by side do not edit one shared file.
 */
const parts = import.meta.glob<{ ru: Record<string, string>; en: Record<string, string> }>('../i18n/*.ts', { eager: true });
const dictionaries = {
  ru: Object.assign({}, ...Object.values(parts).map((p) => p.ru)) as Record<string, string>,
  en: Object.assign({}, ...Object.values(parts).map((p) => p.en)) as Record<string, string>,
};
export type Lang = keyof typeof dictionaries;

const LangContext = createContext<{ lang: Lang; setLang(l: Lang): void }>({ lang: 'ru', setLang: () => undefined });

export function LangProvider({ children }: { children: ReactNode }) {
  const [lang, set] = useState<Lang>(() => (localStorage.getItem('lang') === 'en' ? 'en' : 'ru'));
  const setLang = (l: Lang) => {
    localStorage.setItem('lang', l);
    set(l);
  };
  // The page's language follows the choice, from the first render (screen readers read by it).
  useEffect(() => void (document.documentElement.lang = lang), [lang]);
  return <LangContext.Provider value={{ lang, setLang }}>{children}</LangContext.Provider>;
}

export function useLang() {
  return useContext(LangContext);
}

/** `t('send')`; an unknown key (e.g. a new status) shows as itself. */
export function useT(): (key: string) => string {
  const { lang } = useLang();
  const dict = dictionaries[lang];
  return (key) => dict[key] ?? key;
}
