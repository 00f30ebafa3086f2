import { describe, expect, it } from 'vitest';
import { mask, scan, type PiiType } from '../../../core/dlp/index.js';

/** The types found, with the text each covers. */
function found(text: string): Array<[PiiType, string]> {
  return scan(text).entities.map((e) => [e.type, text.slice(e.start, e.end)]);
}

const NBSP = '\u00a0';

describe('checksum identifiers', () => {
  it.each([
    ['ИНН 7707083893', 'INN', '7707083893'],
    ['ИНН: 597217513227', 'INN', '597217513227'],
    ['ИНН/КПП 7707083893/770701001', 'INN', '7707083893'],
    ['СНИЛС 112-233-445 95', 'SNILS', '112-233-445 95'],
    ['СНИЛС 112-233-445-95', 'SNILS', '112-233-445-95'],
    [`СНИЛС 112 233 445${NBSP}95`, 'SNILS', `112 233 445${NBSP}95`],
    ['СНИЛС 11223344595', 'SNILS', '11223344595'],
    ['страховой номер 001-001-998 12', 'SNILS', '001-001-998 12'],
    ['ОГРН 1027700132195', 'OGRN', '1027700132195'],
    ['ОГРНИП 356696980134009', 'OGRNIP', '356696980134009'],
    ['карта 2200 1234 5678 9019', 'CARD', '2200 1234 5678 9019'],
    ['номер карты 2200-1234-5678-9019', 'CARD', '2200-1234-5678-9019'],
    ['карта 2200123456789019', 'CARD', '2200123456789019'],
    ['БИК 044525225', 'BIK', '044525225'],
    ['р/с 40702810916306958691', 'BANK_ACCOUNT', '40702810916306958691'],
    ['полис ОМС 5689 8599 5805 3757', 'OMS_POLICY', '5689 8599 5805 3757'],
  ] as const)('%s', (text, type, value) => {
    expect(found(text)).toEqual([[type, value]]);
  });

  it('keeps brackets around a whole number outside the span', () => {
    expect(found('ИНН (7707083893)')).toEqual([['INN', '7707083893']]);
  });

  it('checks accounts against a BIK in the text, whatever the context', () => {
    expect(found('40702810916306958691, БИК 044525225')).toEqual([['BANK_ACCOUNT', '40702810916306958691'], ['BIK', '044525225']]);
    expect(found('р/с 40702810916306958692, БИК 044525225')).toEqual([['BIK', '044525225']]);
  });

  it('never reports a string failing its checksum as that type', () => {
    for (const text of ['ИНН 7707083894', 'СНИЛС 112-233-445 96', 'ОГРН 1027700132196', 'ОГРНИП 356696980134008', 'карта 2200 1234 5678 9018']) {
      expect(found(text)).toEqual([]);
    }
  });

  it('reads context words anywhere in a long text, also across the blocks it is searched in', () => {
    // Keywords are looked for in blocks of a few hundred characters; every shift crosses a boundary once.
    for (let pad = 470; pad < 560; pad++) {
      const text = `${'а'.repeat(pad - 1)} ИНН/КПП 7707083893/770701001, р/с 40702810916306958691`;
      expect(found(text)).toEqual([['INN', '7707083893'], ['BANK_ACCOUNT', '40702810916306958691']]);
    }
    // "КПП" inside "ИНН/КПП" is not a keyword of its own, wherever the block starts.
    expect(found(`${'а '.repeat(300)}ИНН/КПП 7707083893`)).toEqual([['INN', '7707083893']]);
  });

  it('needs context for bare numbers that may pass a checksum by chance', () => {
    expect(found('Значение 7707083893 в таблице')).toEqual([]);
    expect(found('Строка 1027700132195')).toEqual([]);
    expect(found('Позиция 2200123456789019')).toEqual([]);
    // A card grouped 4-4-4-4 with an issuer prefix and a valid Luhn is a card on its own.
    expect(found('Переведите на 2200 1234 5678 9019')).toEqual([['CARD', '2200 1234 5678 9019']]);
  });
});

describe('pattern and context', () => {
  it.each([
    '+7 (916) 123-45-67', '+7 916 123 45 67', '+79161234567', '8 (916) 123-45-67', '8-916-123-45-67', '89161234567',
    '8(495)123-45-67', '+7 (701) 234-56-78', '+7 727 123 4567', '+44 20 7946 0958', '+1 (212) 555-0123', '+375 29 123-45-67',
    `+7${NBSP}916${NBSP}123-45-67`, '(495) 123-45-67',
  ])('phone %s', (phone) => {
    expect(found(`Позвоните мне: ${phone}.`)).toEqual([['PHONE', phone]]);
    expect(found(`Контакт ${phone}`)).toEqual([['PHONE', phone]]);
  });

  it('passports, division codes and foreign passports', () => {
    expect(found('паспорт серия 45 06 № 123456')).toEqual([['PASSPORT', '45 06 № 123456']]);
    expect(found('паспорт 4506 123456 выдан')).toEqual([['PASSPORT', '4506 123456']]);
    expect(found('серия 4506 номер 123456')).toEqual([['PASSPORT', '4506 номер 123456']]);
    expect(found('код подразделения 770-001')).toEqual([['PASSPORT', '770-001']]);
    expect(found('заграничный паспорт 75 1234567')).toEqual([['PASSPORT', '75 1234567']]);
    // Without a keyword only the passport's own grouping, a region code and a year of issue count.
    expect(found('Приложение 4506 123456')).toEqual([['PASSPORT', '4506 123456']]);
    expect(found('Приложение 4550 123456')).toEqual([]);
    expect(found('Приложение 0206 123456')).toEqual([]);
    expect(found('Приложение 4506123456')).toEqual([]);
  });

  it('e-mails, IP addresses and vehicle plates', () => {
    expect(found('пишите на Ivan.Petrov+law@mail.ru.')).toEqual([['EMAIL', 'Ivan.Petrov+law@mail.ru']]);
    expect(found('почта юрист@компания.рф')).toEqual([['EMAIL', 'юрист@компания.рф']]);
    expect(found('адрес 192.168.1.10, и 2001:db8::1')).toEqual([['IP_ADDRESS', '192.168.1.10'], ['IP_ADDRESS', '2001:db8::1']]);
    expect(found('п. 1.2.3.4 договора')).toEqual([]);
    expect(found('адрес 256.1.1.1 и user@localhost и a@b.c1')).toEqual([]);
    expect(found('машина А123ВС без номера региона, а123вс77')).toEqual([]);
    expect(found('госномер а123вс77')).toEqual([['VEHICLE_PLATE', 'а123вс77']]);
    expect(found('машина А123ВС77 и A 456 BC 199 RUS')).toEqual([['VEHICLE_PLATE', 'А123ВС77'], ['VEHICLE_PLATE', 'A 456 BC 199 RUS']]);
  });

  it('dates of birth only with birth context; other dates stay', () => {
    expect(found('Петров, 01.02.1985 г.р.')).toContainEqual(['BIRTH_DATE', '01.02.1985']);
    expect(found('дата рождения: 12.11.1979')).toEqual([['BIRTH_DATE', '12.11.1979']]);
    expect(found('родился 5 марта 1990 г.')).toEqual([['BIRTH_DATE', '5 марта 1990']]);
    expect(found('судебное заседание 15.03.2024 в 10:00')).toEqual([]);
    expect(found('дата рождения 01.02.1985, договор от 03.04.2023')).toEqual([['BIRTH_DATE', '01.02.1985']]);
  });

  it('addresses need a house number', () => {
    const address = '123456, г. Москва, ул. Ленина, д. 5, корп. 2, кв. 12';
    expect(found(`проживает по адресу: ${address}.`)).toEqual([['ADDRESS', address]]);
    expect(found('Невский пр-т, д. 10')).toEqual([['ADDRESS', 'Невский пр-т, д. 10']]);
    expect(found('на улице Тверская, у здания суда')).toEqual([]);
    expect(found('на площадь вырвались до 6 тысяч человек')).toEqual([]);
    expect(found('ул. 8 Марта, 12')).toEqual([['ADDRESS', 'ул. 8 Марта, 12']]);
  });
});

describe('legal references stay intact', () => {
  it.each([
    'ст. 15.1 КоАП РФ', 'ч. 2 ст. 159 УК РФ', 'Федеральный закон от 27.07.2006 № 152-ФЗ', 'дело № А40-12345/2023',
    'судебное заседание назначено на 15.03.2024', 'сумма 1 500 000 рублей', 'в размере 1 234 567,89 руб.',
    'Тверской районный суд г. Москвы', 'КПП 770701001', 'кадастровый номер 77:01:0001001:1234',
    'взыскать 89 161 234 567 рублей', 'номер заказа 7707083893',
  ])('%s', (text) => {
    expect(mask(text).masked).toBe(text);
  });
});
