/** IPv4 and IPv6 addresses. Quantifiers are bounded, so each start position costs O(1). */
import { nearestKind } from '../context.js';
import type { DetectedEntity } from '../types.js';

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\d.])(?:${OCTET}\\.){3}${OCTET}(?!\\d|\\.\\d)`, 'g');
const H = '[0-9A-Fa-f]{1,4}';
const IPV6 = new RegExp(`(?<![\\w:])(?:(?:${H}:){7}${H}|(?:${H}:){1,6}:(?:${H}:){0,5}${H}|(?:${H}:){1,7}:|::(?:${H}:){0,6}${H})(?![\\w:])`, 'g');

const HEX_COLON = /[0-9A-Fa-f]:[0-9A-Fa-f:]/;

export function detectIps(text: string, lower: string): DetectedEntity[] {
  const out: DetectedEntity[] = [];
  for (const m of text.matchAll(IPV4)) {
    const kind = nearestKind(lower, m.index, 30);
    // "п. 1.2.3.4", "ст. 10.1.2.3": legal numbering, not an address.
    if (kind === 'other') continue;
    out.push({ type: 'IP_ADDRESS', start: m.index, end: m.index + m[0].length, score: kind === 'ip' ? 0.97 : 0.85 });
  }
  // Cheap pre-check: most texts have no hex-colon-hex at all.
  if (!HEX_COLON.test(text)) return out;
  for (const m of text.matchAll(IPV6)) {
    out.push({ type: 'IP_ADDRESS', start: m.index, end: m.index + m[0].length, score: 0.9 });
  }
  return out;
}
