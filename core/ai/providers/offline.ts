import { ProviderError } from '../errors.js';
import type { AiProvider, CompletionRequest, StreamEvent } from '../types.js';
import { estimateUsage } from '../usage.js';

export const OFFLINE_MODEL = 'offline-legal-v1';

interface Topic {
  stems: string[];
  title: string;
  documents: string[];
  deadline?: string;
}

// Keyword stems -> what a lawyer would ask for first. Deterministic on purpose: same question, same answer.
const TOPICS: Topic[] = [
  {
    stems: ['трудов', 'работодат', 'увольн', 'уволи', 'зарплат', 'заработн', 'отпуск'],
    title: 'трудовой спор',
    documents: ['трудовой договор и дополнительные соглашения', 'приказы (о приёме, переводе, увольнении)', 'расчётные листки и справки о доходах', 'переписка с работодателем, служебные записки'],
    deadline: 'по спорам об увольнении срок обращения в суд — один месяц со дня вручения приказа (ст. 392 ТК РФ)',
  },
  {
    stems: ['аренд', 'найм', 'квартир', 'жиль', 'жилищ', 'управляющ', 'коммунал'],
    title: 'жилищный вопрос или аренда',
    documents: ['договор найма или аренды', 'акт приёма-передачи помещения', 'подтверждения платежей (квитанции, выписки)', 'выписка из ЕГРН на помещение'],
  },
  {
    stems: ['потребит', 'товар', 'магазин', 'гарант', 'услуг', 'бракован', 'брак товар'],
    title: 'защита прав потребителя',
    documents: ['чек или иной документ об оплате', 'договор, гарантийный талон, инструкция', 'претензия продавцу и его ответ (или доказательства отправки)', 'заключение о недостатке товара, если проводилась проверка'],
  },
  {
    stems: ['развод', 'алимент', 'брак', 'ребён', 'ребен', 'детей', 'опек'],
    title: 'семейный вопрос',
    documents: ['свидетельство о заключении брака', 'свидетельства о рождении детей', 'сведения о доходах сторон', 'соглашения между супругами (брачный договор, соглашение об алиментах), если есть'],
  },
  {
    stems: ['наслед', 'завещ'],
    title: 'наследство',
    documents: ['свидетельство о смерти наследодателя', 'завещание, если есть', 'документы, подтверждающие родство', 'документы на имущество наследодателя'],
    deadline: 'наследство по общему правилу принимается в течение шести месяцев со дня открытия (ст. 1154 ГК РФ)',
  },
  {
    stems: ['долг', 'кредит', 'займ', 'заём', 'заем', 'расписк', 'коллектор', 'банк'],
    title: 'долговые обязательства',
    documents: ['договор займа или кредитный договор, расписка', 'график платежей', 'подтверждения произведённых платежей', 'требования и письма кредитора или коллекторов'],
  },
];

const GENERIC_DOCUMENTS = [
  'договоры и иные документы, на которых основаны отношения сторон',
  'переписка и претензии, с датами отправки и получения',
  'платёжные документы',
  'хронология событий с датами',
];

function restate(question: string): string {
  const flat = question.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}

/** The first sentence of a passage, verbatim (the citation check finds it there). */
function firstSentence(text: string): string {
  const line = text.split('\n').find((l) => l.trim().length > 20)?.trim() ?? text.trim();
  const end = line.search(/[.;!?](\s|$)/u);
  const sentence = end > 20 ? line.slice(0, end + 1) : line;
  return sentence.length > 300 ? sentence.slice(0, 300) : sentence;
}

/** What the given passages say, each quoted verbatim with its number: an extractive answer. */
function quotedPassages(passages: NonNullable<CompletionRequest['passages']>): string | undefined {
  if (!passages.length) return undefined;
  const lines = passages.slice(0, 4).map((p) => `— ${p.label}: «${firstSentence(p.text).replace(/[«»]/g, '"')}» [${p.n}]`);
  return `Что говорят нормы и ваши документы:\n${lines.join('\n')}`;
}

/** Builds the answer as paragraphs, which are also the stream's deltas. */
function offlineAnswer(messages: CompletionRequest['messages'], passages: CompletionRequest['passages'] = []): string[] {
  const question = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const lower = question.toLowerCase();
  const topic = TOPICS.find((t) => t.stems.some((s) => lower.includes(s)));
  const documents = topic?.documents ?? GENERIC_DOCUMENTS;
  const paragraphs = [
    'Сейчас ответ подготовлен в автономном режиме, без обращения к языковой модели.',
    question ? `Ваш вопрос: «${restate(question)}»` : 'Вопрос не содержит текста — опишите, пожалуйста, ситуацию подробнее.',
    topic ? `Похоже, это ${topic.title}.` : 'Чтобы оценить ситуацию, важно понять, какие отношения связывают стороны и что каждая из них уже сделала.',
    ...(quotedPassages(passages) ? [quotedPassages(passages)!] : []),
    `Что понадобится юристу:\n${documents.map((d, i) => `${i + 1}. ${d}`).join('\n')}`,
    'Что сделать сейчас:\n- сохраните все документы и переписку в исходном виде;\n- запишите даты ключевых событий;\n' +
      `- проверьте сроки: ${topic?.deadline ?? 'общий срок исковой давности — три года (ст. 196 ГК РФ), но для отдельных споров он короче'}.`,
    'Рекомендуем запросить проверку юриста: он оценит документы и предложит порядок действий именно для вашего случая.',
    'Это автоматический офлайн-ответ (offline), он не является юридической консультацией.',
  ];
  return paragraphs.map((p, i) => (i < paragraphs.length - 1 ? `${p}\n\n` : p));
}

/** Built-in provider with no network: always available, clearly labelled, still useful. */
export function createOfflineProvider(): AiProvider {
  return {
    name: 'offline',
    model: OFFLINE_MODEL,
    async *stream(req: CompletionRequest): AsyncIterable<StreamEvent> {
      const parts = offlineAnswer(req.messages, req.passages);
      for (const text of parts) {
        if (req.signal?.aborted) throw new ProviderError('Request was cancelled', { code: 'aborted', retryable: false });
        yield { type: 'delta', text };
      }
      const usage = estimateUsage(req.messages, parts.join(''));
      yield { type: 'usage', inputTokens: usage.input_tokens, outputTokens: usage.output_tokens };
    },
  };
}
