/**
 * What the model sees: a system prompt for a Russian legal assistant, citations from the
 * user's documents (a hook the documents pipeline fills), and the masked chat history.
 */
import type { ChatMessage } from '../ai/index.js';

/** Bump when the prompt changes: it is part of the ai_cache key. */
export const PROMPT_VERSION = 'chat-v1';

export const SYSTEM_PROMPT = [
  'Ты — юридический ассистент для пользователей из России. Отвечай по-русски, ясно и по существу.',
  'Опирайся на действующее законодательство РФ (ГК РФ, ТК РФ, ЖК РФ, КоАП РФ, ГПК РФ и др.), называй статьи, на которые ссылаешься.',
  'Если фактов не хватает, перечисли, что нужно уточнить и какие документы собрать. Укажи сроки (исковая давность, сроки обжалования), если они важны.',
  'Не выдумывай нормы и судебную практику. Заметные риски и сложные случаи предлагай показать юристу.',
  'Значения вида [PERSON_1], [PHONE_1] — скрытые персональные данные: используй их как есть, не пытайся восстановить.',
].join('\n');

/** A passage from the user's own documents that the answer may rely on. */
export interface Citation {
  document_id: string;
  title: string;
  quote: string;
}

/** The RAG hook: finds passages for a question. The documents pipeline provides the real one. */
export type CitationSource = (query: { userId: string; chatId: string; question: string }) => Promise<Citation[]>;

export const noCitations: CitationSource = async () => [];

/** Most recent messages kept in the context; older ones are left out. */
export const HISTORY_LIMIT = 20;

export interface HistoryItem {
  sender: 'user' | 'assistant' | 'lawyer' | 'system';
  content: string;
}

export function buildContext(history: HistoryItem[], citations: Citation[]): ChatMessage[] {
  let system = SYSTEM_PROMPT;
  if (citations.length) {
    const sources = citations.map((c, i) => `[${i + 1}] «${c.title}»: ${c.quote}`).join('\n');
    system += `\n\nФрагменты документов пользователя (ссылайся на них по номеру):\n${sources}`;
  }
  const turns: ChatMessage[] = history.slice(-HISTORY_LIMIT).map((m) => ({
    role: m.sender === 'user' ? 'user' : 'assistant',
    content: m.sender === 'lawyer' ? `Комментарий юриста: ${m.content}` : m.content,
  }));
  return [{ role: 'system', content: system }, ...turns];
}
