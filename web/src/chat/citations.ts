/** Where a citation of an answer leads: the law library's article, or the cited document. */
import type { Citation } from './types';

export function citationHref(c: Citation): string {
  const s = c.source;
  return s.type === 'law' ? `/law/${encodeURIComponent(s.code)}/${encodeURIComponent(s.article)}` : `/documents/${encodeURIComponent(s.id)}`;
}
