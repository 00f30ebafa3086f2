/**
 * The wire side of embeddings: one call to one provider for one batch of texts. Retries,
 * batching, timeouts and the circuit live in embeddings.ts. Both providers are asked for 256
 * dimensions, so one `vector(256)` column serves either.
 */
import OpenAI from 'openai';
import type { ProviderSettings } from './config.js';
import { ProviderError } from './errors.js';
import { errorFromStatus, retryAfterMs, toProviderError } from './provider-errors.js';

export const EMBEDDING_DIMENSIONS = 256;
export type EmbeddingKind = 'doc' | 'query';

export interface EmbeddingClient {
  name: 'openai' | 'yandex';
  model: string;
  /** Largest number of texts one call may carry. */
  batchSize: number;
  /** One call; the vectors come back in the order of `texts`. Throws ProviderError. */
  call(texts: string[], kind: EmbeddingKind, credential: string, signal: AbortSignal): Promise<number[][]>;
}

/** OpenAI `text-embedding-3-small` shortened to 256 dimensions; the SDK with its retries off. */
export function openAiEmbeddings(settings: ProviderSettings): EmbeddingClient {
  const model = 'text-embedding-3-small';
  const clients = new Map<string, OpenAI>();
  const clientFor = (apiKey: string) => {
    let client = clients.get(apiKey);
    if (!client) clients.set(apiKey, (client = new OpenAI({ apiKey, baseURL: settings.baseUrl, maxRetries: 0 })));
    return client;
  };
  return {
    name: 'openai',
    model,
    batchSize: 64,
    async call(texts, _kind, credential, signal) {
      try {
        const res = await clientFor(credential).embeddings.create({ model, input: texts, dimensions: EMBEDDING_DIMENSIONS }, { signal });
        const vectors: number[][] = [];
        for (const item of res.data) vectors[item.index] = item.embedding;
        return vectors;
      } catch (err) {
        throw toProviderError(err, signal);
      }
    },
  };
}

/** Yandex `text-search-doc` for passages and `text-search-query` for questions: one text per call. */
export function yandexEmbeddings(settings: ProviderSettings & { folderId: string | undefined }): EmbeddingClient {
  const endpoint = `${settings.baseUrl}/foundationModels/v1/textEmbedding`;
  const folder = settings.folderId ?? '';
  const models = { doc: 'text-search-doc/latest', query: 'text-search-query/latest' } as const;
  return {
    name: 'yandex',
    model: models.doc,
    batchSize: 1,
    async call(texts, kind, credential, signal) {
      const [text] = texts;
      try {
        const res = await fetch(endpoint, {
          method: 'POST',
          signal,
          headers: {
            Authorization: `Api-Key ${credential}`,
            'Content-Type': 'application/json',
            'x-folder-id': folder,
            'x-data-logging-enabled': 'false',
          },
          body: JSON.stringify({ modelUri: `emb://${folder}/${models[kind]}`, text }),
        });
        if (!res.ok) {
          await res.body?.cancel();
          throw errorFromStatus(res.status, `Yandex answered ${res.status}`, retryAfterMs(res.headers));
        }
        const body = (await res.json()) as { embedding?: unknown };
        if (!Array.isArray(body.embedding)) throw new ProviderError('Yandex sent no embedding', { code: 'upstream_error', retryable: true });
        return [body.embedding.map(Number)];
      } catch (err) {
        if (err instanceof SyntaxError) throw new ProviderError('Yandex sent malformed JSON', { code: 'upstream_error', retryable: true, cause: err });
        throw toProviderError(err, signal);
      }
    },
  };
}
