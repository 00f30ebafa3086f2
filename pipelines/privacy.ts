/**
 * The jobs of privacy requests. The job id names the request, so a repeat adds nothing while
 * one is queued or running. An erasure must finish even when its workers die more often than
 * BullMQ tolerates or its attempts run out: `privacy.sweep` queues again any request still
 * open whose job is gone or failed (an erased account cannot ask again: it is shut at once).
 */
import { freeJobId, type Queues } from './queues.js';

type RequestJob = 'privacy.export' | 'privacy.erase';

export const requestJobId = (name: RequestJob, requestId: string) => `${name.replace('.', '-')}-${requestId}`;

const OPTIONS = { attempts: 8, backoff: { type: 'exponential', delay: 2000 } } as const;

export async function enqueueRequest(queues: Queues, name: RequestJob, requestId: string): Promise<void> {
  await queues.add(name, { request_id: requestId }, { ...OPTIONS, jobId: requestJobId(name, requestId) });
}

/** Queues again a request whose job is missing or failed; returns whether it did. */
export async function requeueIfDead(queues: Queues, name: RequestJob, requestId: string): Promise<boolean> {
  if (!(await freeJobId(queues.get('privacy'), requestJobId(name, requestId), ['failed']))) return false;
  await enqueueRequest(queues, name, requestId);
  return true;
}
