import { UnrecoverableError } from 'bullmq';
import { EmbeddingError } from '../core/ai/embeddings.js';

/**
 * A provider that refuses the request or the key will refuse the retries too: fail the job
 * at once. Anything else (timeouts, 429, 5xx, an open circuit) is retried by BullMQ.
 */
export function embeddingFailure(err: unknown): never {
  if (err instanceof EmbeddingError && !err.retryable) throw new UnrecoverableError(`embeddings: ${err.code}`);
  throw err;
}
