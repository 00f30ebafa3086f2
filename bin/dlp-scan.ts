/**
 * npm run --silent dlp:scan [-- --operator replace|partial|hash] < in.jsonl > out.jsonl
 *
 * Reads JSON lines {id, text}; writes one JSON line per input: {id, entities:[{type, start, end,
 * score}], masked, pii_score} (offsets in UTF-16 code units). Each line is its own scope for
 * placeholders. A line that cannot be processed gets {id, error: {code, message}} and no text at
 * all (fail closed); the exit code is then 1. The hash operator takes its key from DLP_HASH_KEY.
 */
import { createInterface } from 'node:readline';
import { DlpError, mask, type MaskOperator } from '../core/dlp/index.js';

const OPERATORS: readonly MaskOperator[] = ['replace', 'partial', 'hash'];

function parseOperator(argv: string[]): MaskOperator {
  const i = argv.indexOf('--operator');
  const value = i >= 0 ? argv[i + 1] : 'replace';
  if (!OPERATORS.includes(value as MaskOperator)) {
    console.error(`dlp:scan: --operator must be one of ${OPERATORS.join(', ')}`);
    process.exit(2);
  }
  return value as MaskOperator;
}

function processLine(line: string, operator: MaskOperator): { out: object; ok: boolean } {
  let id: unknown = null;
  try {
    const input: unknown = JSON.parse(line);
    if (typeof input !== 'object' || input === null) throw new DlpError('dlp_bad_input', 'each line must be a JSON object {id, text}');
    id = (input as { id?: unknown }).id ?? null;
    const text = (input as { text?: unknown }).text;
    if (typeof text !== 'string') throw new DlpError('dlp_bad_input', 'text must be a string');
    const r = mask(text, { operator, hashKey: process.env.DLP_HASH_KEY || undefined });
    return { out: { id, entities: r.entities, masked: r.masked, pii_score: r.pii_score }, ok: true };
  } catch (err) {
    const code = err instanceof DlpError ? err.code : err instanceof SyntaxError ? 'dlp_bad_input' : 'dlp_failed';
    const message = err instanceof DlpError ? err.message : err instanceof SyntaxError ? 'invalid JSON' : 'scan failed';
    return { out: { id, error: { code, message } }, ok: false };
  }
}

async function main(): Promise<void> {
  const operator = parseOperator(process.argv.slice(2));
  let failed = false;
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const { out, ok } = processLine(line, operator);
    failed ||= !ok;
    if (!process.stdout.write(JSON.stringify(out) + '\n')) await new Promise((resolve) => process.stdout.once('drain', resolve));
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
