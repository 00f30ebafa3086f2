/**
 * The specialization of a review the user did not label: the AI names one code for the
 * masked question; when no real provider answers with a code, the rules decide.
 */
import type { Orchestrator } from '../ai/index.js';
import { classifyByRules, isSpecialization, SPECIALIZATIONS, type Specialization } from './specializations.js';

const PROMPT = [
  'Ты распределяешь юридические вопросы между юристами.',
  'Ответь одним кодом специализации из списка и ничем больше:',
  ...SPECIALIZATIONS.map((s) => `${s.code} — ${s.name}`),
].join('\n');

export async function classifySubject(ai: Orchestrator, maskedText: string, domesticOnly: boolean): Promise<{ specialization: Specialization; by: 'ai' | 'rules' }> {
  const text = maskedText.slice(0, 4000);
  try {
    const result = await ai.complete({
      messages: [{ role: 'system', content: PROMPT }, { role: 'user', content: text }],
      maxTokens: 8, temperature: 0, domesticOnly,
    });
    const code = result.text.trim().toLowerCase().match(/[a-z]+/)?.[0] ?? '';
    if (result.provider !== 'offline' && isSpecialization(code)) return { specialization: code, by: 'ai' };
  } catch {
    // Every provider failed: the rules still give an answer.
  }
  return { specialization: classifyByRules(text), by: 'rules' };
}
