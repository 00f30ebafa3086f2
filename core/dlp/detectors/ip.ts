/** IPv4 and IPv6 addresses. Quantifiers are bounded, so each start position costs O(1). */
import { nearestKind } from '../context.js';
import type { DetectedEntity } from '../types.js';

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\d.])(?:${OCTET}\\.){3}${OCTET}(?!\\d|\\.\\d)`, 'g');
const H = '[0-9A-Fa-f]{1,4}';
const IPV6 = new RegExp(`(?<![\\w:])(?:(?:${H}:){7}${H}|(?:${H}:){1,6}:(?:${H}:){0,5}${H}|(?:${H}:){1,7}:|::(?:${H}:){0,6}${H})(?![\\w:])`, 'g');

function isHex(code: number): boolean {
  return (code >= 48 && code <= 57) || ((code | 32) >= 97 && (code | 32) <= 102);
}

/** Cheap pre-check for IPv6: a hex digit, a colon, then a hex digit or a colon. */
function hasHexColon(text: string): boolean {
  for (let i = text.indexOf(':', 1); i >= 0; i = text.indexOf(':', i + 1)) {
    const next = text.charCodeAt(i + 1);
    if (isHex(text.charCodeAt(i - 1)) && (isHex(next) || next === 58)) return true;
  }
  return false;
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
  // Most texts have no hex-colon-hex at all.
  if (!hasHexColon(text)) return out;
  IPV6.lastIndex = 0;
  for (let m = IPV6.exec(text); m !== null; m = IPV6.exec(text)) {
    out.push({ type: 'IP_ADDRESS', start: m.index, end: m.index + m[0].length, score: 0.9 });
  }
  return out;
}
