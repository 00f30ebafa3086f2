import { describe, expect, it } from 'vitest';
import { CredentialPool } from '../../../core/ai/credential-pool.js';

describe('CredentialPool', () => {
  it('rotates keys and skips a cooled-down key until its cooldown ends', () => {
    const clock = { t: 0 };
    const pool = new CredentialPool(['a', 'b', 'c'], 100, () => clock.t);
    expect([pool.pick(), pool.pick(), pool.pick(), pool.pick()]).toEqual(['a', 'b', 'c', 'a']);
    pool.coolDown('b');
    expect([pool.pick(), pool.pick(), pool.pick()]).toEqual(['c', 'a', 'c']);
    clock.t = 100;
    expect([pool.pick(), pool.pick()]).toEqual(['a', 'b']);
  });

  it('gives nothing when every key is cooling down', () => {
    const pool = new CredentialPool(['a'], 100, () => 0);
    pool.coolDown('a');
    expect(pool.pick()).toBeUndefined();
  });
});
