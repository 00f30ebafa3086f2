/** How a failed AI stage ends: its public error code, and whether trying again can help. */
import { AllProvidersFailedError, ProviderError } from '../ai/index.js';
import { DlpError } from '../dlp/index.js';
import { ACCOUNT_BLOCKED, AccountBlockedError } from './account-blocked.js';

export interface FailureInfo {
  code: string;
  detail: string;
  retryable: boolean;
}

export function describeFailure(err: unknown): FailureInfo {
  if (err instanceof AccountBlockedError) return { ...ACCOUNT_BLOCKED, retryable: false };
  if (err instanceof AllProvidersFailedError) {
    return { code: err.code, detail: 'no AI provider could answer', retryable: true };
  }
  if (err instanceof ProviderError) {
    // A stream that broke after the first token is restarted from scratch: retryable.
    const retryable = err.retryable || err.midStream;
    return { code: err.code === 'bad_request' ? 'ai_bad_request' : `ai_${err.code}`, detail: `the AI provider failed (${err.code})`, retryable };
  }
  // A timeout may be load on this worker: another attempt can succeed. Bad input cannot.
  if (err instanceof DlpError) return { code: 'dlp_failed', detail: 'the message could not be masked', retryable: err.code === 'dlp_timeout' };
  return { code: 'internal_error', detail: 'the reply could not be produced', retryable: true };
}

/** True when BullMQ will not run the job again after this attempt fails. */
export function isLastAttempt(job: { attemptsMade: number; opts: { attempts?: number } }): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}
