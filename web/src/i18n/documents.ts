/** Strings of the documents' upload and analysis. */
export const ru = {
  chooseFile: 'Выбрать файл', doc_uploadInvalid: 'Файл пуст или его имя не подходит (не больше 255 печатных символов).',
  analysisQueued: 'Анализ выполняется…', analysisFailed: 'Анализ не удался', analysisDegraded: 'Упрощённый анализ: модель была недоступна', analysisOfVersion: 'Анализ относится к версии {n}: места в нём указаны по той версии.',
  risk_low: 'низкий', risk_medium: 'средний', risk_high: 'высокий', riskLevel: 'риск',
};
export const en: Record<keyof typeof ru, string> = {
  doc_uploadInvalid: 'The file is empty, or its name does not fit (at most 255 printable characters).',
  chooseFile: 'Choose a file',
  analysisQueued: 'Analysing…', analysisFailed: 'The analysis failed', analysisDegraded: 'A simplified analysis: the model was unavailable', analysisOfVersion: 'This analysis is of version {n}: its places refer to that version.',
  risk_low: 'low', risk_medium: 'medium', risk_high: 'high', riskLevel: 'risk',
};
