/**
 * What the model sees: a system prompt for a Russian legal assistant, numbered passages from
 * the chat's documents and the law library (core/chat/rag.ts), and the masked chat history.
 */
import type { ChatMessage } from '../ai/index.js';
import { passageLabel, type Passage } from './rag.js';

/** Bump when the prompt changes: it is part of the ai_cache key. */
export const PROMPT_VERSION = 'chat-v2';

export const SYSTEM_PROMPT = [
  'Ты — юридический ассистент для пользователей из России. Отвечай по-русски, ясно и по существу.',
  'Опирайся на действующее законодательство РФ (ГК РФ, ТК РФ, ЖК РФ, КоАП РФ, ГПК РФ и др.), называй статьи, на которые ссылаешься.',
  'Если фактов не хватает, перечисли, что нужно уточнить и какие документы собрать. Укажи сроки (исковая давность, сроки обжалования), если они важны.',
  'Не выдумывай нормы и судебную практику. Заметные риски и сложные случаи предлагай показать юристу.',
  'Значения вида [PERSON_1], [PHONE_1] — скрытые персональные данные: используй их как есть, не пытайся восстановить.',
].join('\n');

/** Most recent messages kept in the context; older ones are left out. */
export const HISTORY_LIMIT = 20;

export interface HistoryItem {
  sender: 'user' | 'assistant' | 'lawyer' | 'system';
  content: string;
}

/** The passages as the model is given them, one block each, numbered. */
export function passagesForModel(passages: Passage[]): Array<{ n: number; label: string; text: string }> {
  return passages.map((p) => ({ n: p.n, label: passageLabel(p), text: p.text }));
}

export function buildContext(history: HistoryItem[], passages: Passage[]): ChatMessage[] {
  let system = SYSTEM_PROMPT;
  if (passages.length) {
    const sources = passagesForModel(passages).map((p) => `[${p.n}] ${p.label}\n${p.text}`).join('\n\n');
    system += '\n\nИсточники: нормы закона и фрагменты документов пользователя. Опирайся на них и ставь после утверждения номер источника в квадратных скобках, например [1]; ' +
      'цитаты приводи дословно в кавычках «…». Не ссылайся на номера, которых нет в списке.\n\n' + sources;
  }
  const turns: ChatMessage[] = history.slice(-HISTORY_LIMIT).map((m) => ({
    role: m.sender === 'user' ? 'user' : 'assistant',
    content: m.sender === 'lawyer' ? `Комментарий юриста: ${m.content}` : m.content,
  }));
  return [{ role: 'system', content: system }, ...turns];
}
