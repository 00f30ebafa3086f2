/**
 * Where the masker replaced what: `maskChatText` gives back only the masked string, so the
 * replaced spans are recovered by aligning it with the original. The masked text is the
 * original with some non-empty spans replaced by `[TYPE_N]`; the literal text between the
 * placeholders is found again in the original, in order (backtracking when a literal occurs
 * more than once). No consistent alignment throws: the caller fails closed.
 */
const PLACEHOLDER = /\[[A-Z][A-Z_]*_\d+(?:\.\d+)?\]/g;

export interface Replacement {
  start: number;
  end: number;
  placeholder: string;
}

export class AlignmentError extends Error {
  override name = 'AlignmentError';
}

export function replacedSpans(original: string, masked: string): Replacement[] {
  if (original === masked) return [];
  const literals: string[] = [];
  const placeholders: string[] = [];
  let pos = 0;
  for (const m of masked.matchAll(PLACEHOLDER)) {
    literals.push(masked.slice(pos, m.index));
    placeholders.push(m[0]);
    pos = m.index + m[0].length;
  }
  literals.push(masked.slice(pos));
  if (!original.startsWith(literals[0]!)) throw new AlignmentError('the masked text does not start like the original');

  const spans: Replacement[] = [];
  // Literal i+1 starts after placeholder i's value, which is at least one character long.
  const place = (i: number, from: number): boolean => {
    if (i === placeholders.length) return from === original.length;
    const next = literals[i + 1]!;
    if (i + 1 === placeholders.length) {
      // The last literal ends the text: its place is fixed.
      const at = original.length - next.length;
      if (at <= from || !original.endsWith(next)) return false;
      spans.push({ start: from, end: at, placeholder: placeholders[i]! });
      return true;
    }
    for (let at = original.indexOf(next, from + 1); at > from; at = at < original.length ? original.indexOf(next, at + 1) : -1) {
      spans.push({ start: from, end: at, placeholder: placeholders[i]! });
      if (place(i + 1, at + next.length)) return true;
      spans.pop();
    }
    return false;
  };
  if (!place(0, literals[0]!.length)) throw new AlignmentError('the masked text does not align with the original');
  return spans;
}
