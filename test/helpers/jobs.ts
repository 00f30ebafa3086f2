/** Running a scheduled job on demand in a test, as its scheduler would, through the real queue. */
/* eslint-disable @typescript-eslint/no-explicit-any -- a job's return value is whatever its processor returned */
import { JOBS, type JobName } from '../../pipelines/registry.js';
import { openQueue, waitFor } from '../e2e/chat/harness.js';

/** Adds the job to its queue and waits until a worker finished it; its return value, or the failure. */
export async function runJobNow(prefix: string, name: JobName, data: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<any> {
  const { queue, close } = openQueue(JOBS[name].queue, prefix);
  try {
    const job = await queue.add(name, data);
    return await waitFor(`${name} to finish`, async () => {
      const state = await job.getState();
      if (state === 'failed') throw new Error(`${name} failed: ${(await queue.getJob(job.id!))?.failedReason}`);
      return state === 'completed' ? ((await queue.getJob(job.id!))?.returnvalue ?? {}) : undefined;
    }, timeoutMs);
  } finally {
    await close();
  }
}
