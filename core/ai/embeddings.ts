/**
 * Embeddings for vector search: a provider (OpenAI or Yandex, EMBEDDINGS_PROVIDER) behind the
 * same circuit breaker and key rotation as completions, with bounded batches and a timeout
 * per call. No retries here: a job that embeds is retried by BullMQ, and a search falls back
 * to full text. Callers pass masked text only (chunks are stored masked; queries are masked
 * by the search before they get here).
 */
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { CircuitBreaker, type CircuitOptions, type CircuitState } from './circuit-breaker.js';
import { CredentialPool } from './credential-pool.js';
import { ProviderError, type ProviderErrorCode } from './errors.js';
import { EMBEDDING_DIMENSIONS, openAiEmbeddings, yandexEmbeddings, type EmbeddingClient, type EmbeddingKind } from './embeddings-providers.js';
import { toProviderError } from './provider-errors.js';

export { EMBEDDING_DIMENSIONS, type EmbeddingKind } from './embeddings-providers.js';

export interface Embedder {
  name: string;
  model: string;
  /** One 256-dimensional vector per text, in order. Throws EmbeddingError. */
  embed(texts: string[], kind: EmbeddingKind): Promise<number[][]>;
  /** The breaker's state, for health and metrics. */
  readonly circuit: CircuitState;
}

export class EmbeddingError extends Error {
  override name = 'EmbeddingError';
  constructor(
    message: string,
    readonly code: ProviderErrorCode | 'circuit_open' | 'no_credential',
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface EmbedderOptions {
  apiKeys: string[];
  timeoutMs: number;
  circuit: CircuitOptions;
  keyCooldownMs: number;
}

/** Calls in flight at once for one embed(): Yandex takes one text per call. */
const PARALLEL_CALLS = 4;
/** Longer input is cut: providers refuse texts past their token limit (Yandex: 2,048 tokens). */
const MAX_CHARS = 6_000;

/** The configured embedder, or undefined for EMBEDDINGS_PROVIDER=none. */
export function createEmbedder(config: Pick<Config, 'ai' | 'embeddings'>, log: Logger): Embedder | undefined {
  const { ai } = config;
  const client = config.embeddings.provider === 'openai' ? openAiEmbeddings(ai.openai)
    : config.embeddings.provider === 'yandex' ? yandexEmbeddings(ai.yandex)
    : undefined;
  if (!client) return undefined;
  const opts = { apiKeys: ai[client.name].apiKeys, timeoutMs: ai.timeouts.firstTokenMs, circuit: ai.circuit, keyCooldownMs: ai.keyCooldownMs };
  return guardedEmbedder(client, opts, log);
}

/** Wraps one provider's client with batching, a timeout per call, key rotation and a circuit breaker. */
export function guardedEmbedder(client: EmbeddingClient, opts: EmbedderOptions, logger: Logger): Embedder {
  const breaker = new CircuitBreaker(opts.circuit);
  const keys = new CredentialPool(opts.apiKeys, opts.keyCooldownMs);
  const log = logger.child({ component: 'embeddings' });

  async function callOnce(texts: string[], kind: EmbeddingKind): Promise<number[][]> {
    const permit = breaker.tryAcquire();
    if (!permit) throw new EmbeddingError(`${client.name} embeddings: circuit open`, 'circuit_open', true);
    const key = keys.pick();
    if (key === undefined) {
      breaker.release(permit);
      throw new EmbeddingError(`${client.name} embeddings: every key is cooling down`, 'no_credential', true);
    }
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(new ProviderError('embeddings call timed out', { code: 'timeout', retryable: true })), opts.timeoutMs);
    try {
      const vectors = await client.call(texts, kind, key, ctrl.signal);
      if (vectors.length !== texts.length || !vectors.every(isVector)) {
        throw new ProviderError(`${client.name} sent malformed embeddings`, { code: 'upstream_error', retryable: true });
      }
      breaker.onSuccess(permit);
      keys.restore(key);
      return vectors;
    } catch (thrown) {
      const err = toProviderError(thrown, ctrl.signal);
      // A refused request says nothing about the provider's health.
      if (err.code === 'bad_request') breaker.release(permit);
      else breaker.onFailure(permit);
      if (err.code === 'rate_limited') keys.coolDown(key);
      log.warn({ provider: client.name, model: client.model, texts: texts.length, code: err.code, status: err.status }, 'embeddings call failed');
      throw new EmbeddingError(`${client.name} embeddings: ${err.code}`, err.code, err.retryable);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    name: client.name,
    model: client.model,
    get circuit() {
      return breaker.state;
    },
    async embed(texts, kind) {
      const batches: string[][] = [];
      for (let i = 0; i < texts.length; i += client.batchSize) batches.push(texts.slice(i, i + client.batchSize).map((t) => t.slice(0, MAX_CHARS)));
      const results: number[][][] = [];
      let next = 0;
      let failed = false;
      const lane = async () => {
        while (!failed && next < batches.length) {
          const i = next++;
          try {
            results[i] = await callOnce(batches[i]!, kind);
          } catch (err) {
            failed = true; // the other lanes stop taking batches
            throw err;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL_CALLS, batches.length) }, lane));
      return results.flat();
    },
  };
}

function isVector(v: unknown): v is number[] {
  return Array.isArray(v) && v.length === EMBEDDING_DIMENSIONS && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}
