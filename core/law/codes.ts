/** The codes of the built-in law library: their API codes, names and the source files they come from. */
export const LAW_CODES = [
  { code: 'konst', title: 'Конституция Российской Федерации', short_title: 'Конституция РФ', files: ['konst'] },
  { code: 'gk', title: 'Гражданский кодекс Российской Федерации (части первая — четвёртая)', short_title: 'ГК РФ', files: ['gk1', 'gk2', 'gk3', 'gk4'] },
  { code: 'tk', title: 'Трудовой кодекс Российской Федерации', short_title: 'ТК РФ', files: ['tk'] },
  { code: 'zhk', title: 'Жилищный кодекс Российской Федерации', short_title: 'ЖК РФ', files: ['zhk'] },
  { code: 'sk', title: 'Семейный кодекс Российской Федерации', short_title: 'СК РФ', files: ['sk'] },
  { code: 'gpk', title: 'Гражданский процессуальный кодекс Российской Федерации', short_title: 'ГПК РФ', files: ['gpk'] },
  { code: 'apk', title: 'Арбитражный процессуальный кодекс Российской Федерации', short_title: 'АПК РФ', files: ['apk'] },
  { code: 'kas', title: 'Кодекс административного судопроизводства Российской Федерации', short_title: 'КАС РФ', files: ['kas'] },
  { code: 'uk', title: 'Уголовный кодекс Российской Федерации', short_title: 'УК РФ', files: ['uk'] },
  { code: 'zk', title: 'Земельный кодекс Российской Федерации', short_title: 'ЗК РФ', files: ['zk'] },
  { code: 'nk', title: 'Налоговый кодекс Российской Федерации (часть первая)', short_title: 'НК РФ', files: ['nk1'] },
] as const;

export type LawCode = (typeof LAW_CODES)[number]['code'];

export interface PackedArticle {
  article: string;
  title: string;
  section: string;
  chapter: string;
  clauses: string[];
}

export interface PackedCode {
  code: string;
  title: string;
  short_title: string;
  edition_date: string;
  articles: PackedArticle[];
}
