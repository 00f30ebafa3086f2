import { Vault } from '../core/dlp/index.js';
import { createReviewEffects } from '../pipelines/reviews.js';
import type { WorkerDeps } from './deps.js';

/** Review effects (queueing, announcing) over this process's queues and emitter. */
export const reviewEffects = (deps: WorkerDeps) => createReviewEffects({ queues: deps.queues, emitter: deps.emitter, redis: deps.redis });

/** What the review processors share. */
export const reviewDeps = (deps: WorkerDeps) => ({
  db: deps.db,
  vault: new Vault(deps.secrets.encryptionKey),
  effects: reviewEffects(deps),
  acceptSeconds: deps.config.reviews.acceptSeconds,
});
