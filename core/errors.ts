/**
 * Domain errors: what a core service reports when it refuses. They know no HTTP; the edge
 * (api/middleware/errors.ts) maps each kind to a problem document, and a socket handler or
 * a worker reads `kind` and `code` the same way.
 */
/** `exhausted`: a plan's per-period allowance is used up; a better plan lifts it (HTTP 402). */
export type DomainErrorKind = 'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'limited' | 'exhausted' | 'unavailable';

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly kind: DomainErrorKind,
    /** Stable machine-readable code, e.g. `quota_exceeded`. */
    readonly code: string,
    message: string,
    /** For `limited`: seconds until trying again makes sense. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const domainErrors = {
  invalid: (message: string, code = 'validation_failed') => new DomainError('invalid', code, message),
  unauthenticated: (message: string) => new DomainError('unauthenticated', 'unauthorized', message),
  forbidden: (message: string) => new DomainError('forbidden', 'forbidden', message),
  notFound: (message: string) => new DomainError('not_found', 'not_found', message),
  conflict: (message: string) => new DomainError('conflict', 'conflict', message),
  limited: (retryAfterSeconds: number, message: string, code = 'rate_limited') => new DomainError('limited', code, message, retryAfterSeconds),
  exhausted: (message: string) => new DomainError('exhausted', 'quota_exceeded', message),
  unavailable: (message: string, code = 'unavailable') => new DomainError('unavailable', code, message),
};
