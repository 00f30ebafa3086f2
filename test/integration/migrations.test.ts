/** The schema migrates on PostgreSQL 15 (this machine's server) and on embedded PGlite alike. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb, migrate, type Db } from '../../core/db/knex.js';
import { MIGRATIONS } from '../../migrations/index.js';
import { testEnv } from '../helpers/env.js';

const t = testEnv('migrations');
afterAll(() => t.cleanup());

const TABLES = ['users', 'refresh_tokens', 'chats', 'messages', 'documents', 'document_chunks', 'lawyer_reviews', 'plans', 'subscriptions', 'payments', 'payment_events', 'ai_cache', 'ai_usage_daily', 'idempotency_keys', 'audit_logs', 'pii_vaults'];

async function describeSchema(db: Db, schema: string) {
  const tables = await db('information_schema.tables').where({ table_schema: schema }).pluck('table_name');
  const indexes = (await db('pg_indexes').where({ schemaname: schema }).select('indexname', 'indexdef')) as Array<{ indexname: string; indexdef: string }>;
  // Every foreign key's columns must lead some index (btree on every FK, as the brief says).
  const fks = (await db.raw(
    `SELECT tc.table_name, string_agg(kcu.column_name, ', ' ORDER BY kcu.ordinal_position) AS column_name
     FROM information_schema.table_constraints tc
     JOIN information_schema.key_column_usage kcu ON tc.constraint_name = kcu.constraint_name AND tc.table_schema = kcu.table_schema
     WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = ?
     GROUP BY tc.table_name, tc.constraint_name`,
    [schema],
  )).rows as Array<{ table_name: string; column_name: string }>;
  return { tables, indexes, fks };
}

async function check(db: Db, schema: string) {
  const applied = await migrate(db, schema === 'public' ? undefined : schema);
  expect(applied).toEqual(MIGRATIONS.map((m) => m.name));
  expect(await migrate(db, schema === 'public' ? undefined : schema)).toEqual([]);
  const { tables, indexes, fks } = await describeSchema(db, schema);
  expect(tables).toEqual(expect.arrayContaining(TABLES));
  for (const fk of fks) {
    const leading = indexes.some((i) => new RegExp(`ON \\S*${fk.table_name} USING \\w+ \\((${fk.column_name})[,)]`).test(i.indexdef));
    expect(leading, `index leading with ${fk.table_name}.${fk.column_name}`).toBe(true);
  }
  const defs = indexes.map((i) => i.indexdef).join('\n');
  // Messages are not searched: no full-text index taxes their writes.
  expect(defs).toMatch(/messages_open_idx .* WHERE/);
  expect(defs).not.toMatch(/ON \S+\.messages USING gin/);
  expect(defs).toMatch(/documents_open_idx .* WHERE/);
  // A search reads a full-text index's pending list whole: the law's index keeps none, the documents' a short one.
  const options = (await db.raw(`SELECT relname, reloptions FROM pg_class WHERE relnamespace = ?::regnamespace AND relname IN ('law_chunks_tsv_idx', 'document_chunks_tsv_idx') ORDER BY relname`, [schema])).rows;
  expect(options).toEqual([
    { relname: 'document_chunks_tsv_idx', reloptions: ['gin_pending_list_limit=256'] },
    { relname: 'law_chunks_tsv_idx', reloptions: ['fastupdate=off'] },
  ]);
  // The Russian configuration stems, so a search finds inflected forms.
  const [{ hit }] = (await db.raw(`SELECT to_tsvector('russian', 'Договоры аренды расторгнуты') @@ plainto_tsquery('russian', 'договор') AS hit`)).rows;
  expect(hit).toBe(true);
  expect(await db('plans').orderBy('price_minor').pluck('code')).toEqual(['free', 'pro', 'business']);
  const [user] = await db('users').insert({ email: 'm@example.test', password_hash: 'x' }).returning('*');
  expect(user.id).toMatch(/^[0-9a-f-]{36}$/);
  await expect(db('users').insert({ email: 'm@example.test', password_hash: 'y' })).rejects.toThrow();
  await expect(db('users').insert({ email: 'r@example.test', password_hash: 'y', role: 'root' })).rejects.toThrow();
  await checkAnalysisMove(db, user.id);
}

/** Analyses stored before `analysis_status` existed: a run's state moves out, a complete analysis stays. */
async function checkAnalysisMove(db: Db, userId: string) {
  const move = MIGRATIONS.find((m) => m.name === '20261230000017_document_analysis_status')!;
  await db.raw('ALTER TABLE documents DROP COLUMN analysis_status');
  const ready = { status: 'ready', version: 2, summary: 'Кратко', parties: [], key_terms: [], risks: [], provider: 'offline', model: 'm', created_at: '2026-12-01T00:00:00.000Z' };
  const before = [
    ready,
    { status: 'queued', version: 1 },
    { status: 'failed', version: 3, error: { code: 'analysis_invalid', detail: 'twice' }, created_at: '2026-12-01T00:00:00.000Z' },
    null,
  ];
  const ids: string[] = [];
  for (const analysis of before) {
    const [row] = await db('documents').insert({ user_id: userId, title: 't', filename: 'f', mime_type: 'text/plain', size_bytes: 1, analysis: analysis && JSON.stringify(analysis) }).returning('id');
    ids.push(row.id);
  }
  await move.up(db);
  const rows = await db('documents').whereIn('id', ids).select('id', 'analysis', 'analysis_status');
  const after = ids.map((id) => rows.find((r) => r.id === id));
  const { status: _, ...complete } = ready;
  expect(after.map((r) => [r.analysis, r.analysis_status])).toEqual([
    [complete, { status: 'ready', version: 2, error: null }],
    [null, { status: 'queued', version: 1, error: null }],
    [null, { status: 'failed', version: 3, error: { code: 'analysis_invalid', detail: 'twice' } }],
    [null, null],
  ]);
}

describe('migrations', () => {
  it('every migration file is listed', () => {
    const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');
    const files = fs.readdirSync(dir).filter((f) => /^\d+_.+\.ts$/.test(f)).map((f) => f.replace(/\.ts$/, ''));
    expect(MIGRATIONS.map((m) => m.name)).toEqual(files.sort());
  });

  it('run on PostgreSQL', async () => {
    const db = t.db(2);
    try {
      const [{ server_version }] = (await db.raw('SHOW server_version')).rows;
      expect(Number(String(server_version).split('.')[0])).toBeGreaterThanOrEqual(15);
      await check(db, t.schema);
    } finally {
      await db.destroy();
    }
  });

  it('run on PGlite', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pglite-'));
    const db = createDb({ database: { poolMax: 1 }, dataDir: dir });
    try {
      await check(db, 'public');
    } finally {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
