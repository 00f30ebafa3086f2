export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitOptions {
  failureThreshold: number;
  cooldownMs: number;
}

/** A call let through; `probe` when it is the half-open circuit's single probe. */
export interface Permit {
  readonly probe: boolean;
}

/**
 * Per-provider breaker: closed -> open after `failureThreshold` consecutive failures ->
 * half-open once `cooldownMs` passed, letting a single probe through -> closed on its success,
 * open again on its failure. Every permit of `tryAcquire()` must end in exactly one of
 * `onSuccess()`, `onFailure()` or `release()` (the call ended without saying anything about
 * health). Only the probe's own end frees the probe: a call let through while the circuit was
 * closed may end while another call probes.
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

  tryAcquire(): Permit | undefined {
    const state = this.state;
    if (state === 'closed') return { probe: false };
    if (state === 'open' || this.probing) return undefined;
    this.current = 'half-open';
    this.probing = true;
    return { probe: true };
  }

  onSuccess(permit: Permit): void {
    this.failures = 0;
    this.current = 'closed';
    this.release(permit);
  }

  onFailure(permit: Permit): void {
    this.failures += 1;
    if (this.current === 'half-open' || this.failures >= this.opts.failureThreshold) {
      this.current = 'open';
      this.openedAt = this.now();
    }
    this.release(permit);
  }

  release(permit: Permit): void {
    if (permit.probe) this.probing = false;
  }
}
