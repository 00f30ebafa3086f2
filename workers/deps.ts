import type { Emitter } from '../core/emitter.js';
import type { RedisClient } from '../core/redis.js';
import type { Orchestrator } from '../core/ai/index.js';
import type { Embedder } from '../core/ai/embeddings.js';
import type { PassageSource } from '../core/chat/rag.js';
import type { ReplyStops } from '../core/chat/reply-stop.js';
import type { createProviders } from '../core/billing/subscribe.js';
import type { Config } from '../core/config.js';
import type { Db } from '../core/db/knex.js';
import type { Logger } from '../core/log.js';
import type { Secrets } from '../core/secrets.js';
import type { Storage } from '../core/storage/index.js';
import type { Queues } from '../pipelines/queues.js';

/** What every processor may use; built once per worker process. */
export interface WorkerDeps {
  config: Config;
  secrets: Secrets;
  db: Db;
  log: Logger;
  storage: Storage;
  queues: Queues;
  /** Publishes Socket.IO events through Redis to whichever API node holds the socket. */
  emitter: Emitter;
  /** Plain Redis commands (reply streams); not a blocking connection. */
  redis: RedisClient;
  /** The AI orchestrator of this process (its circuit breakers are per process). */
  ai: Orchestrator;
  /** Embeddings for vector search (EMBEDDINGS_PROVIDER); undefined: full text only. */
  embedder: Embedder | undefined;
  /** Payment providers with keys (billing jobs). */
  payments: ReturnType<typeof createProviders>;
  /** Passages from the chat's documents and the law library for an answer (RAG). */
  passages: PassageSource;
  /** Stop requests of the chat replies this process runs (published by the API). */
  stops: ReplyStops;
}
