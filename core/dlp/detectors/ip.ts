/** IPv4 and IPv6 addresses. Quantifiers are bounded, so each start position costs O(1). */
import { nearestKind } from '../context.js';
import type { DetectedEntity } from '../types.js';

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\d.])(?:${OCTET}\\.){3}${OCTET}(?!\\d|\\.\\d)`, 'g');
const H = '[0-9A-Fa-f]{1,4}';
/** A whole run of word characters and colons (see detectIpv6). */
const IPV6 = new RegExp(`^(?:(?:${H}:){7}${H}|(?:${H}:){1,6}:(?:${H}:){0,5}${H}|(?:${H}:){1,7}:|::(?:${H}:){0,6}${H})$`);
/** Longest IPv6 address in characters: eight groups of four and seven colons. */
const MAX_IPV6 = 39;

/** ASCII word characters (as \w) and the colon. */
function isWordOrColon(code: number): boolean {
  return (code >= 48 && code <= 58) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

/**
 * An IPv6 address is neither preceded nor followed by a word character or a colon, so it is a whole
 * maximal run of them: each run holding a colon is tested once (linear, no scan of every position).
 */
function detectIpv6(text: string, out: DetectedEntity[]): void {
  let end = 0;
  for (let i = text.indexOf(':'); i >= 0; i = text.indexOf(':', end)) {
    let start = i;
    while (start > end && isWordOrColon(text.charCodeAt(start - 1))) start--;
    end = i + 1;
    while (end < text.length && isWordOrColon(text.charCodeAt(end))) end++;
    if (end - start <= MAX_IPV6 && IPV6.test(text.slice(start, end))) out.push({ type: 'IP_ADDRESS', start, end, score: 0.9 });
  }
}

export function detectIps(text: string, lower: string): DetectedEntity[] {
  const out: DetectedEntity[] = [];
  IPV4.lastIndex = 0;
  for (let m = IPV4.exec(text); m !== null; m = IPV4.exec(text)) {
    const kind = nearestKind(lower, m.index, 30);
    // "п. 1.2.3.4", "ст. 10.1.2.3": legal numbering, not an address.
    if (kind === 'other') continue;
    out.push({ type: 'IP_ADDRESS', start: m.index, end: m.index + m[0].length, score: kind === 'ip' ? 0.97 : 0.85 });
  }
  detectIpv6(text, out);
  return out;
}
