// Loader of the factRuEval-2016 devset (MIT): texts and their Person mentions.
// .spans give character offsets into the .txt (verified: token texts match the .txt at those
// offsets; the texts have no CR and no astral characters, so code points equal UTF-16 units).
// A Person object lists span ids (name, surname, patronymic, nickname); its extent is the
// smallest range covering them.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The devset, checked out next to the repository. */
export const DEVSET_DIR = new URL('../../../shared/datasets/factRuEval-2016/devset', import.meta.url).pathname;

export interface FactRuEvalDoc {
  id: string;
  text: string;
  persons: Array<{ start: number; end: number }>;
}

function dataLines(file: string): string[][] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => (line.split('#')[0] ?? '').trim().split(/\s+/))
    .filter((fields) => fields.length > 1);
}

export function loadFactRuEvalPersons(dir = DEVSET_DIR): FactRuEvalDoc[] {
  const ids = readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .map((f) => f.slice(0, -4))
    .sort();
  return ids.map((id) => {
    const base = join(dir, id);
    const text = readFileSync(`${base}.txt`, 'utf8');
    const spans = new Map<string, { start: number; end: number }>();
    for (const [spanId, , start, length] of dataLines(`${base}.spans`)) {
      spans.set(spanId as string, { start: Number(start), end: Number(start) + Number(length) });
    }
    const persons: FactRuEvalDoc['persons'] = [];
    for (const [, type, ...spanIds] of dataLines(`${base}.objects`)) {
      if (type !== 'Person') continue;
      const parts = spanIds.map((s) => spans.get(s)).filter((s) => s !== undefined);
      if (parts.length === 0) continue;
      persons.push({
        start: Math.min(...parts.map((p) => p.start)),
        end: Math.max(...parts.map((p) => p.end)),
      });
    }
    persons.sort((a, b) => a.start - b.start);
    return { id, text, persons };
  });
}
