/**
 * ai_cache: exact-match answers keyed by a hash of user, provider, model, prompt version and
 * the masked conversation. The user is in the key and in the lookup: never shared. Only real
 * providers' answers are kept: the canned offline text costs nothing to make again, and a
 * cached stand-in would be served ahead of the provider once it recovers.
 */
import { createHash } from 'node:crypto';
import type { AiConfig, ChatMessage, ProviderName, Usage } from '../ai/index.js';
import type { Db } from '../db/knex.js';
import { PROMPT_VERSION } from './context.js';

export interface CachedAnswer {
  text: string;
  provider: ProviderName;
  model: string;
  usage: Usage;
  degraded?: boolean;
}

type NetworkProvider = Exclude<ProviderName, 'offline'>;
const isNetworkProvider = (p: ProviderName): p is NetworkProvider => p !== 'offline';

function cacheKey(userId: string, provider: string, model: string, messages: ChatMessage[]): string {
  return createHash('sha256').update(JSON.stringify([userId, provider, model, PROMPT_VERSION, messages])).digest('hex');
}

export function createAnswerCache(db: Db, cfg: AiConfig, ttlSeconds: number) {
  return {
    /** The first fresh answer for any provider in routing order. */
    async lookup(userId: string, providers: ProviderName[], messages: ChatMessage[]): Promise<CachedAnswer | undefined> {
      const cacheable = providers.filter(isNetworkProvider);
      if (ttlSeconds <= 0 || cacheable.length === 0) return undefined;
      // One query for every provider's key; the routing order picks among the hits.
      const keys = cacheable.map((provider) => cacheKey(userId, provider, cfg[provider].model, messages));
      const rows: Array<{ key: string; response: CachedAnswer }> = await db('ai_cache')
        .whereIn('key', keys)
        .where({ user_id: userId })
        .where('expires_at', '>', db.fn.now())
        .select('key', 'response');
      const hits = new Map(rows.map((r) => [r.key, r.response]));
      return keys.map((k) => hits.get(k)).find(Boolean);
    },
    async store(userId: string, messages: ChatMessage[], answer: CachedAnswer): Promise<void> {
      if (ttlSeconds <= 0 || !isNetworkProvider(answer.provider) || answer.degraded) return;
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
