/** Token counts when a provider reports none (an offline answer, a stream cut short): about 4 characters a token. */
import type { ChatMessage, Usage } from './types.js';

export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

export function estimateUsage(messages: ChatMessage[], answer: string): Usage {
  return { input_tokens: estimateTokens(messages.map((m) => m.content).join('\n')), output_tokens: estimateTokens(answer) };
}
