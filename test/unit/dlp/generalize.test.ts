/**
 * Issue 7: names that people in Russia carry, found from general name knowledge and morphology;
 * lower-case full names; a passport number without the word "паспорт".
 */
import { describe, expect, it } from 'vitest';
import { mask, scan } from '../../../core/dlp/index.js';
import { detectPersons } from '../../../core/dlp/person/index.js';

const names = (text: string): string[] => detectPersons(text).map((e) => text.slice(e.start, e.end));
const found = (text: string): string[][] => scan(text).entities.map((e) => [e.type, text.slice(e.start, e.end)]);

describe('first names from general sources', () => {
  it.each(['Есения', 'Диляра', 'Азамат', 'Ильдус', 'Эдгар'])('"меня зовут %s" and with a surname', (name) => {
    expect(names(`Здравствуйте, меня зовут ${name}, нужна консультация.`)).toEqual([name]);
    expect(names(`Заявление подал(а) ${name} Сафина вчера.`)).toEqual([`${name} Сафина`]);
  });

  it.each(['Алексей', 'Тимофей', 'Ярослав', 'Святослав', 'Всеволод', 'Мирон', 'Богдан', 'Ринат', 'Рустам', 'Тагир', 'Зураб', 'Ашот', 'Тарас', 'Бахтияр', 'Нурлан'])(
    '"меня зовут %s"',
    (name) => {
      expect(names(`Добрый день, меня зовут ${name}. Подскажите по договору.`)).toEqual([name]);
    },
  );
});

describe('surnames and patronymics by morphology', () => {
  it.each([
    ['Ответчик Гусейнов Рашад Гейдар оглы не явился.', 'Гусейнов Рашад Гейдар оглы'],
    ['Свидетель Айгуль Нурлан кызы показала.', 'Айгуль Нурлан кызы'],
    ['Доверенность выдал Ильдус Ринатович.', 'Ильдус Ринатович'],
    ['Подпись: Гогиберидзе Зураб.', 'Гогиберидзе Зураб'],
  ])('%s', (text, name) => {
    expect(names(text)).toEqual([name]);
  });
});

describe('lower-case names', () => {
  it('masks a lower-case full name', () => {
    expect(names('иванов пётр сергеевич подал иск')).toEqual(['иванов пётр сергеевич']);
    expect(names('от: пётр сергеевич иванов')).toEqual(['пётр сергеевич иванов']);
    expect(names('заявитель вера ивановна')).toEqual(['вера ивановна']);
    expect(mask('иванов пётр сергеевич').masked).toBe('[PERSON_1]');
  });

  it('finds a lower-case first name after "меня зовут"', () => {
    expect(names('меня зовут азамат, вопрос по аренде')).toEqual(['азамат']);
  });

  it('does not mask ordinary lower-case words, even names that are words', () => {
    expect(names('вера в закон сильна, надежда на суд осталась, любовь к праву')).toEqual([]);
    expect(names('ответчица виновна, роза ветров, слава труду, лев в клетке')).toEqual([]);
    expect(names('иван-чай и марья-искусница в сказке')).toEqual([]);
  });
});

describe('passport without the keyword', () => {
  it('finds a Russian internal passport by its shape', () => {
    expect(found('мои данные 4510 123456')).toEqual([['PASSPORT', '4510 123456']]);
    expect(found('мои данные 45 10 123456')).toEqual([['PASSPORT', '45 10 123456']]);
  });

  it('leaves other numbers alone', () => {
    expect(found('мои данные 4510123456')).toEqual([]);
    expect(found('в 2010 году уплачено 1 200 000 рублей')).toEqual([]);
    expect(found('ст. 4510 123456')).toEqual([]);
  });
});

// Names below are invented; none comes from the evaluation data.
describe('foreign names and surnames from the OpenCorpora dictionary', () => {
  it('a Name-tagged first name next to an unknown surname', () => {
    expect(names('Договор подписала Цинтия Эбботсфорд.')).toEqual(['Цинтия Эбботсфорд']);
  });

  it('a Surn-tagged surname alone, inside a sentence and before a verb at its start', () => {
    expect(names('Вчера мы встретились с Ашенбреннером в кафе.')).toEqual(['Ашенбреннером']);
    expect(names('Ашенбреннер заявил, что подаст жалобу.')).toEqual(['Ашенбреннер']);
  });

  it('an unknown word before a name that is also a word stays in the name', () => {
    expect(names('В зале выступил Дрейтон Лоуренс.')).toEqual(['Дрейтон Лоуренс']);
  });

  it('a name that is also a city: a name next to a surname, a place alone', () => {
    expect(names('Акт подписал Питер Хольмквист. В Питере тепло.')).toEqual(['Питер Хольмквист']);
    expect(names('Свидетель Али Мамедли показал, что')).toEqual(['Али Мамедли']);
  });

  it('a quoted pair of names without a sure first name is a thing', () => {
    expect(names('На заводе собирают автомобили «Лада Гранта».')).toEqual([]);
  });
});

describe('Latin spelling in brackets after a Cyrillic name', () => {
  it('marks both spellings when the letters correspond, and not a source or a firm', () => {
    expect(names('Компания наняла консультанта Оливера Квиндлана (Oliver Quindlan) в марте.')).toEqual([
      'Оливера Квиндлана',
      'Oliver Quindlan',
    ]);
    expect(names('Переводчик Карим аль-Зухайри (Karim al-Zuhairi) не явился.')).toEqual(['Карим аль-Зухайри', 'Karim al-Zuhairi']);
    // A source or a firm in brackets is left alone.
    expect(names('Об этом сообщил Джон Смит (Reuters).')).toEqual(['Джон Смит']);
    expect(names('Договор с компанией Майкрософт (Microsoft) расторгнут.')).toEqual([]);
  });
});

describe('foreign name particles and short name parts', () => {
  it('"ибн" works as a patronymic, a lower-case particle before a hyphen makes a surname', () => {
    expect(names('Это описано в записках ибн Фаридуна.')).toEqual(['ибн Фаридуна']);
    expect(names('Встреча с аль-Зухайри прошла спокойно.')).toEqual(['аль-Зухайри']);
    // A capitalized particle names a place or a channel.
    expect(names('Рейс прибыл в Эль-Зухайру вовремя.')).toEqual([]);
  });

  it('a two-letter name part next to another after a role word', () => {
    expect(names('Доклад сделал профессор Бо Цзяньлин.')).toEqual(['Бо Цзяньлин']);
  });
});

describe('context: speech verbs and places in brackets', () => {
  it('more verbs of reported speech', () => {
    expect(names('Мы ждём ответа, — призвал Тернбридж.')).toEqual(['Тернбридж']);
  });

  it('a name with a place in brackets, in a list where another such name is sure, and not a club', () => {
    expect(names('Судьи матча — Эрни Палмквист (Швеция), Милош Кравчик (Чехия).')).toEqual(['Эрни Палмквист', 'Милош Кравчик']);
    // A list of clubs with their countries is no list of persons.
    expect(names('В финале сыграли Манчестер Юнайтед (Англия) и Бавария Мюнхен (Германия).')).toEqual([]);
  });
});

// Second round; names invented.
describe('later mentions and context that generalize', () => {
  it('a found surname shaped like an adjective is found again in any case, and only the surname spreads', () => {
    expect(names('Вчера выступил Аркадий Зеленовский. С Зеленовским связаны планы театра.')).toEqual(['Аркадий Зеленовский', 'Зеленовским']);
    expect(names('Пьесу поставил Аркадий Зеленовский. Работы Зеленовского известны.')).toEqual(['Аркадий Зеленовский', 'Зеленовского']);
    // "Русской" after the surname is the start of "Русской службы", not a second surname to spread.
    expect(names('Корреспондент Глеб Тарасюк Русской службы сообщил. Музыка звучала на Русской волне.')).not.toContain('Русской');
  });

  it('"по словам", "по мнению", "со слов" before a surname', () => {
    expect(names('Проект одобрен, по словам Ойгенбрука, ещё в мае.')).toEqual(['Ойгенбрука']);
    expect(names('По мнению Ойгенбрука, срок истёк.')).toEqual(['Ойгенбрука']);
    expect(names('Договор подписан, со слов Ойгенбрука, в срок.')).toEqual(['Ойгенбрука']);
  });

  it('an unknown word opening a sentence right before a verb of speech in the past', () => {
    expect(names('Переговоры прошли в пятницу. Квельбранд объявил, что сделка закрыта.')).toEqual(['Квельбранд']);
    // Pronouns, adverbs and common nouns open sentences the same way.
    expect(names('Сделка закрыта. Источник сообщил об этом. Затем добавил, что всё. Она заявила, что нет.')).toEqual([]);
    expect(names('Сделка закрыта. Телеканал сообщил об этом. Вчера заявил министр. Наконец объявил итоги.')).toEqual([]);
  });
});

// Third round: the OpenCorpora vocabulary of ordinary words (person/vocabulary.ts); names invented.
describe('capitalized words that no dictionary holds', () => {
  it('a lone rare surname inside a sentence, in any case form, and not other unknown words', () => {
    expect(names('Вчера мы встретились с Квиндланом в кафе.')).toEqual(['Квиндланом']);
    expect(names('Отчёт подготовил сотрудник по фамилии Окацури.')).toEqual(['Окацури']);
    expect(names('Работы Жолбе-Тревиньяка хорошо известны.')).toEqual(['Жолбе-Тревиньяка']);
    // Dictionary words, places, acronyms, compounds and abbreviations are left alone.
    expect(names('Это подтвердил Источник, а Телеканал промолчал.')).toEqual([]);
    expect(names('Сотрудники агентства ТрансИнфо прибыли в Квиндланию, потом на территорию Квиндлании.')).toEqual([]);
    expect(names('Офис переехал в Абу-Кварет. Трек-номер 12345, Исх. № 7.')).toEqual([]);
    // An adjective no dictionary holds, before its noun.
    expect(names('Учёные Квиндланской национальной лаборатории.')).toEqual([]);
  });

  it('a word no dictionary holds opening a sentence before a verb of speech in any tense', () => {
    expect(names('Сделка закрыта. Окацури считает, что срок истёк.')).toEqual(['Окацури']);
    // A dictionary word opening the sentence so is not a name.
    expect(names('Сделка закрыта. Эксперт считает, что срок истёк.')).toEqual([]);
  });
});
