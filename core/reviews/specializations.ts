/**
 * The fixed list of lawyers' specializations, and a rule-based classifier of a (masked)
 * question into one of them: the fallback when no AI provider answers with a code.
 */
export const SPECIALIZATIONS = [
  { code: 'civil', name: 'Гражданское право' },
  { code: 'housing', name: 'Жилищное право' },
  { code: 'labour', name: 'Трудовое право' },
  { code: 'family', name: 'Семейное право' },
  { code: 'consumer', name: 'Защита прав потребителей' },
  { code: 'administrative', name: 'Административное право' },
  { code: 'corporate', name: 'Корпоративное право' },
  { code: 'tax', name: 'Налоговое право' },
  { code: 'inheritance', name: 'Наследственное право' },
  { code: 'criminal', name: 'Уголовное право' },
  { code: 'land', name: 'Земельное право' },
] as const;

export type Specialization = (typeof SPECIALIZATIONS)[number]['code'];
export const SPECIALIZATION_CODES = SPECIALIZATIONS.map((s) => s.code) as [Specialization, ...Specialization[]];

/** Word stems per field, matched at the start of a word; the most hits wins, `civil` when none. */
const STEMS: Record<Exclude<Specialization, 'civil'>, string[]> = {
  labour: ['увол', 'трудов', 'работодат', 'работник', 'зарплат', 'заработн', 'отпуск', 'сокращен', 'больничн', 'тк рф', 'трудоустр'],
  housing: ['квартир', 'жиль', 'жилищ', 'жилое', 'жилого', 'наним', 'найм', 'коммунальн', 'жкх', 'управляющ', 'прописк', 'жк рф', 'многоквартир'],
  family: ['развод', 'алимент', 'брак', 'супруг', 'опек', 'усынов', 'родительск', 'ребён', 'ребен', 'детей', 'ск рф'],
  consumer: ['потребител', 'товар', 'магазин', 'гарант', 'некачеств', 'продав', 'возврат денег', 'услуг', 'зозпп'],
  administrative: ['штраф', 'гибдд', 'гаи', 'административ', 'коап', 'лишени', 'полици', 'протокол', 'госуслуг'],
  corporate: ['ооо', 'акционер', 'учредит', 'устав', 'доли в', 'корпоратив', 'генеральн', 'участник общества', 'ао '],
  tax: ['налог', 'ндфл', 'ндс', 'фнс', 'вычет', 'декларац', 'инспекц', 'нк рф'],
  inheritance: ['наследств', 'наследник', 'завещ', 'наследодат', 'нотариус'],
  criminal: ['уголовн', 'ук рф', 'преступлен', 'краж', 'мошеннич', 'следовател', 'подозрева', 'обвиня', 'приговор', 'упк'],
  land: ['земельн', 'участ', 'межеван', 'кадастр', 'снт', 'зк рф', 'сервитут'],
};

export function classifyByRules(text: string): Specialization {
  const lower = ` ${text.toLowerCase().replace(/ё/g, 'е')}`;
  let best: Specialization = 'civil';
  let bestHits = 0;
  for (const [code, stems] of Object.entries(STEMS) as Array<[Specialization, string[]]>) {
    let hits = 0;
    for (const stem of stems) {
      const normal = stem.replace(/ё/g, 'е');
      let at = lower.indexOf(normal);
      while (at >= 0) {
        if (!/[\p{L}\d]/u.test(lower[at - 1] ?? ' ')) hits++;
        at = lower.indexOf(normal, at + normal.length);
      }
    }
    if (hits > bestHits) [best, bestHits] = [code, hits];
  }
  return best;
}

export const isSpecialization = (value: string): value is Specialization => (SPECIALIZATION_CODES as string[]).includes(value);
