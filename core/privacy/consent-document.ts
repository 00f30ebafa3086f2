/**
 * The consent document a person accepts at sign-up (152-FZ art. 9: a separate document with
 * its own version, required since 2025-09-01). Bump `version` whenever the text changes:
 * sign-up then refuses the old version, so nobody consents to a text they were not shown.
 */
export const CONSENT_DOCUMENT = {
  version: '2026-12-01',
  text: [
    'Согласие на обработку персональных данных',
    'Я даю согласие оператору сервиса «Юридический ассистент» на обработку моих персональных данных (фамилия, имя, отчество, адрес электронной почты, сведения, которые я сообщаю в вопросах и загружаемых документах) в целях оказания мне информационно-юридических услуг, исполнения договора и выполнения требований закона.',
    'Обработка включает сбор, запись, систематизацию, накопление, хранение, уточнение, извлечение, использование, обезличивание (маскирование), блокирование, удаление и уничтожение, с использованием средств автоматизации.',
    'Перед передачей моих вопросов и документов поставщикам систем искусственного интеллекта персональные данные заменяются обезличенными метками. Я согласен(на) на трансграничную передачу обезличенных текстов поставщикам ИИ за пределами Российской Федерации; это согласие я могу отозвать отдельно, и тогда мои вопросы будут обрабатываться только поставщиками, размещёнными в России.',
    'Согласие действует до его отзыва. Я могу отозвать его, удалив учётную запись; данные будут уничтожены в срок не более 30 дней, о чём составляется акт.',
    'Я вправе получить сведения об обработке и копию своих данных, потребовать их уточнения, блокирования или уничтожения (ст. 14 Федерального закона № 152-ФЗ «О персональных данных»).',
  ].join('\n\n'),
};

/** What a person can consent to. `processing` is the sign-up consent and cannot be withdrawn apart from erasure. */
export const CONSENT_PURPOSES = ['processing', 'ai_providers_abroad', 'marketing'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

/** Granted by accepting the document at sign-up; `marketing` needs its own yes. */
export const SIGNUP_CONSENTS: ConsentPurpose[] = ['processing', 'ai_providers_abroad'];
