/** Strings of search and the law library. */
export const ru = {
  search: 'Поиск', searchPlaceholder: 'Что найти в моих документах и кодексах?', searchScope_all: 'Везде', searchScope_documents: 'Мои документы', searchScope_law: 'Кодексы', searchIn: 'Где искать',
  nothingFound: 'Ничего не найдено', lawLibrary: 'Кодексы', articles: 'статья|статьи|статей', lawArticleNotFound: 'Такой статьи в библиотеке нет.',
  law_konst: 'Конституция РФ', law_gk: 'ГК РФ', law_tk: 'ТК РФ', law_zhk: 'ЖК РФ', law_sk: 'СК РФ', law_gpk: 'ГПК РФ', law_apk: 'АПК РФ', law_kas: 'КАС РФ', law_uk: 'УК РФ', law_zk: 'ЗК РФ', law_nk: 'НК РФ', edition: 'редакция',
};
export const en: Record<keyof typeof ru, string> = {
  search: 'Search', searchPlaceholder: 'What to find in my documents and the codes?', searchScope_all: 'Everywhere', searchScope_documents: 'My documents', searchScope_law: 'Codes', searchIn: 'Where to search',
  nothingFound: 'Nothing found', lawLibrary: 'Codes', articles: 'article|articles', lawArticleNotFound: 'The library has no such article.',
  law_konst: 'Constitution of Russia', law_gk: 'Civil Code', law_tk: 'Labour Code', law_zhk: 'Housing Code', law_sk: 'Family Code', law_gpk: 'Civil Procedure Code', law_apk: 'Arbitration Procedure Code', law_kas: 'Administrative Procedure Code', law_uk: 'Criminal Code', law_zk: 'Land Code', law_nk: 'Tax Code', edition: 'edition',
};
