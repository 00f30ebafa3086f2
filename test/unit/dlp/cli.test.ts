import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function run(input: string, args: string[] = []) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bin/dlp-scan.ts', ...args], { cwd: ROOT, input, encoding: 'utf8' });
  return { code: r.status, lines: r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>), stderr: r.stderr };
}

describe('dlp:scan', () => {
  it('answers each JSON line with entities, masked text and pii_score', () => {
    const input = [
      JSON.stringify({ id: 'a', text: '😀 Звоните: +7 (916) 123-45-67, ИНН 7707083893' }),
      JSON.stringify({ id: 'b', text: 'ст. 15 ч. 2 Федерального закона 152-ФЗ' }),
    ].join('\n');
    const { code, lines } = run(input);
    expect(code).toBe(0);
    expect(lines[0]).toEqual({
      id: 'a',
      entities: [
        { type: 'PHONE', start: 12, end: 30, score: expect.any(Number) },
        { type: 'INN', start: 36, end: 46, score: expect.any(Number) },
      ],
      masked: '😀 Звоните: [PHONE_1], ИНН [INN_1]',
      pii_score: 1,
    });
    expect(lines[1]).toEqual({ id: 'b', entities: [], masked: 'ст. 15 ч. 2 Федерального закона 152-ФЗ', pii_score: 0 });
  });

  it('reports a bad line without any text and exits 1', () => {
    const { code, lines } = run(['not json', JSON.stringify({ id: 7, text: 42 }), JSON.stringify({ id: 8, text: 'ok' })].join('\n'));
    expect(code).toBe(1);
    expect(lines).toEqual([
      { id: null, error: { code: 'dlp_bad_input', message: 'invalid JSON' } },
      { id: 7, error: { code: 'dlp_bad_input', message: 'text must be a string' } },
      { id: 8, entities: [], masked: 'ok', pii_score: 0 },
    ]);
  });

  it('applies the partial operator', () => {
    const { lines } = run(JSON.stringify({ id: 1, text: 'карта 2200 1234 5678 9019' }), ['--operator', 'partial']);
    expect(lines[0]?.masked).toBe('карта **** **** **** 9019');
  });
});
