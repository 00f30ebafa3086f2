/**
 * `npm start` (all), `npm run start:api`, `npm run start:workers`: the same code, split for
 * scale-out. SIGTERM/SIGINT: stop accepting, let in-flight jobs finish, close, exit 0.
 * Tracing (when OTEL_EXPORTER_OTLP_ENDPOINT is set) starts before the service's modules load.
 */
import { startTracing, TracingConfigError, type Tracing } from '../core/telemetry/tracing.js';
import pkg from '../package.json' with { type: 'json' };
import { die } from './boot.js';
import type { Runtime } from './runtime.js';

const mode = process.argv[2] ?? 'all';
if (!['all', 'api', 'workers'].includes(mode)) die(`unknown mode "${mode}": use all, api or workers`);

const tracing: Tracing | undefined = await startTracing(process.env, { name: `legal-ai-${mode}`, version: pkg.version }).catch((err: Error) =>
  die(err instanceof TracingConfigError ? err.message : `tracing: ${err.message}`),
);
// The configuration is checked before the service's modules load: a mistake is told at once.
const [{ ConfigError, loadConfig }, { resolveSecrets }] = await Promise.all([import('../core/config.js'), import('../core/secrets.js')]);
let shutdownTimeoutMs = 0;
try {
  const config = loadConfig(process.env);
  resolveSecrets(config);
  shutdownTimeoutMs = config.shutdownTimeoutMs;
} catch (err) {
  die(err instanceof ConfigError ? err.message : `start-up failed: ${(err as Error).message}`);
}
const [{ StartupError }, { startRuntime }] = await Promise.all([import('../core/redis.js'), import('./runtime.js')]);

const starting = startRuntime(mode as 'all' | 'api' | 'workers').catch((err: Error) =>
  die(err instanceof ConfigError || err instanceof StartupError ? err.message : `start-up failed: ${err.message}`),
);
let started: Runtime | undefined;
void starting.then((runtime) => (started = runtime));

// A stop asked for while the service starts (pools may already take jobs, schedules are being
// set) waits for the start to end, then stops as cleanly as later: the signal's default action
// would kill the process mid-step. The timer bounds the whole from the signal on.
let stopping = false;
// SIGHUP: the terminal that ran `npm start` closed; stopping cleanly beats dying mid-job.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => {
      if (started) started.log.error('shutdown timed out');
      else process.stderr.write('error: shutdown timed out while starting\n');
      process.exit(1);
    }, shutdownTimeoutMs).unref();
    void starting.then((runtime) => shutdown(runtime, signal));
  });
}

async function shutdown(runtime: Runtime, signal: string) {
  runtime.log.info({ signal }, 'shutting down: finishing in-flight work');
  await runtime.close();
  await tracing?.shutdown().catch((err: Error) => runtime.log.warn({ err: err.message }, 'could not flush traces'));
  runtime.log.info('stopped');
  process.exit(0);
}
