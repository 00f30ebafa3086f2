/**
 * How jobs with a client-visible outcome end when they fail: a failure for good (known by its kind, with a public
 * code) is recorded at once and ends the job; anything else is retried, bounded by the job's
 * attempts, and recorded with `lastResort` when they run out.
 */
import { UnrecoverableError } from 'bullmq';
import { isLastAttempt } from '../core/chat/failures.js';
import type { ProcessorContext } from './processor.js';

export interface Failure {
  code: string;
  detail: string;
}

export interface FailureHandling {
  /** What went wrong, when that is known; `retryable` marks a known failure worth another attempt. */
  classify(err: unknown): (Failure & { retryable?: boolean }) | undefined;
  /** Recorded when a failure nobody knows outlives the attempts. */
  lastResort: Failure;
  /** Records the failure where the client sees it, and tells them. */
  record(error: Failure): Promise<void>;
}

export async function failingForGood<T>(ctx: ProcessorContext, what: string, run: () => Promise<T>, handling: FailureHandling): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const known = handling.classify(err);
    ctx.log.warn({ code: known?.code, err: (err as Error).name }, `${what} failed`);
    if ((!known || known.retryable) && !isLastAttempt(ctx.job)) throw err;
    const error = known ? { code: known.code, detail: known.detail } : handling.lastResort;
    await handling.record(error);
    throw new UnrecoverableError(error.code);
  }
}
