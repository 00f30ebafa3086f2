/**
 * Law search quality: for each question in plain Russian, is an article that answers it in
 * the top 5 of `POST /api/ai/search` (scope law, full text only)? Prints both halves of the
 * question set; lists misses of the tune half only. Exits 1 when the report half is below
 * the goal. Run: npm run eval:law (PostgreSQL at DATABASE_URL, default the local test server).
 */
import { importLaws } from '../../core/law/library.js';
import { search } from '../../core/search/search.js';
import { createDb, migrate } from '../../core/db/knex.js';
import { half, QUESTIONS } from './questions.js';

const GOAL = 0.8;
const SCHEMA = 'law_eval';
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const db = createDb({ database: { url, schema: SCHEMA, poolMax: 4 }, dataDir: '' });
await migrate(db, SCHEMA);
await importLaws(db);

const results = { tune: [] as boolean[], report: [] as boolean[] };
const misses: string[] = [];
for (const [i, { q, expect }] of QUESTIONS.entries()) {
  const hits = await search({ db }, { userId: '00000000-0000-0000-0000-000000000000', query: q, scope: 'law', limit: 5 });
  const found = [...new Set(hits.map((h) => (h.source.type === 'law' ? `${h.source.code} ${h.source.article}` : '')))];
  const ok = found.some((f) => expect.includes(f));
  results[half(i)].push(ok);
  if (!ok && half(i) === 'tune') misses.push(`  ${q}\n    want ${expect.join(' or ')}; got ${found.join(', ')}`);
}
const share = (xs: boolean[]) => xs.filter(Boolean).length / xs.length;
console.log(`law search, top-5 hit rate (goal ≥ ${GOAL}):`);
console.log(`  tune half   ${share(results.tune).toFixed(3)} (${results.tune.filter(Boolean).length}/${results.tune.length})`);
console.log(`  report half ${share(results.report).toFixed(3)} (${results.report.filter(Boolean).length}/${results.report.length})`);
if (misses.length) console.log(`tune-half misses:\n${misses.join('\n')}`);
await db.destroy();
process.exit(share(results.report) >= GOAL ? 0 : 1);
