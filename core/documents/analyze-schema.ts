/**
 * What the model is asked for and how its answer is checked. The model sees numbered
 * passages (masked chunks) and points at them by number; the locator of each item is then
 * taken from the chunk, never from the model, so a locator always names a real place.
 */
import { z } from 'zod';
import type { ChatMessage } from '../ai/index.js';

export interface Locator {
  page?: number;
  paragraph?: number;
  clause?: string;
}

/** A chunk as the model sees it: its number in the prompt, its masked text and where it is. */
export interface Passage {
  n: number;
  text: string;
  locator: Locator;
}

const SEVERITIES = ['low', 'medium', 'high'] as const;

export function modelAnalysisSchema(passages: ReadonlySet<number>) {
  const passage = z.number().int().refine((n) => passages.has(n), { message: `must be the number of a passage you were given (1..${passages.size})` });
  return z.object({
    summary: z.string().trim().min(1).max(4000),
    parties: z.array(z.object({ name: z.string().trim().min(1).max(300), role: z.string().trim().max(200), passage })).max(20),
    key_terms: z.array(z.object({ term: z.string().trim().min(1).max(300), value: z.string().trim().min(1).max(1000), passage })).max(50),
    risks: z.array(z.object({ severity: z.enum(SEVERITIES), text: z.string().trim().min(1).max(2000), passage })).max(50),
  });
}

export type ModelAnalysis = z.infer<ReturnType<typeof modelAnalysisSchema>>;

export type Parsed = { ok: true; value: ModelAnalysis } | { ok: false; error: string };

/** The answer as JSON of the schema; a code fence or words around the object are tolerated. */
export function parseModelAnalysis(text: string, passages: ReadonlySet<number>): Parsed {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  let json: unknown;
  try {
    if (start < 0 || end < start) throw new Error('no JSON object in the answer');
    json = JSON.parse(text.slice(start, end + 1));
  } catch (err) {
    return { ok: false, error: `invalid JSON: ${(err as Error).message}` };
  }
  const result = modelAnalysisSchema(passages).safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  const issues = result.error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  return { ok: false, error: `schema mismatch: ${issues.join('; ')}` };
}

const SYSTEM_PROMPT = [
  'Ты — юрист-аналитик. Проанализируй документ, данный пронумерованными фрагментами.',
  'Персональные данные в тексте заменены метками вида [PERSON_1], [PHONE_1]: используй метки как есть, не пытайся их раскрыть.',
  'Ответь только одним JSON-объектом, без пояснений и без Markdown, строго по схеме:',
  '{"summary": string, "parties": [{"name": string, "role": string, "passage": number}],',
  ' "key_terms": [{"term": string, "value": string, "passage": number}],',
  ' "risks": [{"severity": "low" | "medium" | "high", "text": string, "passage": number}]}',
  'summary — краткое содержание (3–5 предложений); parties — стороны и их роли («Арендатор», «Займодавец»);',
  'key_terms — существенные условия: предмет, цена и суммы, сроки, даты, порядок оплаты;',
  'risks — риски для подписывающего: неустойки и штрафы, одностороннее расторжение, автопролонгация, ограничение ответственности и т. п.',
  'passage — номер фрагмента, где это сказано. Пиши по-русски.',
].join('\n');

const where = (l: Locator) => [l.page ? `стр. ${l.page}` : '', l.clause ?? '', l.paragraph !== undefined ? `абз. ${l.paragraph + 1}` : ''].filter(Boolean).join(', ');

export function analysisMessages(passages: Passage[], total: number): ChatMessage[] {
  const body = passages.map((p) => `[${p.n}]${where(p.locator) ? ` (${where(p.locator)})` : ''}\n${p.text}`).join('\n\n');
  const cut = total > passages.length ? `\n\nДокумент длиннее: даны первые ${passages.length} фрагментов из ${total}.` : '';
  return [{ role: 'system', content: SYSTEM_PROMPT }, { role: 'user', content: `Фрагменты документа:\n\n${body}${cut}` }];
}

/** The second try: the model's own answer and what was wrong with it. */
export function repairMessages(messages: ChatMessage[], answer: string, error: string): ChatMessage[] {
  return [
    ...messages,
    { role: 'assistant', content: answer },
    { role: 'user', content: `Ответ не прошёл проверку: ${error}. Пришли исправленный ответ: только JSON-объект строго по схеме.` },
  ];
}
