/** Spellings of each identifier as people write them (separators, brackets, prefixes). */
import type { PiiType } from '../../core/dlp/types.js';
import * as v from './values.js';
import { int, pick, type Rng } from './values.js';

/** A labeled value: `context` goes before it (unlabeled), `value` is the gold span. */
export interface Sample {
  type: PiiType;
  context: string;
  value: string;
}

const NBSP = '\u00a0';

export function phone(rng: Rng): string {
  const code = pick(rng, ['916', '903', '985', '495', '499', '812', '343', '701', '705', '747', '727', '800']);
  const a = v.digits(rng, 3);
  const b = v.digits(rng, 2);
  const c = v.digits(rng, 2);
  return pick(rng, [
    `+7 (${code}) ${a}-${b}-${c}`, `+7 ${code} ${a} ${b} ${c}`, `+7${code}${a}${b}${c}`, `+7-${code}-${a}-${b}-${c}`,
    `8 (${code}) ${a}-${b}-${c}`, `8-${code}-${a}-${b}-${c}`, `8${code}${a}${b}${c}`, `8 ${code} ${a}${b}${c}`,
    `8(${code})${a}-${b}-${c}`, `+7 (${code}) ${a}${b}${c}`, `+7${NBSP}${code}${NBSP}${a}-${b}-${c}`,
    `+44 20 ${v.digits(rng, 4)} ${v.digits(rng, 4)}`, `+1 (212) ${a}-${v.digits(rng, 4)}`, `+49 30 ${v.digits(rng, 8)}`,
    `+375 29 ${a}-${b}-${c}`, `+380 44 ${a} ${b}${c}`, `+998 90 ${a}-${b}-${c}`, `+7 (${code}) ${a} - ${b} - ${c}`,
    `8 ${code} ${a}-${b}-${c}`, `+7(${code})${a}${b}${c}`, `8–${code}–${a}–${b}–${c}`, `(${code}) ${a}-${b}-${c}`,
  ]);
}

export function email(rng: Rng): string {
  const user = pick(rng, ['ivanov', 'a.petrova', 'info', 'sergey_k', 'lawyer.msk', 'olga-83', 'p.sidorov+docs', 'yurist2024']);
  const domain = pick(rng, ['mail.ru', 'yandex.ru', 'gmail.com', 'bk.ru', 'law-firm.com', 'юрфирма.рф', 'sub.company.org', 'inbox.ru']);
  return `${user}${int(rng, 0, 1) ? int(rng, 1, 99) : ''}@${domain}`;
}

/** A checksum identifier with a matching context word, in a random spelling. */
export function checksumSample(rng: Rng): Sample {
  switch (int(rng, 0, 7)) {
    case 0: {
      const x = int(rng, 0, 1) ? v.inn10(rng) : v.inn12(rng);
      return { type: 'INN', context: pick(rng, ['ИНН ', 'ИНН: ', 'ИНН/КПП ', 'инн ', 'ИНН№', 'ИНН:', 'ИНН | ', 'ИНН № ', 'идентификационный номер налогоплательщика ', 'ИНН физического лица — ']), value: x };
    }
    case 1: {
      const x = int(rng, 0, 9) === 0 ? v.oldSnils(rng) : v.snils(rng);
      const value = pick(rng, [v.group(x, [3, 3, 3], ['-', '-', ' ']), v.group(x, [3, 3, 3], '-'), x, v.group(x, [3, 3, 3], ' '), v.group(x, [3, 3, 3], ['-', '-', NBSP])]);
      return { type: 'SNILS', context: pick(rng, ['СНИЛС ', 'СНИЛС: ', 'страховой номер ', 'снилс ', 'СНИЛС № ', 'номер СНИЛС - ', 'SNILS ']), value };
    }
    case 2:
      return { type: 'OGRN', context: pick(rng, ['ОГРН ', 'ОГРН: ', 'огрн ']), value: v.ogrn(rng) };
    case 3:
      return { type: 'OGRNIP', context: pick(rng, ['ОГРНИП ', 'ОГРНИП: ', 'ОГРН ИП ']), value: v.ogrnip(rng) };
    case 4: {
      const x = v.card(rng);
      const value = pick(rng, [v.group(x, [4, 4, 4], ' '), v.group(x, [4, 4, 4], '-'), x, v.group(x, [4, 4, 4], NBSP)]);
      return { type: 'CARD', context: pick(rng, ['карта ', 'номер карты ', 'на карту ', 'карта Мир ', 'Visa ', 'картой № ', 'карты Сбербанка: ', 'с карты ']), value };
    }
    case 5: {
      const b = v.bik(rng);
      return { type: 'BIK', context: pick(rng, ['БИК ', 'БИК: ', 'бик ']), value: b };
    }
    case 6:
      return { type: 'BANK_ACCOUNT', context: pick(rng, ['р/с ', 'расчётный счёт ', 'счет № ', 'лицевой счет ', 'р/сч ']), value: v.account(rng, v.bik(rng)) };
    default:
      return { type: 'OMS_POLICY', context: pick(rng, ['полис ОМС ', 'полис ОМС № ', 'полис обязательного медицинского страхования ']), value: v.digits(rng, 16) };
  }
}

export function passportSample(rng: Rng): Sample {
  const series = v.digits(rng, 4);
  const number = v.digits(rng, 6);
  switch (int(rng, 0, 5)) {
    case 0: return { type: 'PASSPORT', context: 'паспорт серия ', value: `${series.slice(0, 2)} ${series.slice(2)} № ${number}` };
    case 1: return { type: 'PASSPORT', context: 'паспорт ', value: `${series} ${number}` };
    case 2: return { type: 'PASSPORT', context: 'паспорт гражданина РФ ', value: `${series.slice(0, 2)} ${series.slice(2)} ${number}` };
    case 3: return { type: 'PASSPORT', context: 'серия ', value: `${series} номер ${number}` };
    case 4: return { type: 'PASSPORT', context: 'код подразделения ', value: `${v.digits(rng, 3)}-${v.digits(rng, 3)}` };
    default: return { type: 'PASSPORT', context: 'заграничный паспорт ', value: `${v.digits(rng, 2)} ${v.digits(rng, 7)}` };
  }
}

const PLATE_LETTERS = 'АВЕКМНОРСТУХ';
const LATIN = 'ABEKMHOPCTYX';

export function plate(rng: Rng): string {
  const abc = int(rng, 0, 3) === 0 ? LATIN : PLATE_LETTERS;
  const l = (): string => abc[int(rng, 0, abc.length - 1)] as string;
  const num = String(int(rng, 1, 999)).padStart(3, '0');
  const region = pick(rng, ['77', '99', '177', '199', '50', '750', '78', '16']);
  return pick(rng, [`${l()}${num}${l()}${l()}${region}`, `${l()} ${num} ${l()}${l()} ${region}`, `${l()}${num}${l()}${l()} ${region} RUS`]);
}

const MONTHS = ['января', 'февраля', 'марта', 'апреля', 'мая', 'июня', 'июля', 'августа', 'сентября', 'октября', 'ноября', 'декабря'];

export function birthSample(rng: Rng): { before: string; value: string; after: string } {
  const d = int(rng, 1, 28);
  const m = int(rng, 1, 12);
  const y = int(rng, 1940, 2005);
  const dd = String(d).padStart(2, '0');
  const mm = String(m).padStart(2, '0');
  return pick(rng, [
    { before: '', value: `${dd}.${mm}.${y}`, after: ' г.р.' },
    { before: 'дата рождения: ', value: `${dd}.${mm}.${y}`, after: '' },
    { before: 'родился ', value: `${d} ${MONTHS[m - 1]} ${y}`, after: ' г.' },
    { before: '', value: `${dd}.${mm}.${y}`, after: ' года рождения' },
    { before: 'дата рожд. ', value: `${dd}/${mm}/${y}`, after: '' },
    { before: 'родилась ', value: `${dd}.${mm}.${y}`, after: '' },
  ]);
}

const CITIES = ['г. Москва', 'г. Санкт-Петербург', 'г. Казань', 'г. Екатеринбург', 'Московская обл., г. Подольск', 'г. Новосибирск'];
const STREETS = ['ул. Ленина', 'улица Гагарина', 'пр-т Мира', 'ул. Маршала Жукова', 'Ленинский проспект', 'пер. Кривоколенный', 'ул. 8 Марта', 'Невский пр-т', 'ш. Энтузиастов', 'б-р Яна Райниса'];

export function address(rng: Rng): string {
  const index = int(rng, 0, 1) ? `${int(rng, 100000, 699999)}, ` : '';
  const street = pick(rng, STREETS);
  const house = pick(rng, [`д. ${int(rng, 1, 150)}`, `д.${int(rng, 1, 150)}`, `дом ${int(rng, 1, 150)}`, String(int(rng, 1, 150))]);
  const corp = int(rng, 0, 3) === 0 ? `, корп. ${int(rng, 1, 5)}` : '';
  const flat = int(rng, 0, 1) ? pick(rng, [`, кв. ${int(rng, 1, 400)}`, ` кв. ${int(rng, 1, 400)}`, `, офис ${int(rng, 1, 40)}`]) : '';
  return `${index}${pick(rng, CITIES)}, ${street}, ${house}${corp}${flat}`;
}

export function ip(rng: Rng): string {
  return pick(rng, [
    `${int(rng, 1, 223)}.${int(rng, 0, 255)}.${int(rng, 0, 255)}.${int(rng, 1, 254)}`,
    `192.168.${int(rng, 0, 255)}.${int(rng, 1, 254)}`,
    `2001:db8:${int(rng, 0, 65535).toString(16)}::${int(rng, 1, 255).toString(16)}`,
  ]);
}
