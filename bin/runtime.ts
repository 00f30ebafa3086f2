/**
 * Assembles a running service from the environment: the API with the Socket.IO gateway,
 * the worker pools and schedulers, or both. Used by `bin/start.ts` and by tests.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueueEvents } from 'bullmq';
import { buildApp } from '../api/app.js';
import { answerClientErrors } from '../api/client-errors.js';
import { startMetricsServer } from '../api/metrics.js';
import { createChatHandlers } from '../api/realtime/chat-handlers.js';
import { createGateway } from '../api/realtime/gateway.js';
import { createOrchestrator } from '../core/ai/index.js';
import { createEmbedder } from '../core/ai/embeddings.js';
import { createAccessTokens } from '../core/auth/access-tokens.js';
import { createUserCache } from '../core/auth/user-cache.js';
import { createPassageSource } from '../core/chat/rag.js';
import { followReplyStops } from '../core/chat/reply-stop.js';
import { defineReplyScripts } from '../core/chat/reply-stream.js';
import { loadConfig, type Config } from '../core/config.js';
import { openDatabase, openReadDb } from '../core/db/knex.js';
import { createLogger, type DestinationStream, type Logger } from '../core/log.js';
import { createEmitter } from '../core/emitter.js';
import { checkRedis, connectedProducer, ensureRedis, whenReady, workerConnection, StartupError, type RedisHandle } from '../core/redis.js';
import { QUEUE_STATES, reportCircuits, reportQueueDepth } from '../core/telemetry/metrics.js';
import { resolveSecrets, type Secrets } from '../core/secrets.js';
import { createStorage } from '../core/storage/index.js';
import { closeCpuPool, configureCpuPool } from '../core/cpu-pool.js';
import { createVectorRanker, logSearchMode } from '../core/search/vectors.js';
import { createQueues } from '../pipelines/queues.js';
import { upsertSchedules } from '../pipelines/schedules.js';
import { createProviders } from '../core/billing/subscribe.js';
import { PROCESSORS } from '../workers/index.js';
import { indexProcessors, selectQueues, startWorkerPools, workerDatabase } from '../workers/pools.js';
import pkg from '../package.json' with { type: 'json' };

export type Mode = 'all' | 'api' | 'workers';

export interface Runtime {
  log: Logger;
  /** Base URL of the API when this runtime serves it. */
  url?: string;
  /** The /metrics URL of a workers-only runtime (the API serves its own). */
  metricsUrl?: string;
  /** Stops accepting, lets in-flight jobs finish, closes every connection. */
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Where the logs go instead of stdout (the tests keep a runtime's errors to show on a failure). */
  logTo?: DestinationStream;
}

export async function startRuntime(mode: Mode, env: NodeJS.ProcessEnv = process.env, opts: RuntimeOptions = {}): Promise<Runtime> {
  const config = loadConfig(env);
  const secrets = resolveSecrets(config);
  const log = createLogger(config.logLevel, { role: mode }, opts.logTo);
  if (mode !== 'all' && !config.database.url) {
    throw new StartupError('start:api and start:workers share one database: set DATABASE_URL (embedded PGlite serves a single process, `npm start`)');
  }
  // Fail before touching anything if the processor registry is inconsistent.
  indexProcessors(PROCESSORS);

  const redisHandle = await ensureRedis(config, log);
  try {
    return await assemble(mode, config, secrets, log, redisHandle);
  } catch (err) {
    // A managed redis-server must not outlive a start that failed.
    await redisHandle.stop();
    throw err;
  }
}

async function assemble(mode: Mode, config: Config, secrets: Secrets, log: Logger, redisHandle: RedisHandle): Promise<Runtime> {
  const closers: Array<() => Promise<unknown>> = [];
  // One fail-fast connection serves the queues' producers and the API's own commands: with
  // Redis away, a request answers 503 instead of hanging. It is also the start-up check's.
  const producer = await connectedProducer(config.redis);
  try {
    await checkRedis(producer, log);
  } catch (err) {
    producer.disconnect();
    throw err;
  }

  // A process that runs worker pools keeps a larger database pool (workers/pools.ts).
  const db = await openDatabase(mode === 'api' ? config : { ...config, database: workerDatabase(config) }, log, { command: 'npm start' });
  const embedder = createEmbedder(config, log);
  await logSearchMode(db, embedder, log);
  const vectors = createVectorRanker(db, embedder);

  const storage = createStorage(config.storage);
  const queues = createQueues(producer, config.redis.queuePrefix);
  const unreportQueues = reportQueueDepth(() =>
    Promise.all(queues.all().map(async (q) => ({ queue: q.name, counts: await q.getJobCounts(...QUEUE_STATES) }))),
  );
  const tokens = createAccessTokens({ secret: secrets.jwtSecret, issuer: config.auth.issuer, audience: config.auth.audience, ttlSeconds: config.auth.accessTtl });
  let url: string | undefined;
  let metricsUrl: string | undefined;
  // Shared by every mode, closed after what each mode adds to `closers`.
  const lastSteps = [async () => unreportQueues(), () => queues.close(), () => producer.quit(), () => db.destroy()];

  try {
    if (mode !== 'api') {
      // Publishing events and the reply streams are plain commands: one connection serves both,
      // auto-pipelined (a thousand streams' deltas leave in a few writes).
      const redis = workerConnection(config.redis, { autoPipelining: true });
      defineReplyScripts(redis);
      const emitter = createEmitter(redis, config.redis.queuePrefix);
      const ai = createOrchestrator(config.ai, log);
      // Said once at start, so a first run knows where its answers come from.
      if (config.ai.providers.join() === 'offline') log.info({ providers: config.ai.providers }, 'AI providers: none has a key (OPENAI_API_KEY, ANTHROPIC_API_KEY, YANDEX_API_KEY): answers come from the built-in offline provider');
      else log.info({ providers: config.ai.providers }, `AI providers, in order: ${config.ai.providers.join(', ')}`);
      const unreportCircuits = reportCircuits(() => ai.circuits());
      const stops = await followReplyStops(workerConnection(config.redis), redis, config.redis.queuePrefix);
      // Closed after the pools (put ahead of these once they run; the CPU pool's threads go once
      // the jobs that use them have finished), and also when the start fails before they run.
      closers.push(() => closeCpuPool(), () => stops.close(), () => redis.quit(), async () => unreportCircuits());
      const deps = { config, secrets, db, log, storage, queues, emitter, redis, ai, embedder, payments: createProviders(config.billing), passages: createPassageSource({ db, ...(vectors ? { vectors } : {}) }), stops };
      configureCpuPool(config.dlp.threads, log);
      if (mode === 'workers') {
        // Bound before a job is taken: a port that cannot be had stops the start with nothing running.
        const metrics = await serveWorkerMetrics(config, log);
        metricsUrl = `${httpUrl(config.host, metrics.port)}/metrics`;
        log.info({ url: metricsUrl }, 'serving metrics');
        closers.unshift(() => metrics.close());
      }
      const pools = await startWorkerPools(deps, PROCESSORS, selectQueues(config.workers.queues));
      closers.unshift(() => pools.close());
      await upsertSchedules(queues, { billingEverySeconds: config.billing.reconcileEverySeconds });
    }

    if (mode !== 'workers') {
      const aiEvents = new QueueEvents('ai', { connection: workerConnection(config.redis), prefix: config.redis.queuePrefix });
      const usersSub = workerConnection(config.redis, { sharded: true });
      await whenReady(usersSub);
      const users = await createUserCache(usersSub, producer, config.redis.queuePrefix);
      const dbRead = openReadDb(config, db);
      if (dbRead !== db) closers.push(() => dbRead.destroy());
      const app = buildApp({ config, log, db, dbRead, redis: producer, storage, queues, tokens, users, version: pkg.version, secrets, aiEvents, ...(vectors ? { vectors } : {}) });
      const server = http.createServer(app.callback());
      answerClientErrors(server);
      const pub = workerConnection(config.redis);
      // In a cluster the gateway's sharded adapter subscribes per shard as it starts: once ready.
      const sub = workerConnection(config.redis, { sharded: true });
      await whenReady(sub);
      const io = createGateway(server, {
        tokens, users, log, pub, sub, redis: producer, keyPrefix: config.redis.queuePrefix, corsOrigins: config.http.corsOrigins,
        maxSocketsPerUser: config.http.socketMaxPerUser, handlers: createChatHandlers({ redis: producer, prefix: config.redis.queuePrefix }),
      });
      // io.close() also closes the HTTP server: no new connections from here on.
      closers.unshift(
        () => new Promise((resolve) => io.close(() => resolve(undefined))),
        () => Promise.all([pub.quit(), sub.quit(), aiEvents.close(), users.close()]),
      );
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(config.port, config.host, resolve));
      const { port } = server.address() as AddressInfo;
      url = httpUrl(config.host, port);
      log.info({ url, mode }, 'listening');
      // A new installation has no admin: say how to make one (the admin pages and Bull Board need it).
      if (!(await db('users').where({ role: 'admin' }).first('id'))) {
        log.info({ command: 'npm run cli -- user:role EMAIL admin' }, 'no admin account yet: sign up, then make it an admin with this command');
      }
    }
    // One import job at a time whichever worker starts first; it skips codes already imported.
    // Queued once this process listens: a first import holds the embedded database's one session
    // a code at a time, and the start would wait for all of it before opening the port.
    if (mode !== 'api' && config.law.autoImport) {
      await queues.get('documents').add('law.import', {}, { jobId: 'law-import', removeOnComplete: true, removeOnFail: true });
      log.info('law library: import queued (codes missing or changed are imported in the background)');
    }
  } catch (err) {
    // What started (pools already taking jobs, a metrics server, connections) stops as a shutdown
    // would; the managed Redis is the caller's to stop.
    await closeSteps([...closers, ...lastSteps], log, config.shutdownTimeoutMs);
    throw err;
  }
  closers.push(...lastSteps, () => redisHandle.stop());

  return {
    log,
    url,
    metricsUrl,
    close: () => closeSteps(closers, log, config.shutdownTimeoutMs),
  };
}

/**
 * Runs shutdown steps in order. A step that never ends (a connection to a node that went away)
 * must not hold the rest: each gets the shutdown timeout, and a stalled one is named in the log.
 */
async function closeSteps(steps: Array<() => Promise<unknown>>, log: Logger, timeoutMs: number): Promise<void> {
  for (const close of steps) {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        log.warn({ step: String(close).slice(0, 120) }, 'a shutdown step did not end in time; going on');
        resolve();
      }, timeoutMs);
    });
    await Promise.race([close().catch((err: Error) => log.warn({ err: err.message }, 'error while closing')), stalled]);
    clearTimeout(timer);
  }
}

/** `http://host:port`, an IPv6 host in brackets. */
const httpUrl = (host: string, port: number) => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

const DEFAULT_METRICS_PORT = 9464;

/** A workers process's /metrics; with METRICS_PORT unset and 9464 taken (a second workers process on the host), another free port. */
async function serveWorkerMetrics(config: Config, log: Logger) {
  const { port, token } = config.metrics;
  try {
    return await startMetricsServer(port ?? DEFAULT_METRICS_PORT, config.host, token);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port !== undefined) throw err;
    const server = await startMetricsServer(0, config.host, token);
    log.warn({ taken: DEFAULT_METRICS_PORT, port: server.port }, 'the metrics port is taken (another workers process here?): serving metrics on another; give each process its own METRICS_PORT for a scraper');
    return server;
  }
}
