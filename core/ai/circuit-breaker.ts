export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitOptions {
  failureThreshold: number;
  cooldownMs: number;
}

/**
 * Per-provider breaker: closed -> open after `failureThreshold` consecutive failures ->
 * half-open once `cooldownMs` passed, letting a single probe through -> closed on its success,
 * open again on its failure. Every successful `tryAcquire()` must end in exactly one of
 * `onSuccess()`, `onFailure()` or `release()` (the call ended without saying anything about health).
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private current: CircuitState = 'closed';

  constructor(
    private readonly opts: CircuitOptions,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): CircuitState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.opts.cooldownMs) return 'half-open';
    return this.current;
  }

  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.probing) return false;
    this.current = 'half-open';
    this.probing = true;
    return true;
  }

  onSuccess(): void {
    this.failures = 0;
    this.probing = false;
    this.current = 'closed';
  }

  onFailure(): void {
    this.failures += 1;
    if (this.current === 'half-open' || this.failures >= this.opts.failureThreshold) {
      this.current = 'open';
      this.openedAt = this.now();
    }
    this.probing = false;
  }

  release(): void {
    this.probing = false;
  }
}
