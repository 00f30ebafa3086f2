/** Strings of search and the law library. */
export const ru = {
  search: 'Поиск', searchPlaceholder: 'Что найти в моих документах и кодексах?', searchScope_all: 'Везде', searchScope_documents: 'Мои документы', searchScope_law: 'Кодексы', searchIn: 'Где искать',
  nothingFound: 'Ничего не найдено', lawLibrary: 'Кодексы', articles: 'статей', edition: 'редакция',
};
export const en: Record<keyof typeof ru, string> = {
  search: 'Search', searchPlaceholder: 'What to find in my documents and the codes?', searchScope_all: 'Everywhere', searchScope_documents: 'My documents', searchScope_law: 'Codes', searchIn: 'Where to search',
  nothingFound: 'Nothing found', lawLibrary: 'Codes', articles: 'articles', edition: 'edition',
};
