import type { Job } from 'bullmq';
import type { Logger } from '../core/log.js';
import type { JobName, JobPayload } from '../pipelines/registry.js';
import type { WorkerDeps } from './deps.js';

export interface ProcessorContext extends WorkerDeps {
  job: Job;
  /** Logger bound to the job id and name. */
  log: Logger;
}

export interface Processor<N extends JobName = JobName> {
  name: N;
  /** Returns a small JSON-able result; `{ skipped: reason }` for expected no-ops. */
  process(payload: JobPayload<N>, ctx: ProcessorContext): Promise<unknown>;
}

export function defineProcessor<N extends JobName>(p: Processor<N>): Processor<N> {
  return p;
}
