/** What rate limits count a client by. */
import net from 'node:net';

/** The eight 16-bit groups of a valid IPv6 address (a trailing dotted quad is two of them). */
function groupsOf(address: string): number[] {
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  const text = quad
    ? `${address.slice(0, quad.index)}${((+quad[1]! << 8) | +quad[2]!).toString(16)}:${((+quad[3]! << 8) | +quad[4]!).toString(16)}`
    : address;
  const [head = '', tail] = text.split('::');
  const front = head ? head.split(':') : [];
  const back = tail ? tail.split(':') : [];
  const groups = tail === undefined ? front : [...front, ...Array<string>(8 - front.length - back.length).fill('0'), ...back];
  return groups.map((g) => parseInt(g, 16));
}

/** IPv4 carried in IPv6: mapped (::ffff:0:0/96) and NAT64 (64:ff9b::/96), each its own client. */
const CARRIES_IPV4 = [[0, 0, 0, 0, 0, 0xffff], [0x64, 0xff9b, 0, 0, 0, 0]];

/**
 * An IPv4 address as it is; an IPv6 one by its /64, the block one subscriber is given: counted
 * per address, a client could take a fresh one for every guess or sign-up. IPv4 carried in
 * IPv6 (mapped, NAT64) counts as that IPv4 address, not as the translator's /64.
 */
export function clientKey(ip: string): string {
  const address = ip.split('%')[0]!; // a zone id (fe80::1%eth0) names the interface, not the host
  if (!net.isIPv6(address)) return ip;
  const groups = groupsOf(address);
  if (CARRIES_IPV4.some((prefix) => prefix.every((g, i) => groups[i] === g))) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}
