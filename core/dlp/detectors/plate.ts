/** Russian vehicle plates (А123ВС77, А 123 ВС 777 RUS), Cyrillic letters or their Latin look-alikes. */
import { hasContextKind } from '../context.js';
import type { DetectedEntity } from '../types.js';

const L = '[авекмнорстухabekmhopctyx]';
/** Matched on the lowercased text (fast, no i/u flags); the case is checked on the original. */
const PLATE = new RegExp(`(?<![а-яёa-z\\d])${L} ?(?!000)\\d{3} ?${L}{2}(?: ?(\\d{2,3})(?: ?rus)?)?(?![а-яёa-z\\d])`, 'g');

export function detectPlates(text: string, lower: string): DetectedEntity[] {
  const out: DetectedEntity[] = [];
  PLATE.lastIndex = 0;
  for (let m = PLATE.exec(lower); m !== null; m = PLATE.exec(lower)) {
    const value = text.slice(m.index, m.index + m[0].length);
    // Without a region, or in lowercase (ordinary words look alike), a plate needs a context word.
    const needsContext = m[1] === undefined || value !== value.toUpperCase();
    const hasContext = hasContextKind(lower, m.index, 'plate');
    if (needsContext && !hasContext) continue;
    out.push({ type: 'VEHICLE_PLATE', start: m.index, end: m.index + value.length, score: hasContext ? 0.95 : 0.85 });
  }
  return out;
}
