/**
 * One-off completion (POST /api/ai/complete): the same masking, cache and orchestrator as a
 * chat reply, without a chat. The prompt is masked with a registry of its own.
 */
import type { AiConfig, Orchestrator, Usage } from '../ai/index.js';
import type { Db } from '../db/knex.js';
import { PlaceholderRegistry } from '../dlp/index.js';
import { createAnswerCache } from './cache.js';
import { SYSTEM_PROMPT } from './context.js';
import { recordUsageOnce } from './fair-use.js';
import { maskChatText } from './masking.js';
import type { Sealer } from './seal.js';

export interface CompletionOutcome {
  text: string;
  provider: string;
  model: string;
  usage: Usage;
  cached: boolean;
}

export interface CompleteDeps {
  db: Db;
  ai: Orchestrator;
  aiConfig: AiConfig;
  cacheTtlSeconds: number;
  sealer: Sealer;
}

export async function runCompletion(deps: CompleteDeps, p: { request_id: string; user_id: string; sealed: string; max_tokens?: number }): Promise<CompletionOutcome> {
  const { masked } = maskChatText(deps.sealer.open(p.sealed, p.request_id), new PlaceholderRegistry());
  const messages = [
    { role: 'system' as const, content: SYSTEM_PROMPT },
    { role: 'user' as const, content: masked },
  ];
  const cache = createAnswerCache(deps.db, deps.aiConfig, deps.cacheTtlSeconds);
  const hit = await cache.lookup(p.user_id, deps.ai.providers(), messages);
  if (hit) return { ...hit, usage: { input_tokens: 0, output_tokens: 0 }, cached: true };
  const result = await deps.ai.complete({ messages, maxTokens: p.max_tokens });
  await recordUsageOnce(deps.db, p.request_id, p.user_id, result.usage);
  await cache.store(p.user_id, messages, result);
  return { text: result.text, provider: result.provider, model: result.model, usage: result.usage, cached: false };
}
