import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../../core/ai/circuit-breaker.js';

function breaker() {
  const clock = { t: 0 };
  return { clock, cb: new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000 }, () => clock.t) };
}

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures and refuses calls until the cooldown', () => {
    const { cb, clock } = breaker();
    for (let i = 0; i < 2; i++) {
      expect(cb.tryAcquire()).toBe(true);
      cb.onFailure();
    }
    expect(cb.state).toBe('closed');
    cb.tryAcquire();
    cb.onFailure();
    expect(cb.state).toBe('open');
    expect(cb.tryAcquire()).toBe(false);
    clock.t = 999;
    expect(cb.tryAcquire()).toBe(false);
  });

  it('a success resets the count of consecutive failures', () => {
    const { cb } = breaker();
    cb.onFailure();
    cb.onFailure();
    cb.onSuccess();
    cb.onFailure();
    cb.onFailure();
    expect(cb.state).toBe('closed');
  });

  it('half-open lets exactly one probe through; success closes it', () => {
    const { cb, clock } = breaker();
    for (let i = 0; i < 3; i++) cb.onFailure();
    clock.t = 1000;
    expect(cb.state).toBe('half-open');
    expect(cb.tryAcquire()).toBe(true);
    expect(cb.tryAcquire()).toBe(false);
    cb.onSuccess();
    expect(cb.state).toBe('closed');
    expect(cb.tryAcquire()).toBe(true);
  });

  it('a failed probe opens the circuit for another cooldown', () => {
    const { cb, clock } = breaker();
    for (let i = 0; i < 3; i++) cb.onFailure();
    clock.t = 1000;
    expect(cb.tryAcquire()).toBe(true);
    cb.onFailure();
    expect(cb.state).toBe('open');
    clock.t = 1999;
    expect(cb.tryAcquire()).toBe(false);
    clock.t = 2000;
    expect(cb.tryAcquire()).toBe(true);
  });

  it('a probe released without a verdict lets the next caller probe', () => {
    const { cb, clock } = breaker();
    for (let i = 0; i < 3; i++) cb.onFailure();
    clock.t = 1000;
    expect(cb.tryAcquire()).toBe(true);
    cb.release();
    expect(cb.tryAcquire()).toBe(true);
  });
});
