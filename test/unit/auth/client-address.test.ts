import { describe, expect, it } from 'vitest';
import { clientKey } from '../../../core/auth/client-address.js';

describe('clientKey', () => {
  it('keeps an IPv4 address, and takes it out of IPv6 that carries it (mapped, NAT64)', () => {
    expect(clientKey('203.0.113.9')).toBe('203.0.113.9');
    for (const ip of ['::ffff:203.0.113.9', '0:0:0:0:0:ffff:203.0.113.9', '::ffff:cb00:7109', '64:ff9b::203.0.113.9']) expect(clientKey(ip), ip).toBe('203.0.113.9');
    expect(clientKey('64:ff9b::198.51.100.9')).toBe('198.51.100.9');
  });

  it('counts an IPv6 address by its /64, however it is written', () => {
    const key = '2001:db8:5:6::/64';
    for (const ip of ['2001:db8:5:6::1', '2001:0DB8:0005:0006:ffff:1:2:3', '2001:db8:5:6:0:0:0:9', '2001:db8:5:6::1%eth0', '2001:db8:5:6::1.2.3.4']) {
      expect(clientKey(ip), ip).toBe(key);
    }
    expect(clientKey('2001:db8:5:7::1')).not.toBe(key);
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    // A dotted quad is two groups: written short or in full, the same /64.
    expect(clientKey('2001:db8::5:6:7:1.2.3.4')).toBe(clientKey('2001:db8:0:5:6:7:102:304'));
    expect(clientKey('2001:db8::5:6:7:1.2.3.4')).toBe('2001:db8:0:5::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('::')).toBe('0:0:0:0::/64');
  });
});
