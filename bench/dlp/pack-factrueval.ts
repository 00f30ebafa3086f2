/**
 * Packs the factRuEval-2016 devset (MIT) into bench/dlp/data/factrueval-devset.json.gz: per
 * document its id, text and Person extents. Run once from a checkout that has the dataset
 * next to it: `npx tsx bench/dlp/pack-factrueval.ts [devset dir]`.
 *
 * `.spans` give character offsets into the `.txt` (the texts have no CR and no astral
 * characters, so code points equal UTF-16 units). A Person object lists span ids (name,
 * surname, patronymic, nickname); its extent is the smallest range covering them.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PACKED_DEVSET, type FactRuEvalDoc } from './factrueval.js';

const dir = process.argv[2] ?? new URL('../../../shared/datasets/factRuEval-2016/devset', import.meta.url).pathname;

function dataLines(file: string): string[][] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => (line.split('#')[0] ?? '').trim().split(/\s+/))
    .filter((fields) => fields.length > 1);
}

const docs: FactRuEvalDoc[] = readdirSync(dir)
  .filter((f) => f.endsWith('.txt'))
  .map((f) => f.slice(0, -4))
  .sort()
  .map((id) => {
    const base = join(dir, id);
    const spans = new Map<string, { start: number; end: number }>();
    for (const [spanId, , start, length] of dataLines(`${base}.spans`)) {
      spans.set(spanId as string, { start: Number(start), end: Number(start) + Number(length) });
    }
    const persons: FactRuEvalDoc['persons'] = [];
    for (const [, type, ...spanIds] of dataLines(`${base}.objects`)) {
      if (type !== 'Person') continue;
      const parts = spanIds.map((s) => spans.get(s)).filter((s) => s !== undefined);
      if (parts.length === 0) continue;
      persons.push({ start: Math.min(...parts.map((p) => p.start)), end: Math.max(...parts.map((p) => p.end)) });
    }
    persons.sort((a, b) => a.start - b.start);
    return { id, text: readFileSync(`${base}.txt`, 'utf8'), persons };
  });

writeFileSync(PACKED_DEVSET, gzipSync(JSON.stringify(docs), { level: 9 }));
console.log(`${docs.length} documents, ${docs.reduce((n, d) => n + d.persons.length, 0)} persons -> ${PACKED_DEVSET}`);
