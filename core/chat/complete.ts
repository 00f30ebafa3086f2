/**
 * One-off completion (POST /api/ai/complete): the same masking, cache and orchestrator as a
 * chat reply, without a chat. The prompt is masked with a registry of its own.
 */
import type { AiConfig, Orchestrator, Usage } from '../ai/index.js';
import { domesticOnly } from '../privacy/consents.js';
import type { Db } from '../db/knex.js';
import { PlaceholderRegistry } from '../dlp/index.js';
import { createAnswerCache } from './cache.js';
import { SYSTEM_PROMPT } from './context.js';
import { settleUsageOnce } from './fair-use.js';
import { AccountBlockedError } from './account-blocked.js';
import { maskChatTextOffThread } from './masking.js';
import type { CompletionJobData } from './one-off.js';
import type { Sealer } from './seal.js';

export interface CompletionOutcome {
  text: string;
  provider: string;
  model: string;
  usage: Usage;
  cached: boolean;
  degraded?: boolean;
}

export interface CompleteDeps {
  db: Db;
  ai: Orchestrator;
  aiConfig: AiConfig;
  cacheTtlSeconds: number;
  sealer: Sealer;
}

export async function runCompletion(deps: CompleteDeps, p: CompletionJobData): Promise<CompletionOutcome> {
  const owner = await deps.db('users as u').join('user_keys as k', 'k.user_id', 'u.id').where('u.id', p.user_id).first('u.status', 'k.secret');
  if (owner?.status !== 'active') throw new AccountBlockedError('the account was blocked');
  const { masked } = await maskChatTextOffThread(deps.sealer.open(p.sealed, p.request_id, owner.secret as Buffer), new PlaceholderRegistry());
  const messages = [
    { role: 'system' as const, content: SYSTEM_PROMPT },
    { role: 'user' as const, content: masked },
  ];
  const cache = createAnswerCache(deps.db, deps.aiConfig, deps.cacheTtlSeconds);
  const hit = await cache.lookup(p.user_id, deps.ai.providers(), messages);
  if (hit) return { ...hit, usage: { input_tokens: 0, output_tokens: 0 }, cached: true };
  const result = await deps.ai.complete({ messages, maxTokens: p.max_tokens, domesticOnly: await domesticOnly(deps.db, p.user_id) });
  if (result.degraded) {
    // A stand-in answer costs nothing: the request's message is given back, and it is not cached.
    await settleUsageOnce(deps.db, p.request_id, { kind: 'give_back', userId: p.user_id, day: p.counted_day });
    return { text: result.text, provider: result.provider, model: result.model, usage: { input_tokens: 0, output_tokens: 0 }, cached: false, degraded: true };
  }
  await settleUsageOnce(deps.db, p.request_id, { kind: 'tokens', userId: p.user_id, usage: result.usage, provider: result.provider });
  await cache.store(p.user_id, messages, result);
  return { text: result.text, provider: result.provider, model: result.model, usage: result.usage, cached: false };
}
