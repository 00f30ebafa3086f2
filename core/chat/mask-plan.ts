/**
 * The pure half of masking chat text, which may run on another thread (core/cpu-pool.ts): the
 * DLP engine's scan, then a strict safety net for the identifiers that must never reach
 * storage or a provider (e-mails, phones, cards, INN, SNILS). The net masks anything shaped
 * like them, even values the engine rejected (for example a card number that fails the Luhn
 * check): over-masking a number is cheap, leaking one is not.
 *
 * The result is a plan: the text cut around every value to replace, and the order in which
 * the values meet the registry. Numbering the placeholders (the registry, the stateful half)
 * stays with the caller: masking.ts applies the plan.
 */
import { DlpError, normalizeValue, scan, type PiiType } from '../dlp/index.js';

export const SAFETY_NET: Array<{ type: PiiType; pattern: RegExp }> = [
  { type: 'EMAIL', pattern: /[\p{L}\d._%+-]+@[\p{L}\d-]+(?:\.[\p{L}\d-]+)*\.\p{L}{2,}/gu },
  { type: 'SNILS', pattern: /(?<!\d)\d{3}[- ]\d{3}[- ]\d{3}[- ]\d{2}(?!\d)/g },
  { type: 'PHONE', pattern: /(?<![\d\w])(?:\+7|8)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}(?!\d)/g },
  { type: 'CARD', pattern: /(?<![\d_])(?:\d[ -]?){12,18}\d(?!\d)/g },
  { type: 'INN', pattern: /(?<![\d_])(?:\d{10}|\d{12})(?!\d)/g },
  { type: 'SNILS', pattern: /(?<![\d_])\d{11}(?!\d)/g },
];

export interface MaskPlan {
  /** The text between the values: one more piece than values. */
  pieces: string[];
  /** The values in text order: type, normalized value (the registry's key), value as written. */
  values: Array<[PiiType, string, string]>;
  /** Indexes into `values` in the order they meet the registry: the engine's finds, then each net's. */
  order: number[];
  byType: Record<string, number>;
  /** Time the plan took to work out. */
  seconds: number;
}

interface Hole {
  type: PiiType;
  value: string;
  /** When it meets the registry. */
  call: number;
}

export function planChatMask(text: string): MaskPlan {
  const t0 = performance.now();
  const { entities } = scan(text);
  const byType: Record<string, number> = {};
  let pieces: string[] = [];
  let holes: Hole[] = [];
  let pos = 0;
  for (const e of entities) {
    pieces.push(text.slice(pos, e.start));
    holes.push({ type: e.type, value: text.slice(e.start, e.end), call: holes.length });
    pos = e.end;
    byType[e.type] = (byType[e.type] ?? 0) + 1;
  }
  pieces.push(text.slice(pos));
  let calls = holes.length;
  for (const { type, pattern } of SAFETY_NET) {
    // The net reads the text masked so far. Any `[TYPE_N]` reads alike to it (no pattern takes
    // a bracket, and none crosses one), so the call number stands in for the registry's N.
    const starts: number[] = [];
    let masked = '';
    pieces.forEach((piece, i) => {
      starts.push(masked.length);
      masked += piece;
      const hole = holes[i];
      if (hole) masked += `[${hole.type}_${hole.call + 1}]`;
    });
    const nextPieces: string[] = [];
    const nextHoles: Hole[] = [];
    let at = 0; // the piece being cut
    let cut = 0; // where its uncut rest starts in `masked`
    const passPiece = () => {
      nextPieces.push(masked.slice(cut, starts[at]! + pieces[at]!.length));
      nextHoles.push(holes[at]!);
      at++;
      cut = starts[at]!;
    };
    for (const m of masked.matchAll(pattern)) {
      const end = m.index + m[0].length;
      while (at < holes.length && m.index >= starts[at + 1]!) passPiece();
      if (m.index < starts[at]! || end > starts[at]! + pieces[at]!.length) throw new DlpError('dlp_failed', 'the safety net matched across a placeholder');
      nextPieces.push(masked.slice(cut, m.index));
      nextHoles.push({ type, value: m[0], call: calls++ });
      cut = end;
      byType[type] = (byType[type] ?? 0) + 1;
    }
    while (at < holes.length) passPiece();
    nextPieces.push(masked.slice(cut));
    pieces = nextPieces;
    holes = nextHoles;
  }
  const order = new Array<number>(holes.length);
  holes.forEach((h, i) => (order[h.call] = i));
  return {
    pieces,
    values: holes.map((h) => [h.type, normalizeValue(h.type, h.value), h.value]),
    order,
    byType,
    seconds: (performance.now() - t0) / 1000,
  };
}
