import { ProviderError } from './errors.js';

/** Exponential backoff with jitter: attempt 1 waits base..base/2, attempt 2 twice that, and so on. */
export function backoffDelay(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = baseMs * 2 ** (attempt - 1);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Waits `ms`, or rejects with the signal's reason (or an `aborted` ProviderError) if it fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const abortError = () =>
      signal?.reason instanceof ProviderError
        ? signal.reason
        : new ProviderError('Request was cancelled', { code: 'aborted', retryable: false });
    if (signal?.aborted) return reject(abortError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
