/** Strings of the chat page's answer controls (the rest of the chat is in core.ts). */
export const ru = {
  pii_PERSON: 'ФИО', pii_PHONE: 'телефон', pii_EMAIL: 'эл. почта', pii_INN: 'ИНН', pii_SNILS: 'СНИЛС', pii_OGRN: 'ОГРН', pii_OGRNIP: 'ОГРНИП',
  pii_PASSPORT: 'паспорт', pii_CARD: 'карта', pii_BANK_ACCOUNT: 'счёт', pii_BIK: 'БИК', pii_OMS_POLICY: 'полис ОМС', pii_VEHICLE_PLATE: 'госномер',
  pii_BIRTH_DATE: 'дата рождения', pii_ADDRESS: 'адрес', pii_IP_ADDRESS: 'IP-адрес',
  replyFailed_ai: 'сервис ИИ сейчас не ответил, попробуйте ещё раз', replyFailed_refused: 'сервис ИИ отказался отвечать на этот вопрос',
  replyFailed_dlp_failed: 'не удалось скрыть персональные данные в вопросе', replyFailed_account_blocked: 'аккаунт заблокирован', replyFailed_other: 'попробуйте ещё раз',
  stop: 'Стоп', stopping: 'Останавливаю…', stopped: 'Ответ остановлен' };
export const en: Record<keyof typeof ru, string> = {
  pii_PERSON: 'name', pii_PHONE: 'phone', pii_EMAIL: 'e-mail', pii_INN: 'INN', pii_SNILS: 'SNILS', pii_OGRN: 'OGRN', pii_OGRNIP: 'OGRNIP',
  pii_PASSPORT: 'passport', pii_CARD: 'card', pii_BANK_ACCOUNT: 'account', pii_BIK: 'BIK', pii_OMS_POLICY: 'OMS policy', pii_VEHICLE_PLATE: 'plate',
  pii_BIRTH_DATE: 'birth date', pii_ADDRESS: 'address', pii_IP_ADDRESS: 'IP address',
  replyFailed_ai: 'the AI service did not answer just now, try again', replyFailed_refused: 'the AI service refused to answer this question',
  replyFailed_dlp_failed: 'the personal data in the question could not be hidden', replyFailed_account_blocked: 'the account is blocked', replyFailed_other: 'try again',
  stop: 'Stop', stopping: 'Stopping…', stopped: 'Answer stopped' };
