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
