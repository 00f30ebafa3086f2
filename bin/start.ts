/**
 * `npm start` (all), `npm run start:api`, `npm run start:workers`: the same code, split for
 * scale-out. SIGTERM/SIGINT: stop accepting, let in-flight jobs finish, close, exit 0.
 */
import { ConfigError } from '../core/config.js';
import { StartupError } from '../core/redis.js';
import { die } from './boot.js';
import { startRuntime, type Mode } from './runtime.js';

const mode = (process.argv[2] ?? 'all') as Mode;
if (!['all', 'api', 'workers'].includes(mode)) die(`unknown mode "${mode}": use all, api or workers`);

const runtime = await startRuntime(mode).catch((err: Error) =>
  die(err instanceof ConfigError || err instanceof StartupError ? err.message : `start-up failed: ${err.message}`),
);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  runtime.log.info({ signal }, 'shutting down: finishing in-flight work');
  setTimeout(() => {
    runtime.log.error('shutdown timed out');
    process.exit(1);
  }, runtime.shutdownTimeoutMs).unref();
  await runtime.close();
  runtime.log.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
