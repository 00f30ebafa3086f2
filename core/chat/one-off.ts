/**
 * Requesting a one-off answer (POST /api/ai/complete): reserve an in-flight slot, count the
 * message against today's quota, enqueue the job, then wait a short while for it. No step
 * holds a database transaction or lock while it talks to Redis; each step that fails undoes
 * the ones before it (the slot is released, the message given back).
 */
import { randomUUID } from 'node:crypto';
import type { Job, QueueEvents } from 'bullmq';
import type { Db } from '../db/knex.js';
import { domainErrors } from '../errors.js';
import type { CompletionSlots } from './complete-inflight.js';
import type { CompletionOutcome } from './complete.js';
import { countMessage, giveBackMessage, type FairUseLimits } from './fair-use.js';
import type { Sealer } from './seal.js';
import { chatMessages } from '../telemetry/metrics.js';

export interface CompletionJobData {
  request_id: string;
  user_id: string;
  sealed: string;
  counted_day: string;
  max_tokens?: number;
}

export interface OneOffDeps {
  db: Db;
  sealer: Sealer;
  limits: FairUseLimits;
  slots: CompletionSlots;
  /** Adds the `ai.complete` job (its id derives from the request id). */
  enqueue(data: CompletionJobData): Promise<Job>;
  /** The request's job as it is now, or undefined. */
  find(id: string): Promise<Job | undefined>;
  events: QueueEvents;
  waitMs: number;
}

export type CompletionState =
  | { id: string; status: 'queued' | 'running' }
  | { id: string; status: 'completed'; result: CompletionOutcome }
  | { id: string; status: 'failed'; error: { code: string } };

/** Failures caused by what was sent, not by an outage: trying again will not help. */
const INPUT_FAILURES = new Set(['dlp_failed', 'ai_bad_request']);

export async function completionState(job: Job, id: string): Promise<CompletionState> {
  const state = await job.getState();
  if (state === 'completed') return { id, status: 'completed', result: job.returnvalue as CompletionOutcome };
  if (state === 'failed') return { id, status: 'failed', error: { code: job.failedReason || 'internal_error' } };
  return { id, status: state === 'active' ? 'running' : 'queued' };
}

/** A failed answer as the caller's error: their input (422-like) or an outage (503-like). */
export function failedCompletionError(code: string) {
  return INPUT_FAILURES.has(code)
    ? domainErrors.invalid(`the prompt could not be answered (${code})`, code)
    : domainErrors.unavailable(`the AI answer failed: ${code}`);
}

export async function requestCompletion(deps: OneOffDeps, userId: string, prompt: string, maxTokens?: number): Promise<CompletionState> {
  const id = randomUUID();
  if (!(await deps.slots.reserve(userId, id, deps.limits.maxInflight))) {
    throw domainErrors.limited(2, `at most ${deps.limits.maxInflight} answers may be in progress at once`);
  }
  let day: string;
  let ownerSecret: Buffer | undefined;
  try {
    ({ day, ownerSecret } = await countMessage(deps.db, userId));
  } catch (err) {
    await deps.slots.release(userId, id);
    throw err;
  }
  let job: Job;
  try {
    if (!ownerSecret) throw new Error('the account is gone');
    job = await deps.enqueue({ request_id: id, user_id: userId, sealed: deps.sealer.seal(prompt, id, ownerSecret), counted_day: day, max_tokens: maxTokens });
  } catch {
    await Promise.all([deps.slots.release(userId, id), giveBackMessage(deps.db, userId, day)]);
    throw domainErrors.unavailable('the answer could not be queued; try again');
  }
  chatMessages.inc({ kind: 'one_off' });
  // From here on the job exists: whatever goes wrong while waiting, the answer is its state.
  try {
    const result = (await job.waitUntilFinished(deps.events, Math.max(1, deps.waitMs))) as CompletionOutcome;
    return { id, status: 'completed', result };
  } catch {
    // Read again: the job added holds its state as of then, without the failure's reason.
    const now = async () => completionState((await deps.find(id)) ?? job, id);
    return now().catch(() => ({ id, status: 'queued' as const }));
  }
}
