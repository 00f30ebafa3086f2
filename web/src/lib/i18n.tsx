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

/** The locale numbers and dates are written in for a language. */
export const localeOf = (lang: Lang): string => (lang === 'ru' ? 'ru-RU' : 'en-GB');

const stored = (): Lang => (localStorage.getItem('lang') === 'en' ? 'en' : 'ru');
/** The language chosen, for text made outside a component (a failed request's message). */
let current: Lang = 'ru';

const LangContext = createContext<{ lang: Lang; setLang(l: Lang): void }>({ lang: 'ru', setLang: () => undefined });

export function LangProvider({ children }: { children: ReactNode }) {
  const [lang, set] = useState<Lang>(() => (current = stored()));
  const setLang = (l: Lang) => {
    localStorage.setItem('lang', l);
    current = l;
    set(l);
  };
  // The page's language follows the choice, from the first render (screen readers read by it).
  useEffect(() => void (document.documentElement.lang = lang), [lang]);
  return <LangContext.Provider value={{ lang, setLang }}>{children}</LangContext.Provider>;
}

export function useLang() {
  return useContext(LangContext);
}

/**
 * `count(5, 'articles')` → "5 статей": the key holds the word's forms joined by `|`, Russian
 * one|few|many (1 статья, 2 статьи, 5 статей), English one|other.
 */
export function useCount(): (n: number, key: string) => string {
  const { lang } = useLang();
  const t = useT();
  return (n, key) => countPhrase(lang, n, t(key));
}

/** `n` and the form of a word (`forms` joined by `|`) that goes with it in `lang`. */
export function countPhrase(lang: Lang, n: number, forms: string): string {
  const all = forms.split('|');
  const rule = new Intl.PluralRules(lang).select(n);
  const form = lang === 'ru' ? all[rule === 'one' ? 0 : rule === 'many' ? 2 : 1] : all[rule === 'one' ? 0 : 1];
  return `${n.toLocaleString(localeOf(lang))} ${form ?? all.at(-1)}`;
}

/** `t` outside a component, in the language chosen. */
export const translate = (key: string): string => dictionaries[current][key] ?? key;

/** `t('send')`; an unknown key (e.g. a new status) shows as itself. */
export function useT(): (key: string) => string {
  const { lang } = useLang();
  const dict = dictionaries[lang];
  return (key) => dict[key] ?? key;
}
