/**
 * ai_cache: exact-match answers keyed by a hash of user, provider, model, prompt version and
 * the masked conversation. The user is in the key and in the lookup: never shared.
 */
import { createHash } from 'node:crypto';
import type { AiConfig, ChatMessage, ProviderName, Usage } from '../ai/index.js';
import { OFFLINE_MODEL } from '../ai/index.js';
import type { Db } from '../db/knex.js';
import { PROMPT_VERSION } from './context.js';

export interface CachedAnswer {
  text: string;
  provider: ProviderName;
  model: string;
  usage: Usage;
}

function modelOf(cfg: AiConfig, provider: ProviderName): string {
  return provider === 'offline' ? OFFLINE_MODEL : cfg[provider].model;
}

function cacheKey(userId: string, provider: string, model: string, messages: ChatMessage[]): string {
  return createHash('sha256').update(JSON.stringify([userId, provider, model, PROMPT_VERSION, messages])).digest('hex');
}

export function createAnswerCache(db: Db, cfg: AiConfig, ttlSeconds: number) {
  return {
    /** The first fresh answer for any provider in routing order. */
    async lookup(userId: string, providers: ProviderName[], messages: ChatMessage[]): Promise<CachedAnswer | undefined> {
      if (ttlSeconds <= 0 || providers.length === 0) return undefined;
      // One query for every provider's key; the routing order picks among the hits.
      const keys = providers.map((provider) => cacheKey(userId, provider, modelOf(cfg, provider), messages));
      const rows: Array<{ key: string; response: CachedAnswer }> = await db('ai_cache')
        .whereIn('key', keys)
        .where({ user_id: userId })
        .where('expires_at', '>', db.fn.now())
        .select('key', 'response');
      const hits = new Map(rows.map((r) => [r.key, r.response]));
      return keys.map((k) => hits.get(k)).find(Boolean);
    },
    async store(userId: string, messages: ChatMessage[], answer: CachedAnswer): Promise<void> {
      if (ttlSeconds <= 0) return;
      await db('ai_cache')
        .insert({
          key: cacheKey(userId, answer.provider, answer.model, messages),
          user_id: userId,
          provider: answer.provider,
          model: answer.model,
          response: JSON.stringify(answer),
          expires_at: new Date(Date.now() + ttlSeconds * 1000),
        })
        .onConflict('key')
        .merge(['response', 'expires_at']);
    },
  };
}
