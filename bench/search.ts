/**
 * Hybrid search latency at 100k document chunks (full text only, as with no embeddings
 * provider): one user owns 100k chunks of legal Russian (passages of the law library, shuffled
 * across 500 documents) beside the law library itself. Each question of bench/law/questions.ts
 * is searched with scope `all`; the baseline is the plain one-statement Postgres search
 * (websearch_to_tsquery + ts_rank) over the same rows, run in the same process.
 */
import { randomUUID } from 'node:crypto';
import { createDb, migrate } from '../core/db/knex.js';
import { importLaws } from '../core/law/library.js';
import { search } from '../core/search/search.js';
import { QUESTIONS } from './law/questions.js';

const CHUNKS = Number(process.env.BENCH_SEARCH_CHUNKS ?? 100_000);
const DOCUMENTS = 500;
const ROUNDS = 3;

const pct = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 10) / 10;
};

export async function runSearchBench(url: string) {
  const schema = `bench_search_${randomUUID().slice(0, 8)}`;
  const db = createDb({ database: { url, schema, poolMax: 4 }, dataDir: '' });
  try {
    await migrate(db, schema);
    await importLaws(db);
    const [user] = await db('users').insert({ email: `${schema}@bench.local`, password_hash: 'x' }).returning('id');
    const docs = await db('documents')
      .insert(Array.from({ length: DOCUMENTS }, (_, i) => ({ user_id: user.id, title: `Договор ${i + 1}`, filename: `d${i}.txt`, mime_type: 'text/plain', size_bytes: 1, status: 'ready' })))
      .returning('id');
    // Law passages as document text: rows spread over the documents, repeated up to CHUNKS.
    await db.raw(
      `INSERT INTO document_chunks (document_id, version, ord, text, heading, locator)
       SELECT (?::uuid[])[1 + (n % ?)], 1, n, c.text, c.heading, '{}'
       FROM (SELECT row_number() OVER () AS n, l.text, l.heading FROM law_chunks l, generate_series(1, CEIL(?::float / (SELECT count(*) FROM law_chunks))::int) LIMIT ?) c`,
      [docs.map((d: { id: string }) => d.id), DOCUMENTS, CHUNKS, CHUNKS],
    );
    await db.raw('ANALYZE');
    const questions = QUESTIONS.map((q) => q.q);
    const ours: number[] = [];
    const baseline: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const q of questions) {
        let t = performance.now();
        await search({ db }, { userId: user.id, query: q, scope: 'all', limit: 10 });
        ours.push(performance.now() - t);
        t = performance.now();
        await db.raw(
          `SELECT id FROM (
             (SELECT c.id, ts_rank(c.tsv, q) r FROM document_chunks c JOIN documents d ON d.id = c.document_id, websearch_to_tsquery('russian', ?) q
              WHERE d.user_id = ? AND d.deleted_at IS NULL AND c.tsv @@ q ORDER BY r DESC LIMIT 10)
             UNION ALL
             (SELECT l.id, ts_rank(l.tsv, q) r FROM law_chunks l, websearch_to_tsquery('russian', ?) q WHERE l.tsv @@ q ORDER BY r DESC LIMIT 10)
           ) x ORDER BY r DESC LIMIT 10`,
          [q, user.id, q],
        );
        baseline.push(performance.now() - t);
      }
    }
    const { n } = ((await db('document_chunks').count({ n: '*' })) as Array<{ n: string }>)[0]!;
    return {
      document_chunks: Number(n),
      queries: ours.length,
      search_ms: { p50: pct(ours, 50), p95: pct(ours, 95) },
      baseline_ms: { p50: pct(baseline, 50), p95: pct(baseline, 95) },
      p95_ratio: Math.round((pct(ours, 95) / pct(baseline, 95)) * 100) / 100,
    };
  } finally {
    await db.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]).catch(() => undefined);
    await db.destroy();
  }
}
