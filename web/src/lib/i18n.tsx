/** Russian first, English on request; the choice is kept in localStorage. */
import { createContext, useContext, useState, type ReactNode } from 'react';

const ru = {
  appName: 'Юридический ассистент',
  signIn: 'Войти', signUp: 'Зарегистрироваться', signOut: 'Выйти',
  email: 'Эл. почта', password: 'Пароль', name: 'Имя',
  haveAccount: 'Уже есть аккаунт? Войти', noAccount: 'Нет аккаунта? Зарегистрироваться',
  consentPrefix: 'Я даю', consentLink: 'согласие на обработку персональных данных', consentRequired: 'Без согласия на обработку регистрация невозможна',
  chats: 'Чаты', newChat: 'Новый чат', documents: 'Документы', noChats: 'Чатов пока нет',
  askPlaceholder: 'Задайте юридический вопрос…', send: 'Отправить',
  streaming: 'Отвечаю…', queued: 'В очереди…', failed: 'Ответ не получен', retry: 'Повторить',
  degraded: 'Ответ резервной модели: основная была недоступна', askLawyer: 'Спросить юриста', reviewRequested: 'Запрос юристу отправлен',
  sources: 'Источники', close: 'Закрыть', openArticle: 'Открыть статью', openDocument: 'Открыть документ',
  pickChat: 'Выберите чат или начните новый', reconnecting: 'Нет связи, переподключаюсь…',
  upload: 'Перетащите файл сюда или выберите его', uploading: 'Загрузка', noDocuments: 'Документов пока нет',
  status_uploaded: 'загружен', status_processing: 'обрабатывается', status_ready: 'готов', status_failed: 'ошибка',
  stage_stored: 'сохранён', stage_extracting: 'извлечение текста', stage_ocr: 'распознавание', stage_masking: 'маскирование', stage_indexing: 'индексация', stage_ready: 'готов',
  download: 'Скачать', delete: 'Удалить', confirmDelete: 'Удалить документ безвозвратно?', versions: 'Версии', text: 'Текст (маскированный)',
  analysis: 'Анализ', analyze: 'Проанализировать', summary: 'Кратко', parties: 'Стороны', keyTerms: 'Существенные условия', risks: 'Риски',
  back: 'Назад', loading: 'Загрузка…', error: 'Ошибка',
};
type Key = keyof typeof ru;
const en: Record<Key, string> = {
  appName: 'Legal assistant',
  signIn: 'Sign in', signUp: 'Sign up', signOut: 'Sign out',
  email: 'E-mail', password: 'Password', name: 'Name',
  haveAccount: 'Have an account? Sign in', noAccount: 'No account? Sign up',
  consentPrefix: 'I give my', consentLink: 'consent to the processing of personal data', consentRequired: 'Signing up needs the consent to processing',
  chats: 'Chats', newChat: 'New chat', documents: 'Documents', noChats: 'No chats yet',
  askPlaceholder: 'Ask a legal question…', send: 'Send',
  streaming: 'Answering…', queued: 'Queued…', failed: 'No answer', retry: 'Retry',
  degraded: 'Answered by a fallback model: the main one was unavailable', askLawyer: 'Ask a lawyer', reviewRequested: 'Sent to a lawyer',
  sources: 'Sources', close: 'Close', openArticle: 'Open the article', openDocument: 'Open the document',
  pickChat: 'Pick a chat or start a new one', reconnecting: 'Offline, reconnecting…',
  upload: 'Drop a file here or choose one', uploading: 'Uploading', noDocuments: 'No documents yet',
  status_uploaded: 'uploaded', status_processing: 'processing', status_ready: 'ready', status_failed: 'failed',
  stage_stored: 'stored', stage_extracting: 'extracting text', stage_ocr: 'recognising', stage_masking: 'masking', stage_indexing: 'indexing', stage_ready: 'ready',
  download: 'Download', delete: 'Delete', confirmDelete: 'Delete this document for good?', versions: 'Versions', text: 'Text (masked)',
  analysis: 'Analysis', analyze: 'Analyse', summary: 'Summary', parties: 'Parties', keyTerms: 'Key terms', risks: 'Risks',
  back: 'Back', loading: 'Loading…', error: 'Error',
};
const dictionaries = { ru, en };
export type Lang = keyof typeof dictionaries;

const LangContext = createContext<{ lang: Lang; setLang(l: Lang): void }>({ lang: 'ru', setLang: () => undefined });

export function LangProvider({ children }: { children: ReactNode }) {
  const [lang, set] = useState<Lang>(() => (localStorage.getItem('lang') === 'en' ? 'en' : 'ru'));
  const setLang = (l: Lang) => {
    localStorage.setItem('lang', l);
    document.documentElement.lang = l;
    set(l);
  };
  return <LangContext.Provider value={{ lang, setLang }}>{children}</LangContext.Provider>;
}

export function useLang() {
  return useContext(LangContext);
}

/** `t('send')`; an unknown key (e.g. a new status) shows as itself. */
export function useT(): (key: string) => string {
  const { lang } = useLang();
  const dict = dictionaries[lang] as Record<string, string>;
  return (key) => dict[key] ?? key;
}
