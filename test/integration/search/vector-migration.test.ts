/**
 * The vector columns: on this machine's PostgreSQL (pgvector built by
 * deploy/install-pgvector.sh) and on PGlite with its vector extension, chunks get a
 * 256-dimensional `embedding` with an HNSW cosine index; on a database without the extension
 * the migration changes nothing and everything vector-shaped is a quiet no-op.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import knexFactory from 'knex';
import ClientPgLite from 'knex-pglite';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbedder } from '../../../core/ai/embeddings.js';
import { loadConfig } from '../../../core/config.js';
import { createDb, migrate, type Db } from '../../../core/db/knex.js';
import { createLogger } from '../../../core/log.js';
import { embedChunks, embedPendingLawChunks, logSearchMode, vectorRank, vectorSchema } from '../../../core/search/vectors.js';
import { MIGRATIONS } from '../../../migrations/index.js';
import { testEnv } from '../../helpers/env.js';
import { startFakeOpenAI } from '../../helpers/fake-providers/index.js';

const first = testEnv('vecmigrate');
const second = testEnv('vecmigrate');
const fake = await startFakeOpenAI();
afterAll(() => Promise.all([first.cleanup(), second.cleanup(), fake.close()]));

const embedder = createEmbedder(loadConfig({ EMBEDDINGS_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-v', OPENAI_BASE_URL: fake.url }), createLogger('silent'))!;

async function embeddingColumns(db: Db, schema: string) {
  const res = await db.raw(
    `SELECT c.relname AS table, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
     JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ? AND c.relkind = 'r' AND a.attname = 'embedding' AND NOT a.attisdropped ORDER BY c.relname`,
    [schema],
  );
  return res.rows as Array<{ table: string; type: string }>;
}

async function expectVectors(db: Db, schema: string) {
  // Named with its schema where `public` is off the search path (a test schema).
  expect(await embeddingColumns(db, schema)).toEqual([
    { table: 'document_chunks', type: expect.stringMatching(/^(public\.)?vector\(256\)$/) },
    { table: 'law_chunks', type: expect.stringMatching(/^(public\.)?vector\(256\)$/) },
  ]);
  const defs = (await db('pg_indexes').where({ schemaname: schema }).whereLike('indexname', '%embedding%').orderBy('indexname').pluck('indexdef')) as string[];
  expect(defs).toHaveLength(2);
  expect(defs[0]).toMatch(/document_chunks_embedding_idx ON \S*document_chunks USING hnsw \(embedding (public\.)?vector_cosine_ops\)/);
  expect(defs[1]).toMatch(/law_chunks_embedding_idx ON \S*law_chunks USING hnsw \(embedding (public\.)?vector_cosine_ops\)/);
  expect(await vectorSchema(db)).toBe('public');
}

describe('with pgvector', () => {
  it('adds the columns and indexes on PostgreSQL, with concurrent migrations of two schemas', async () => {
    const dbs = [first, second].map((t) => t.db(2));
    try {
      const [available] = (await dbs[0]!.raw(`SELECT 1 FROM pg_available_extensions WHERE name = 'vector'`)).rows;
      expect(available, 'pgvector is installed (bash deploy/install-pgvector.sh)').toBeDefined();
      await Promise.all(dbs.map((db, i) => migrate(db, [first, second][i]!.schema)));
      await expectVectors(dbs[0]!, first.schema);
      await expectVectors(dbs[1]!, second.schema);
      expect(await logSearchMode(dbs[0]!, embedder, createLogger('silent'))).toBe('hybrid');
      expect(await logSearchMode(dbs[0]!, undefined, createLogger('silent'))).toBe('full text only');
    } finally {
      await Promise.all(dbs.map((db) => db.destroy()));
    }
  });

  it('adds them on PGlite, which loads its vector extension', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pglite-vec-'));
    const db = createDb({ database: { poolMax: 1 }, dataDir: dir });
    try {
      await migrate(db);
      await expectVectors(db, 'public');
    } finally {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('without pgvector', () => {
  it('migrates without vectors, and search, embedding and the start-up log say so', async () => {
    // A PGlite without the vector extension stands in for a server without pgvector.
    const pglite = new PGlite();
    const db = knexFactory({ client: ClientPgLite, dialect: 'postgres', connection: () => ({ pglite }) as object });
    try {
      for (const m of MIGRATIONS) await db.transaction((trx) => m.up(trx));
      expect(await embeddingColumns(db, 'public')).toEqual([]);
      expect(await vectorSchema(db)).toBeUndefined();

      const [user] = await db('users').insert({ email: 'v@example.test', password_hash: 'x' }).returning('id');
      const [doc] = await db('documents').insert({ user_id: user.id, title: 't', filename: 't.txt', mime_type: 'text/plain', size_bytes: 1, status: 'ready' }).returning('id');
      const [chunk] = await db('document_chunks').insert({ document_id: doc.id, version: 1, ord: 0, text: 'Договор аренды' }).returning('id');
      const scope = { userId: user.id as string, law: true, documents: true };
      expect(await vectorRank(db, embedder, 'договор аренды', scope, 10)).toEqual([]);
      expect(await embedChunks(db, embedder, 'document_chunks', [chunk.id])).toBe(0);
      expect(await embedPendingLawChunks(db, embedder)).toBe(0);
      expect(fake.calls).toBe(0);

      const lines: Array<{ level: number; msg: string }> = [];
      const sink = new Writable({ write: (chunk: Buffer, _enc, done) => done(void lines.push(JSON.parse(chunk.toString()))) });
      expect(await logSearchMode(db, embedder, pino(sink))).toBe('full text only');
      expect(lines.map((l) => [l.level, l.msg])).toEqual([
        [40, expect.stringContaining('EMBEDDINGS_PROVIDER is set but the database has no pgvector columns')],
        [30, 'search mode: full text only'],
      ]);
    } finally {
      await db.destroy();
    }
  }, 60_000);
});
