/** Strings of the chat page's answer controls (the rest of the chat is in core.ts). */
export const ru = { stop: 'Стоп', stopping: 'Останавливаю…', stopped: 'Ответ остановлен' };
export const en: Record<keyof typeof ru, string> = { stop: 'Stop', stopping: 'Stopping…', stopped: 'Answer stopped' };
