/**
 * A large document through the running service: masked and chunked on the CPU pool's threads
 * (core/cpu-pool.ts), stored exactly as masking and chunking on one thread would store it.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- bodies are whatever the server sent */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateCorpus } from '../../../bench/dlp/corpus.js';
import { INLINE_CHARS, maskChatText } from '../../../core/chat/masking.js';
import { PlaceholderRegistry } from '../../../core/dlp/index.js';
import { chunkParagraphs } from '../../../core/documents/chunk.js';
import { upload } from '../../helpers/documents.js';
import { registerUser, request } from '../../helpers/http.js';
import { settledDocument } from '../../helpers/ingest.js';
import { setPlanLimits } from '../../helpers/plans.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { TEST_DATABASE_URL } from '../../helpers/services.js';

let rt: TestRuntime;
let db: pg.Client;

beforeAll(async () => {
  rt = await startTestRuntime('doclarge');
  await setPlanLimits('free', { documents_per_month: 100_000, storage_mb: 100_000 });
  db = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await rt?.close();
});

/** About 1 MB of the DLP corpus, one paragraph a line, spaces already as extraction leaves them. */
function corpusLines(): string[] {
  const lines: string[] = [];
  let size = 0;
  for (const doc of generateCorpus(11, 200)) {
    for (const line of doc.text.split('\n')) {
      const clean = line.replace(/\s+/g, ' ').trim();
      if (!clean) continue;
      lines.push(clean);
      size += clean.length;
    }
    if (size > 1_000_000) break;
  }
  return lines;
}

it('stores a 1 MB text masked and chunked as on one thread', async () => {
  const lines = corpusLines();
  expect(lines.join('').length).toBeGreaterThan(100 * INLINE_CHARS);
  const owner = await registerUser(rt.url, 'owner');
  const res = await upload(rt.url, '/api/documents', owner.token, { name: 'corpus.txt', data: Buffer.from(lines.join('\n')) });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const doc = await settledDocument(rt.url, owner.token, res.body.document.id);
  expect(doc, JSON.stringify(doc.error)).toMatchObject({ status: 'ready' });

  // The file and title names hold no personal data: the document's registry starts empty.
  const registry = new PlaceholderRegistry();
  const masked = lines.map((line) => maskChatText(line, registry));
  const text = await request(rt.url, 'GET', `/api/documents/${doc.id}/text`, { token: owner.token });
  expect(text.body.text).toBe(masked.map((m) => m.masked).join('\n\n'));
  expect(doc.pii.count).toBe(masked.reduce((n, m) => n + m.count, 0));

  const chunks = await db.query(`SELECT text FROM "${rt.t.schema}".document_chunks WHERE document_id = $1 ORDER BY ord`, [doc.id]);
  expect(chunks.rows.map((r: any) => r.text)).toEqual(chunkParagraphs(masked.map((m) => ({ text: m.masked }))).map((c) => c.text));
}, 120_000);
