/** Producer side: the queues the API (and workers) enqueue into, with validated payloads. */
import { FlowProducer, Queue, type JobsOptions } from 'bullmq';
import type { RedisClient } from '../core/redis.js';
import { queueTelemetry } from '../core/telemetry/tracing.js';
import { DEFAULT_JOB_OPTIONS, JOBS, QUEUE_NAMES, type JobName, type JobPayload, type QueueName } from './registry.js';

export interface Queues {
  prefix: string;
  get(name: QueueName): Queue;
  all(): Queue[];
  flows: FlowProducer;
  /** Validates the payload against the job's schema, then enqueues. */
  add<N extends JobName>(name: N, payload: JobPayload<N>, opts?: JobsOptions): Promise<string>;
  close(): Promise<void>;
}

export function createQueues(connection: RedisClient, prefix: string): Queues {
  const queues = new Map<QueueName, Queue>(
    QUEUE_NAMES.map((name) => [name, new Queue(name, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS, telemetry: queueTelemetry() })]),
  );
  const flows = new FlowProducer({ connection, prefix, telemetry: queueTelemetry() });
  return {
    prefix,
    get: (name) => queues.get(name)!,
    all: () => [...queues.values()],
    flows,
    async add(name, payload, opts) {
      const def = JOBS[name];
      const data = def.payload.parse(payload);
      const job = await queues.get(def.queue)!.add(name, data, opts);
      return job.id!;
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
      await flows.close();
    },
  };
}

/**
 * Frees a job id for a fresh add: the job kept under it is removed when it is in one of
 * `states` ('unknown' too: nothing is kept). Answers whether the id is now free; BullMQ ignores
 * an add under an id it still keeps, so a job that is queued, running or done stays as it is.
 */
export async function freeJobId(queue: Queue, jobId: string, states: string[]): Promise<boolean> {
  const job = await queue.getJob(jobId);
  if (!job) return true;
  const state = await job.getState();
  if (state !== 'unknown' && !states.includes(state)) return false;
  await job.remove().catch(() => undefined);
  return true;
}
