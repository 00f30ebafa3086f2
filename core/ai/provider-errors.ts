import { ProviderError, type ProviderErrorCode } from './errors.js';

interface HeaderBag {
  get(name: string): string | null;
}

/** Reads `retry-after-ms` / `retry-after` (seconds or HTTP date) into milliseconds. */
export function retryAfterMs(headers: HeaderBag | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.get('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers.get('retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** What an HTTP status from a provider means for routing. */
export function errorFromStatus(status: number, message: string, retryAfter?: number, cause?: unknown): ProviderError {
  const base = { status, retryAfterMs: retryAfter, cause };
  if (status === 429) return new ProviderError(message, { ...base, code: 'rate_limited', retryable: true });
  if (status === 529) return new ProviderError(message, { ...base, code: 'overloaded', retryable: true });
  if (status === 408) return new ProviderError(message, { ...base, code: 'timeout', retryable: true });
  if (status >= 500) return new ProviderError(message, { ...base, code: 'upstream_error', retryable: true });
  if (status === 401 || status === 402 || status === 403) {
    return new ProviderError(message, { ...base, code: 'auth_failed', retryable: false });
  }
  // 404 is a wrong model or URL of this provider, not a bad request: another provider may still answer.
  if (status === 404) return new ProviderError(message, { ...base, code: 'upstream_error', retryable: false });
  return new ProviderError(message, { ...base, code: 'bad_request', retryable: false });
}

const ERROR_TYPES: Record<string, { code: ProviderErrorCode; retryable: boolean }> = {
  overloaded_error: { code: 'overloaded', retryable: true },
  rate_limit_error: { code: 'rate_limited', retryable: true },
  api_error: { code: 'upstream_error', retryable: true },
  timeout_error: { code: 'timeout', retryable: true },
  invalid_request_error: { code: 'bad_request', retryable: false },
  authentication_error: { code: 'auth_failed', retryable: false },
  permission_error: { code: 'auth_failed', retryable: false },
};

/**
 * Maps whatever an SDK (openai, @anthropic-ai/sdk) or fetch threw into a ProviderError.
 * `signal` is the call's own signal: when it fired, the failure is ours (timeout/cancel), not upstream's.
 */
export function toProviderError(err: unknown, signal?: AbortSignal): ProviderError {
  if (err instanceof ProviderError) return err;
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof ProviderError) return reason;
    return new ProviderError('Request was cancelled', { code: 'aborted', retryable: false, cause: err });
  }
  const e = (err ?? {}) as { status?: unknown; headers?: HeaderBag; type?: unknown; name?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message.slice(0, 200) : 'Provider call failed';
  if (typeof e.status === 'number') return errorFromStatus(e.status, message, retryAfterMs(e.headers), err);
  // An error event inside an SSE stream (Anthropic `event: error`) has a type but no status.
  const typed = typeof e.type === 'string' ? ERROR_TYPES[e.type] : undefined;
  if (typed) return new ProviderError(message, { ...typed, cause: err });
  if (typeof e.name === 'string' && /timeout/i.test(e.name)) {
    return new ProviderError(message, { code: 'timeout', retryable: true, cause: err });
  }
  return new ProviderError(message, { code: 'network_error', retryable: true, cause: err });
}
