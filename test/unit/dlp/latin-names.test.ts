import { describe, expect, it } from 'vitest';
import { mask } from '../../../core/dlp/index.js';

/** Names in Latin letters are masked like Cyrillic ones; brands, places and clause labels stay. */
describe('mask: person names in Latin letters', () => {
  it.each([
    ['Договор заключён с John Smith, директором.', 'Договор заключён с [PERSON_1], директором.'],
    ['Ivan Petrov подписал акт.', '[PERSON_1] подписал акт.'],
    ['Получатель: IVANOV IVAN IVANOVICH, паспорт выдан.', 'Получатель: [PERSON_1], паспорт выдан.'],
    ['Акт подписал Ivanov I.I. лично.', 'Акт подписал [PERSON_1] лично.'],
    ['Письмо от J.R. Smith получено.', 'Письмо от [PERSON_1] получено.'],
    ['Ответ дал Smith J. вчера.', 'Ответ дал [PERSON_1] вчера.'],
    ['Арендатор Will Smith и арендодатель Maria Garcia.', 'Арендатор [PERSON_1] и арендодатель [PERSON_2].'],
    ['Встреча с Mr. Brown и Ms Jane Doe.', 'Встреча с Mr. [PERSON_1] и Ms [PERSON_2].'],
    ['Заявитель Shoigu Sergey Kuzhugetovich.', 'Заявитель [PERSON_1].'],
  ])('%s', (text, expected) => {
    expect(mask(text).masked).toBe(expected);
  });

  it.each([
    'Созвонились в Microsoft Teams, код в Visual Studio Code.',
    'Купил Lada Granta и Skoda Octavia.',
    'Аудит провёл Grant Thornton, счёт в Raiffeisen Bank.',
    'Отель у Victoria Park на Jordan River.',
    'See Appendix A. Terms, Section B. Payment and Exhibit C. Warranty.',
    'Сделку вёл банк Morgan Stanley, платил Morgan Stanley & Co через «Philip Morris».',
  ])('leaves %s as it is', (text) => {
    expect(mask(text).masked).toBe(text);
  });

  it.each([
    ['a later mention of the surname', 'Арендатор John Smith. Smith обязуется платить; далее IVANOV IVAN IVANOVICH (далее IVANOV).', ['Smith', 'IVANOV']],
    ['a signature block', 'Buyer: John Smith Director of Sales. Подпись: PETROV PETR PETROVICH DIRECTOR', ['Smith', 'PETROV']],
  ])('masks %s', (_what, text, hidden) => {
    const { masked } = mask(text);
    for (const word of hidden) expect(masked).not.toContain(word);
  });

  it('masks the same person the same way each time', () => {
    expect(mask('John Smith позвонил; John Smith приедет.').masked).toBe('[PERSON_1] позвонил; [PERSON_1] приедет.');
  });
});
