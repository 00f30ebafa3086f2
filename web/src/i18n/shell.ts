/** Strings of the app's frame: the skip link, the header's menu, and what it says when something fails. */
export const ru = {
  skipToContent: 'Перейти к содержимому', menu: 'Меню', mainNav: 'Разделы',
  sessionFailed: 'Сервер не отвечает, войти не удалось', signOutFailed: 'Выйти не удалось: сервер не ответил, вы всё ещё в аккаунте',
  pageFailed: 'Страницу не удалось показать.', chunkFailed: 'Страницу не удалось загрузить: возможно, приложение обновилось.', reloadPage: 'Обновить страницу',
};
export const en: Record<keyof typeof ru, string> = {
  skipToContent: 'Skip to the content', menu: 'Menu', mainNav: 'Sections',
  sessionFailed: 'The server does not answer; could not sign you in', signOutFailed: 'Could not sign out: the server did not answer, you are still signed in',
  pageFailed: 'This page could not be shown.', chunkFailed: 'This page could not be loaded: the app may have been updated.', reloadPage: 'Reload the page',
};
