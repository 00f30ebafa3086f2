import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../../core/ai/circuit-breaker.js';

function breaker() {
  const clock = { t: 0 };
  return { clock, cb: new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000 }, () => clock.t) };
}

/** `n` calls that each fail. */
function fail(cb: CircuitBreaker, n: number) {
  for (let i = 0; i < n; i++) cb.onFailure(cb.tryAcquire()!);
}

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures and refuses calls until the cooldown', () => {
    const { cb, clock } = breaker();
    fail(cb, 2);
    expect(cb.state).toBe('closed');
    fail(cb, 1);
    expect(cb.state).toBe('open');
    expect(cb.tryAcquire()).toBeUndefined();
    clock.t = 999;
    expect(cb.tryAcquire()).toBeUndefined();
  });

  it('a success resets the count of consecutive failures', () => {
    const { cb } = breaker();
    fail(cb, 2);
    cb.onSuccess(cb.tryAcquire()!);
    fail(cb, 2);
    expect(cb.state).toBe('closed');
  });

  it('half-open lets exactly one probe through; success closes it', () => {
    const { cb, clock } = breaker();
    fail(cb, 3);
    clock.t = 1000;
    expect(cb.state).toBe('half-open');
    const probe = cb.tryAcquire();
    expect(probe).toEqual({ probe: true });
    expect(cb.tryAcquire()).toBeUndefined();
    cb.onSuccess(probe!);
    expect(cb.state).toBe('closed');
    expect(cb.tryAcquire()).toEqual({ probe: false });
  });

  it('a failed probe opens the circuit for another cooldown', () => {
    const { cb, clock } = breaker();
    fail(cb, 3);
    clock.t = 1000;
    cb.onFailure(cb.tryAcquire()!);
    expect(cb.state).toBe('open');
    clock.t = 1999;
    expect(cb.tryAcquire()).toBeUndefined();
    clock.t = 2000;
    expect(cb.tryAcquire()).toEqual({ probe: true });
  });

  it('a probe released without a verdict lets the next caller probe', () => {
    const { cb, clock } = breaker();
    fail(cb, 3);
    clock.t = 1000;
    cb.release(cb.tryAcquire()!);
    expect(cb.tryAcquire()).toEqual({ probe: true });
  });

  it('a call let through before the circuit opened, ending while another probes, does not let a second probe in', () => {
    const { cb, clock } = breaker();
    const early = cb.tryAcquire()!; // a long stream, started while all was well
    fail(cb, 3);
    clock.t = 1000;
    const probe = cb.tryAcquire();
    expect(probe).toEqual({ probe: true });
    cb.release(early); // its caller aborted it
    expect(cb.tryAcquire()).toBeUndefined();
    cb.onSuccess(probe!);
    expect(cb.tryAcquire()).toEqual({ probe: false });
  });
});
