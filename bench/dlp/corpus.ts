/**
 * Deterministic synthetic corpus of Russian legal texts (contracts, claims, powers of attorney,
 * chat questions) with gold spans of personal data, hard negatives (legal references, numbers
 * failing their checksum) and every separator variant. Nothing is written to disk.
 */
import type { PiiType } from '../../core/dlp/types.js';
import * as f from './formats.js';
import * as v from './values.js';
import { int, pick, prng, type Rng } from './values.js';

export interface Span {
  start: number;
  end: number;
}
export interface GoldEntity extends Span {
  type: PiiType;
}
/** A string that must not be reported as `type` (it fails that type's checksum). */
export interface InvalidTwin extends Span {
  type: PiiType;
}
export interface Doc {
  kind: string;
  text: string;
  gold: GoldEntity[];
  /** Legal references that must stay visible. */
  legal: Span[];
  /** Checksum-valid numbers in a non-personal context (order, invoice numbers) that must stay visible. */
  decoys: Span[];
  invalid: InvalidTwin[];
}

class Builder {
  text = '';
  readonly gold: GoldEntity[] = [];
  readonly legal: Span[] = [];
  readonly invalid: InvalidTwin[] = [];
  readonly decoys: Span[] = [];
  hasBik = false;
  add(s: string): this {
    this.text += s;
    return this;
  }
  private span(s: string): Span {
    const start = this.text.length;
    this.text += s;
    return { start, end: this.text.length };
  }
  pii(type: PiiType, s: string): this {
    this.gold.push({ type, ...this.span(s) });
    return this;
  }
  ref(s: string): this {
    this.legal.push(this.span(s));
    return this;
  }
  decoy(s: string): this {
    this.decoys.push(this.span(s));
    return this;
  }
  bad(type: PiiType, s: string): this {
    this.invalid.push({ type, ...this.span(s) });
    return this;
  }
  sample(s: f.Sample): this {
    return this.add(s.context).pii(s.type, s.value);
  }
}

const NAMES = [
  ['Иванов Иван Иванович', 'Иванова Ивана Ивановича'], ['Петрова Анна Сергеевна', 'Петровой Анны Сергеевны'],
  ['Сидоров Пётр Алексеевич', 'Сидорова Петра Алексеевича'], ['Кузнецова Мария Викторовна', 'Кузнецовой Марии Викторовны'],
  ['Смирнов Алексей Дмитриевич', 'Смирнова Алексея Дмитриевича'], ['Волкова Елена Николаевна', 'Волковой Елены Николаевны'],
  ['Морозов Дмитрий Олегович', 'Морозова Дмитрия Олеговича'], ['Соколова Ольга Игоревна', 'Соколовой Ольги Игоревны'],
] as const;
const SHORT_NAMES = ['Иванов И.И.', 'А.С. Петрова', 'Сидоров П.А.', 'Е.Н. Волкова', 'Морозов Д.О.', 'О.И. Соколова'];

const LEGAL_REFS = [
  'ст. 15.1 КоАП РФ', 'ч. 2 ст. 159 УК РФ', 'п. 3 ч. 1 ст. 1253 ГК РФ', 'Федеральный закон от 27.07.2006 № 152-ФЗ',
  'дело № А40-12345/2023', 'дело № 2-1234/2023', 'апелляционное определение № 33-12345/2024', 'ст. 395 ГК РФ',
  'судебное заседание назначено на 15.03.2024 в 10:00', 'сумма 1 500 000 (один миллион пятьсот тысяч) рублей',
  'в размере 1 234 567,89 руб.', 'Тверской районный суд г. Москвы', 'Арбитражный суд города Москвы',
  'Девятый арбитражный апелляционный суд', 'по улице Тверская', 'КПП 770701001', 'ОКПО 12345678', 'ОКТМО 45382000',
  'кадастровый номер 77:01:0001001:1234', 'постановление Пленума ВС РФ от 23.06.2015 № 25', 'пункт 1.2.3.4 договора',
  'ст. 12 Федерального закона № 115-ФЗ', 'Определение Конституционного Суда РФ от 17.07.2007 № 382-О-О',
  'неустойка 0,1% за каждый день просрочки', 'договор № 15/2023-П от 01.02.2023', 'в срок до 31.12.2024',
  'ч. 1 ст. 56 ГПК РФ', 'Постановление Правительства РФ от 01.11.2012 № 1119', 'исх. № 1234567890 от 05.05.2024',
];

function person(b: Builder, rng: Rng, genitive = false): void {
  if (int(rng, 0, 2) === 0) b.pii('PERSON', pick(rng, SHORT_NAMES));
  else b.pii('PERSON', pick(rng, NAMES)[genitive ? 1 : 0]);
}

function bankDetails(b: Builder, rng: Rng): void {
  const bik = v.bik(rng);
  b.hasBik = true;
  b.add('р/с ').pii('BANK_ACCOUNT', v.account(rng, bik)).add(' в ПАО «Банк», к/с ').pii('BANK_ACCOUNT', v.corrAccount(rng, bik));
  b.add(', БИК ').pii('BIK', bik).add('. ');
  if (int(rng, 0, 2) === 0) b.add('Ошибочный счёт ').bad('BANK_ACCOUNT', v.corrupt(v.account(rng, bik))).add(' не использовать. ');
}

function checksumValue(b: Builder, rng: Rng): void {
  let s = f.checksumSample(rng);
  // An account is checked against any BIK in the text, so a document gets one bank pair at most.
  const banked = b.hasBik || b.gold.some((g) => g.type === 'BANK_ACCOUNT');
  while (banked && (s.type === 'BANK_ACCOUNT' || s.type === 'BIK')) s = f.checksumSample(rng);
  if (s.type === 'BIK') b.hasBik = true;
  b.sample(s).add(pick(rng, ['. ', ', ', '; ', ' ', '.\n']));
}

function invalidValue(b: Builder, rng: Rng): void {
  const [type, context, value] = pick(rng, [
    ['INN', 'ИНН ', v.corrupt(v.inn10(rng))], ['INN', 'ИНН ', v.corrupt(v.inn12(rng))],
    ['SNILS', 'СНИЛС ', v.corrupt(v.snils(rng))], ['OGRN', 'ОГРН ', v.corrupt(v.ogrn(rng))],
    ['OGRNIP', 'ОГРНИП ', v.corrupt(v.ogrnip(rng))], ['CARD', 'карта ', v.corrupt(v.card(rng))],
  ] as const);
  b.add(`Неверно указан ${context}`).bad(type, value).add('. ');
}

function legal(b: Builder, rng: Rng): void {
  b.add(pick(rng, ['Согласно ', 'В соответствии с ', 'См. ', 'Учитывая: ', ''])).ref(pick(rng, LEGAL_REFS)).add('. ');
}

function contract(b: Builder, rng: Rng): void {
  b.add(`ДОГОВОР ОКАЗАНИЯ УСЛУГ № ${int(rng, 1, 999)}/${int(rng, 2019, 2025)}\n`);
  b.add('ООО «Ромашка», ИНН ').pii('INN', v.inn10(rng)).add(', ОГРН ').pii('OGRN', v.ogrn(rng));
  b.add(', в лице генерального директора ');
  person(b, rng, true);
  b.add(', и индивидуальный предприниматель ');
  person(b, rng);
  b.add(', ОГРНИП ').pii('OGRNIP', v.ogrnip(rng)).add(', ИНН ').pii('INN', v.inn12(rng)).add(', адрес: ').pii('ADDRESS', f.address(rng)).add('.\n');
  legal(b, rng);
  bankDetails(b, rng);
  b.add('Тел. ').pii('PHONE', f.phone(rng)).add(', e-mail: ').pii('EMAIL', f.email(rng)).add('.\n');
  legal(b, rng);
  if (int(rng, 0, 1)) invalidValue(b, rng);
}

function claim(b: Builder, rng: Rng): void {
  b.add(`В ${pick(rng, ['Тверской районный суд г. Москвы', 'Арбитражный суд города Москвы', 'Октябрьский районный суд г. Казани'])}\nИстец: `);
  person(b, rng);
  const birth = f.birthSample(rng);
  b.add(`, ${birth.before}`).pii('BIRTH_DATE', birth.value).add(`${birth.after}, `);
  b.sample(f.passportSample(rng)).add(', проживающий по адресу: ').pii('ADDRESS', f.address(rng)).add(', тел. ').pii('PHONE', f.phone(rng));
  b.add(', СНИЛС ').pii('SNILS', v.group(v.snils(rng), [3, 3, 3], ['-', '-', ' '])).add('.\nОтветчик: ');
  person(b, rng);
  b.add('.\nИСКОВОЕ ЗАЯВЛЕНИЕ\n');
  legal(b, rng);
  legal(b, rng);
  b.add('Автомобиль ответчика, госномер ').pii('VEHICLE_PLATE', f.plate(rng)).add(', причинил ущерб. ');
  checksumValue(b, rng);
  if (int(rng, 0, 1)) invalidValue(b, rng);
  legal(b, rng);
}

function powerOfAttorney(b: Builder, rng: Rng): void {
  b.add(`ДОВЕРЕННОСТЬ\nг. Москва, ${int(rng, 1, 28)} мая 2024 года\nЯ, `);
  person(b, rng);
  const birth = f.birthSample(rng);
  b.add(`, ${birth.before}`).pii('BIRTH_DATE', birth.value).add(`${birth.after}, `);
  b.sample(f.passportSample(rng)).add(', ').sample({ type: 'PASSPORT', context: 'код подразделения ', value: `${v.digits(rng, 3)}-${v.digits(rng, 3)}` });
  b.add(', зарегистрированный по адресу: ').pii('ADDRESS', f.address(rng)).add(', настоящей доверенностью уполномочиваю ');
  person(b, rng, true);
  b.add(', ИНН ').pii('INN', v.inn12(rng)).add(', представлять мои интересы. ');
  legal(b, rng);
}

function chat(b: Builder, rng: Rng): void {
  b.add(pick(rng, ['Здравствуйте! ', 'Добрый день. ', 'Вопрос: ', '']));
  for (let i = int(rng, 1, 3); i > 0; i--) {
    switch (int(rng, 0, 6)) {
      case 0: b.add(pick(rng, ['Мой телефон ', 'звоните на ', 'whatsapp ', 'номер для связи: ', 'мне можно позвонить: '])).pii('PHONE', f.phone(rng)).add('. '); break;
      case 1: b.add(pick(rng, ['Пишите на ', 'почта ', 'e-mail: '])).pii('EMAIL', f.email(rng)).add(' '); break;
      case 2: checksumValue(b, rng); break;
      case 3: b.add('Мне заблокировали ').sample({ type: 'CARD', context: 'карту ', value: v.group(v.card(rng), [4, 4, 4], ' ') }).add(', что делать? '); break;
      case 4: b.add('Меня оштрафовали с ').pii('IP_ADDRESS', f.ip(rng)).add(' — IP адрес мой? '); break;
      case 5: legal(b, rng); break;
      default: b.add('Я ').pii('PHONE', f.phone(rng)).add(' звонил вчера. '); break;
    }
  }
  if (int(rng, 0, 3) === 0) invalidValue(b, rng);
}

/** Harder layouts: lists, shared keywords, expiry dates, extensions, decoys with valid checksums. */
function requisites(b: Builder, rng: Rng): void {
  b.add('Реквизиты. ИНН и ОГРН организации: ').pii('INN', v.inn10(rng)).add(', ').pii('OGRN', v.ogrn(rng)).add('.\n');
  b.add(pick(rng, ['Тел./факс: ', 'Контакты: тел. ', 'моб.: '])).pii('PHONE', f.phone(rng)).add(', ').pii('PHONE', f.phone(rng));
  if (int(rng, 0, 1)) b.add(' доб. 123');
  b.add('; e-mail: <').pii('EMAIL', f.email(rng)).add('>.\n');
  const card = v.group(v.card(rng), [4, 4, 4], ' ');
  b.add('Оплата картой ').pii('CARD', card).add(` ${String(int(rng, 1, 12)).padStart(2, '0')}/${int(rng, 25, 30)}. `);
  b.add('Серия и номер паспорта: ').pii('PASSPORT', `${v.digits(rng, 4)} ${v.digits(rng, 6)}`).add('. ');
  b.add(pick(rng, ['Номер заказа ', 'Накладная № ', 'Исх. № ', 'Трек-номер ', 'Артикул '])).decoy(pick(rng, [v.inn10(rng), v.ogrn(rng), v.card(rng), v.ogrnip(rng), v.inn12(rng)])).add('. ');
  legal(b, rng);
}

const KINDS = { contract, claim, power_of_attorney: powerOfAttorney, chat, requisites } as const;

export function generateCorpus(seed: number, perKind: number): Doc[] {
  const rng = prng(seed);
  const docs: Doc[] = [];
  for (const [kind, make] of Object.entries(KINDS)) {
    for (let i = 0; i < perKind; i++) {
      const b = new Builder();
      make(b, rng);
      docs.push({ kind, text: b.text, gold: b.gold, legal: b.legal, invalid: b.invalid, decoys: b.decoys });
    }
  }
  return docs;
}

/** Random digit strings with no context word, `count` of each length, in short neutral sentences. */
export function randomDigitDocs(seed: number, lengths: number[], count: number): Array<{ length: number; text: string; span: Span }> {
  const rng = prng(seed);
  const out: Array<{ length: number; text: string; span: Span }> = [];
  for (const length of lengths) {
    for (let i = 0; i < count; i++) {
      const prefix = pick(rng, ['Значение ', 'Строка: ', 'Позиция ', 'В таблице указано ', '']);
      const value = v.digits(rng, length);
      out.push({ length, text: `${prefix}${value}${pick(rng, ['.', ' в отчёте.', ',', ''])}`, span: { start: prefix.length, end: prefix.length + length } });
    }
  }
  return out;
}
