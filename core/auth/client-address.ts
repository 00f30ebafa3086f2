/** What rate limits count a client by. */
import net from 'node:net';

/**
 * An IPv4 address as it is; an IPv6 one by its /64, the block one subscriber is given: counted
 * per address, a client could take a fresh one for every guess or sign-up.
 */
export function clientKey(ip: string): string {
  const address = ip.split('%')[0]!; // a zone id (fe80::1%eth0) names the interface, not the host
  if (!net.isIPv6(address) || /^::ffff:/i.test(address)) return ip;
  const [head = '', tail] = address.split('::');
  const front = head ? head.split(':') : [];
  const back = tail ? tail.split(':') : [];
  const groups = tail === undefined ? front : [...front, ...Array<string>(Math.max(0, 8 - front.length - back.length)).fill('0'), ...back];
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}
