import type { Emitter } from '@socket.io/redis-emitter';
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
}
