/**
 * Worker bootstrap: one BullMQ Worker per selected queue, dispatching by job name to exactly
 * one processor. Refuses to start when a job name has no processor or two.
 */
import os from 'node:os';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Config } from '../core/config.js';
import { workerConnection } from '../core/redis.js';
import { jobDuration } from '../core/telemetry/metrics.js';
import { queueTelemetry } from '../core/telemetry/tracing.js';
import { JOBS, QUEUE_NAMES, activeQueues, jobsOfQueue, type JobName, type QueueName } from '../pipelines/registry.js';
import type { WorkerDeps } from './deps.js';
import type { Processor } from './processor.js';

export class ProcessorRegistryError extends Error {
  override name = 'ProcessorRegistryError';
}

export function indexProcessors(processors: Processor[], jobNames: readonly string[] = Object.keys(JOBS)): Map<JobName, Processor> {
  const byName = new Map<JobName, Processor>();
  for (const p of processors) {
    if (!jobNames.includes(p.name)) throw new ProcessorRegistryError(`processor for unknown job name "${p.name}"`);
    if (byName.has(p.name)) throw new ProcessorRegistryError(`job name "${p.name}" has two processors`);
    byName.set(p.name, p);
  }
  const missing = jobNames.filter((n) => !byName.has(n as JobName));
  if (missing.length) throw new ProcessorRegistryError(`job names without a processor: ${missing.join(', ')}`);
  return byName;
}

export function selectQueues(requested: string[] | undefined): QueueName[] {
  const active = activeQueues();
  if (!requested || requested.length === 0 || requested.includes('all')) return active;
  const unknown = requested.filter((q) => !active.includes(q as QueueName));
  if (unknown.length) throw new ProcessorRegistryError(`WORKER_QUEUES names unknown queues: ${unknown.join(', ')} (known: ${active.join(', ')})`);
  return requested as QueueName[];
}

/**
 * What a pool waits on sizes it. `ai` waits on the network: one process holds a thousand
 * streaming answers (`npm run bench`: live answers), bounded by memory and
 * the providers' rate limits (the orchestrator's retries and key cool-downs), not by cores.
 * A chat message's masking (`dlp`) waits on Postgres: its scan is short (a long text goes to
 * the CPU pool's threads, sized to the cores), so many run at once, or a burst of questions
 * queues behind two of them. Document work waits on the CPU: one job per core. The rest are
 * light and few.
 */
const POOL_SIZES: Record<QueueName, number> = {
  ai: 1000,
  dlp: 64,
  documents: os.availableParallelism(),
  reviews: 8,
  billing: 2,
  notifications: 8,
  privacy: 2,
};

/**
 * The database pool of a process that runs worker pools. Its pools take a burst of jobs at
 * once (a thousand answers, 64 maskings), each a few statements before it waits on the
 * network, so it keeps more connections than an API process (WORKER_DATABASE_POOL_MAX,
 * default twice DATABASE_POOL_MAX: 20), and a statement waits up to a minute for one: a
 * job that gave up after the API's 10 s would be retried from the start, adding its work
 * again to the queue it waited in.
 */
export function workerDatabase(config: Pick<Config, 'database' | 'workers'>): Config['database'] {
  return { ...config.database, poolMax: config.workers.databasePoolMax ?? 2 * config.database.poolMax, acquireTimeoutMs: 60_000 };
}

/** A pool's size: WORKER_CONCURRENCY_<QUEUE>, else WORKER_CONCURRENCY, else what it waits on decides. */
export function poolSize(queue: QueueName, concurrency: Config['workers']['concurrency']): number {
  const unknown = Object.keys(concurrency.byQueue).filter((q) => !(QUEUE_NAMES as readonly string[]).includes(q));
  if (unknown.length) throw new ProcessorRegistryError(`WORKER_CONCURRENCY_<QUEUE> names unknown queues: ${unknown.join(', ')} (known: ${QUEUE_NAMES.join(', ')})`);
  return concurrency.byQueue[queue] ?? concurrency.all ?? POOL_SIZES[queue];
}

export interface WorkerPools {
  workers: Worker[];
  /** Stops taking jobs and waits for the ones in flight. */
  close(): Promise<void>;
}

export async function startWorkerPools(deps: WorkerDeps, processors: Processor[], queues: QueueName[]): Promise<WorkerPools> {
  const byName = indexProcessors(processors);
  const workers = queues.map((queue) => {
    const names = jobsOfQueue(queue);
    const worker = new Worker(
      queue,
      async (job) => {
        const name = job.name as JobName;
        const processor = byName.get(name);
        if (!processor || !names.includes(name)) throw new UnrecoverableError(`no processor for ${job.name} on ${queue}`);
        const parsed = JOBS[name].payload.safeParse(job.data);
        if (!parsed.success) throw new UnrecoverableError(`invalid payload for ${name}`);
        const log = deps.log.child({ job_id: job.id, job: name, attempt: job.attemptsMade + 1 });
        return processor.process(parsed.data as never, { ...deps, job, log });
      },
      {
        connection: workerConnection(deps.config.redis),
        prefix: deps.config.redis.queuePrefix,
        concurrency: poolSize(queue, deps.config.workers.concurrency),
        lockDuration: deps.config.workers.lockDurationMs,
        stalledInterval: deps.config.workers.stalledIntervalMs,
        autorun: false,
        telemetry: queueTelemetry(),
      },
    );
    const observe = (job: { name: string; processedOn?: number; finishedOn?: number }, outcome: string) => {
      if (job.processedOn && job.finishedOn) jobDuration.observe({ queue, job: job.name, outcome }, (job.finishedOn - job.processedOn) / 1000);
    };
    worker.on('completed', (job) => observe(job, 'completed'));
    worker.on('failed', (job, err) => {
      if (job) observe(job, 'failed');
      deps.log.warn({ job_id: job?.id, job: job?.name, err: err.message }, 'job failed');
    });
    worker.on('error', (err) => deps.log.error({ err: err.message, queue }, 'worker error'));
    return worker;
  });
  for (const w of workers) void w.run();
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  deps.log.info({ pools: Object.fromEntries(queues.map((q) => [q, poolSize(q, deps.config.workers.concurrency)])) }, 'worker pools started');
  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(workers.map((w) => w.disconnect()));
    },
  };
}
