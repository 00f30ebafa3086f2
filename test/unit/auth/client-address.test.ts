import { describe, expect, it } from 'vitest';
import { clientKey } from '../../../core/auth/client-address.js';

describe('clientKey', () => {
  it('keeps an IPv4 address, mapped or not', () => {
    expect(clientKey('203.0.113.9')).toBe('203.0.113.9');
    expect(clientKey('::ffff:203.0.113.9')).toBe('::ffff:203.0.113.9');
  });

  it('counts an IPv6 address by its /64, however it is written', () => {
    const key = '2001:db8:5:6::/64';
    for (const ip of ['2001:db8:5:6::1', '2001:0DB8:0005:0006:ffff:1:2:3', '2001:db8:5:6:0:0:0:9', '2001:db8:5:6::1%eth0']) {
      expect(clientKey(ip), ip).toBe(key);
    }
    expect(clientKey('2001:db8:5:7::1')).not.toBe(key);
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
  });
});
