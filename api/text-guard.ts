/**
 * Text that no store or worker can hold is refused at the edge, before anything is written or
 * queued: a NUL character (PostgreSQL text cannot contain it), a lone UTF-16 surrogate (not
 * text at all: it would be replaced or rejected further down), or JSON nested deeper than any
 * request of ours needs (validators recurse). The walk is iterative and bounded.
 */
const MAX_DEPTH = 32;

export interface BadText {
  path: string;
  message: string;
}

const badString = (s: string): string | undefined => {
  if (s.includes('\u0000')) return 'must not contain a NUL character';
  if (!s.isWellFormed()) return 'must be well-formed Unicode (no lone surrogates)';
  return undefined;
};

/** The first unacceptable string (value or key) in `value`, or undefined when all is well. */
export function findBadText(value: unknown, root: string): BadText | undefined {
  const stack: Array<{ v: unknown; path: string; depth: number }> = [{ v: value, path: root, depth: 0 }];
  while (stack.length) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      const message = badString(v);
      if (message) return { path, message };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_DEPTH) return { path, message: `must not be nested more than ${MAX_DEPTH} levels deep` };
    for (const [key, child] of Object.entries(v)) {
      const message = badString(key);
      if (message) return { path: `${path}.${key.replace(/[^\x20-\x7e]/g, '?')}`, message: `a key ${message}` };
      stack.push({ v: child, path: `${path}.${key}`, depth: depth + 1 });
    }
  }
  return undefined;
}
