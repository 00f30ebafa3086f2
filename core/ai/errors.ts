/** Stable error codes an AI call can end with; `ai_unavailable` when no provider could answer. */
export type ProviderErrorCode =
  | 'rate_limited'
  | 'overloaded'
  | 'timeout'
  | 'upstream_error'
  | 'network_error'
  | 'bad_request'
  | 'auth_failed'
  | 'aborted';

export interface ProviderErrorInit {
  code: ProviderErrorCode;
  retryable: boolean;
  provider?: string;
  status?: number;
  /** Seconds-free form of the upstream's retry-after, when it sent one. */
  retryAfterMs?: number;
  /** True when the failure happened after text had already been streamed to the caller. */
  midStream?: boolean;
  cause?: unknown;
}

/** A failure of one provider call. `retryable` says whether trying again (here or elsewhere) can help. */
export class ProviderError extends Error {
  readonly code: ProviderErrorCode;
  readonly retryable: boolean;
  readonly provider: string | undefined;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly midStream: boolean;

  constructor(message: string, init: ProviderErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ProviderError';
    this.code = init.code;
    this.retryable = init.retryable;
    this.provider = init.provider;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.midStream = init.midStream ?? false;
  }

  /** Same error, attributed to a provider and/or marked as happening mid-stream. */
  with(extra: { provider?: string; midStream?: boolean }): ProviderError {
    return new ProviderError(this.message, {
      code: this.code,
      retryable: this.retryable,
      provider: extra.provider ?? this.provider,
      status: this.status,
      retryAfterMs: this.retryAfterMs,
      midStream: extra.midStream ?? this.midStream,
      cause: this.cause,
    });
  }
}

export interface ProviderFailure {
  provider: string;
  code: ProviderErrorCode | 'circuit_open' | 'no_credential';
  status?: number;
}

/** Every provider in the routing order failed (or was skipped) before producing a token. */
export class AllProvidersFailedError extends Error {
  readonly code = 'ai_unavailable' as const;
  readonly retryable = true;

  constructor(readonly failures: ProviderFailure[]) {
    super(
      `No AI provider could answer: ${failures.map((f) => `${f.provider}=${f.code}`).join(', ') || 'none configured'}`,
    );
    this.name = 'AllProvidersFailedError';
  }
}
