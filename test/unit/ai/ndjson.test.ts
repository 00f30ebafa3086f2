import { describe, expect, it } from 'vitest';
import { ndjson } from '../../../core/ai/ndjson.js';

async function* chunks(parts: Uint8Array[]) {
  for (const p of parts) yield p;
}

async function collect(parts: Uint8Array[]) {
  const out: unknown[] = [];
  for await (const v of ndjson(chunks(parts))) out.push(v);
  return out;
}

describe('ndjson', () => {
  const lines = [{ text: 'Статья 81' }, { text: 'Статья 81 ТК РФ 😀' }];
  const bytes = new TextEncoder().encode(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');

  it('parses lines split at every possible byte, including inside multi-byte characters', async () => {
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await collect([bytes.slice(0, cut), bytes.slice(cut)])).toEqual(lines);
    }
  });

  it('parses byte-by-byte input and a last line without a newline', async () => {
    const noTrailing = bytes.slice(0, bytes.length - 1);
    expect(await collect(Array.from(noTrailing, (b) => new Uint8Array([b])))).toEqual(lines);
  });
});
