/** E-mail addresses, found by expanding around each '@' within RFC length limits (linear time). */
import { isLetterCode } from '../context.js';
import type { DetectedEntity } from '../types.js';

const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;

function isLetterOrDigit(c: string): boolean {
  const code = c.charCodeAt(0);
  return (code >= 48 && code <= 57) || isLetterCode(code);
}

function isLocalChar(c: string | undefined): boolean {
  return c !== undefined && (isLetterOrDigit(c) || "._%+-!#$&'*/=?^`{|}~".includes(c));
}

function isDomainChar(c: string | undefined): boolean {
  return c !== undefined && (isLetterOrDigit(c) || c === '-' || c === '.');
}

export function detectEmails(text: string): DetectedEntity[] {
  const out: DetectedEntity[] = [];
  let from = 0;
  for (;;) {
    const at = text.indexOf('@', from);
    if (at < 0) break;
    from = at + 1;
    let l = at;
    while (l > 0 && at - l < MAX_LOCAL && isLocalChar(text[l - 1])) l--;
    while (l < at && text[l] === '.') l++;
    if (l === at) continue;
    let r = at + 1;
    while (r < text.length && r - at <= MAX_DOMAIN && isDomainChar(text[r])) r++;
    while (r > at + 1 && (text[r - 1] === '.' || text[r - 1] === '-')) r--;
    let dot = r - 1;
    while (dot > at && text[dot] !== '.') dot--;
    if (dot <= at + 1 || r - dot < 3) continue;
    const tld = text.slice(dot + 1, r);
    if (/[0-9]/.test(tld)) continue;
    out.push({ type: 'EMAIL', start: l, end: r, score: 0.99 });
    from = r;
  }
  return out;
}
