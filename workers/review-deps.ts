import { Vault } from '../core/dlp/index.js';
import { createReviewEffects } from '../pipelines/reviews.js';
import type { WorkerDeps } from './deps.js';

/** What the review processors share: effects over this process's queues and emitter. */
export const reviewDeps = (deps: WorkerDeps) => ({
  db: deps.db,
  vault: new Vault(deps.secrets.encryptionKey),
  effects: createReviewEffects({ queues: deps.queues, emitter: deps.emitter, redis: deps.redis }),
  acceptSeconds: deps.config.reviews.acceptSeconds,
});
