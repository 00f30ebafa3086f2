/**
 * Context words that tell what a bare number is. A checksum alone is not enough: about one random
 * 10-, 13-, 15- or 16-digit string in ten passes one by chance, so most identifiers are reported
 * only when a keyword of their kind is close before them.
 */

export type ContextKind =
  | 'inn'
  | 'snils'
  | 'ogrn'
  | 'card'
  | 'account'
  | 'bik'
  | 'passport'
  | 'division'
  | 'phone'
  | 'oms'
  | 'birth'
  | 'ip'
  | 'plate'
  /** Non-personal registries and legal references: a number right after one of these is theirs. */
  | 'other';

/** Lowercase keyword stems; a keyword must start a word (not be preceded by a letter). */
const KEYWORDS: ReadonlyArray<readonly [string, ContextKind]> = [
  ['инн', 'inn'], ['инн/кпп', 'inn'], ['inn', 'inn'], ['налогоплательщик', 'inn'],
  ['снилс', 'snils'], ['страхов', 'snils'], ['пенсионн', 'snils'], ['snils', 'snils'],
  ['огрн', 'ogrn'], ['ogrn', 'ogrn'], ['государственный регистрационный номер', 'ogrn'],
  ['карт', 'card'], ['card', 'card'], ['visa', 'card'], ['mastercard', 'card'], ['maestro', 'card'],
  ['р/с', 'account'], ['р/сч', 'account'], ['р\\с', 'account'], ['к/с', 'account'], ['к/сч', 'account'],
  ['л/с', 'account'], ['расчетн', 'account'], ['расчётн', 'account'], ['корр', 'account'],
  ['кор. сч', 'account'], ['лицев', 'account'], ['счет', 'account'], ['счёт', 'account'], ['сч.', 'account'],
  ['account', 'account'], ['iban', 'account'],
  ['бик', 'bik'], ['bic', 'bik'],
  ['паспорт', 'passport'], ['серия', 'passport'], ['серии', 'passport'], ['серией', 'passport'],
  ['загран', 'passport'], ['passport', 'passport'], ['удостоверяющ', 'passport'],
  ['код подразделения', 'division'], ['кодом подразделения', 'division'], ['к/п', 'division'],
  ['тел', 'phone'], ['phone', 'phone'], ['моб', 'phone'], ['сотов', 'phone'], ['звон', 'phone'],
  ['whatsapp', 'phone'], ['ватсап', 'phone'], ['вацап', 'phone'], ['telegram', 'phone'], ['факс', 'phone'],
  ['fax', 'phone'], ['viber', 'phone'], ['вайбер', 'phone'],
  ['омс', 'oms'], ['полис', 'oms'], ['медицинского страхования', 'oms'],
  ['рожд', 'birth'], ['родил', 'birth'], ['д.р.', 'birth'], ['born', 'birth'], ['birth', 'birth'], ['dob', 'birth'],
  ['ip', 'ip'], ['айпи', 'ip'], ['хост', 'ip'], ['host', 'ip'], ['сервер', 'ip'],
  ['госномер', 'plate'], ['гос. номер', 'plate'], ['гос.номер', 'plate'], ['г/н', 'plate'], ['грз', 'plate'],
  ['регистрационный знак', 'plate'], ['номерной знак', 'plate'], ['автомобил', 'plate'], ['транспортн', 'plate'],
  ['кпп', 'other'], ['окпо', 'other'], ['октмо', 'other'], ['окато', 'other'], ['оквэд', 'other'],
  ['окфс', 'other'], ['окопф', 'other'], ['окогу', 'other'], ['дело', 'other'], ['дела', 'other'],
  ['статья', 'other'], ['статьи', 'other'], ['ст.', 'other'], ['пункт', 'other'], ['п.', 'other'],
  ['часть', 'other'], ['ч.', 'other'], ['закон', 'other'], ['фз', 'other'], ['сумм', 'other'],
  ['руб', 'other'], ['кадастров', 'other'], ['договор', 'other'], ['№ а', 'other'],
];

/** Short keywords that are also the start of unrelated words ("Омск", "делать"). */
const WHOLE_WORD = new Set(['inn', 'омс', 'дело', 'дела', 'фз', 'ip', 'dob']);

const BY_FIRST = new Map<number, Array<readonly [string, ContextKind]>>();
for (const entry of KEYWORDS) {
  const c = entry[0].charCodeAt(0);
  const list = BY_FIRST.get(c) ?? [];
  list.push(entry);
  BY_FIRST.set(c, list);
}

/** Latin, Latin-1 and Cyrillic letters; enough for word boundaries in Russian legal text. */
export function isLetterCode(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 0x400 && code <= 0x52f) || (code >= 0xc0 && code <= 0x24f && code !== 0xd7 && code !== 0xf7);
}

export interface ContextHit {
  kind: ContextKind;
  /** Index of the keyword in the text. */
  start: number;
  /** Index in the text just after the keyword. */
  end: number;
}

/**
 * Keywords found in `[from, to)` of `lower` (the lowercased text), nearest to `to` first.
 * The window is short, so the cost per candidate is constant.
 */
export function contextBefore(lower: string, to: number, width = 40): ContextHit[] {
  const from = Math.max(0, to - width);
  const hits: ContextHit[] = [];
  for (let i = from; i < to; i++) {
    const list = BY_FIRST.get(lower.charCodeAt(i));
    if (list === undefined || (i > 0 && isLetterCode(lower.charCodeAt(i - 1)))) continue;
    for (const [kw, kind] of list) {
      const end = i + kw.length;
      if (end > to || !lower.startsWith(kw, i)) continue;
      if (WHOLE_WORD.has(kw) && end < lower.length && isLetterCode(lower.charCodeAt(end))) continue;
      hits.push({ kind, start: i, end });
    }
  }
  // Nearest first; of two ending at the same place the longer wins ("инн/кпп" over "кпп").
  return hits.sort((a, b) => b.end - a.end || a.start - b.start);
}

/** Kinds in proximity order, cut at the first non-personal keyword (it claims what follows it). */
export function contextKinds(lower: string, to: number, width = 40): ContextKind[] {
  const kinds: ContextKind[] = [];
  for (const h of contextBefore(lower, to, width)) {
    if (h.kind === 'other') break;
    if (!kinds.includes(h.kind)) kinds.push(h.kind);
  }
  return kinds;
}

/** Lowercases without changing length, so offsets stay valid (a few characters grow when lowercased). */
export function lowerSameLength(text: string): string {
  const lower = text.toLowerCase();
  if (lower.length === text.length) return lower;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const l = (text[i] as string).toLowerCase();
    out += l.length === 1 ? l : text[i];
  }
  return out;
}

/** The nearest keyword kind before `to`, or null; unlike contextKinds it reports 'other' too. */
export function nearestKind(lower: string, to: number, width = 40): ContextKind | null {
  return contextBefore(lower, to, width)[0]?.kind ?? null;
}
