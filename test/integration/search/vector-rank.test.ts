/**
 * Vector ranking on PostgreSQL with pgvector: chunks are embedded through the fake OpenAI
 * (real SDK), and `vectorRank` returns the caller's own current, ready, live document chunks
 * and law chunks, best first, never another user's; the query reaches the provider masked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbedder } from '../../../core/ai/embeddings.js';
import { loadConfig } from '../../../core/config.js';
import { migrate, type Db } from '../../../core/db/knex.js';
import { createLogger } from '../../../core/log.js';
import { embedChunks, embedPendingLawChunks, vectorRank } from '../../../core/search/vectors.js';
import { testEnv } from '../../helpers/env.js';
import { startFakeOpenAI, type FakeProvider } from '../../helpers/fake-providers/index.js';

const QUERY = 'расторжение договора аренды';
const t = testEnv('vecrank');
let db: Db;
let fake: FakeProvider;
let embedder: NonNullable<ReturnType<typeof createEmbedder>>;
const ids: Record<string, string> = {};

async function user(email: string): Promise<string> {
  const [row] = await db('users').insert({ email, password_hash: 'x' }).returning('id');
  return row.id as string;
}

async function doc(userId: string, fields: Record<string, unknown>, chunks: Array<[version: number, text: string]>): Promise<string> {
  const [row] = await db('documents').insert({ user_id: userId, title: 't', filename: 't.txt', mime_type: 'text/plain', size_bytes: 1, status: 'ready', ...fields }).returning('id');
  for (const [ord, [version, text]] of chunks.entries()) {
    const [chunk] = await db('document_chunks').insert({ document_id: row.id, version, ord, text }).returning('id');
    ids[text] = chunk.id as string;
  }
  return row.id as string;
}

beforeAll(async () => {
  fake = await startFakeOpenAI();
  embedder = createEmbedder(loadConfig({ EMBEDDINGS_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-r', OPENAI_BASE_URL: fake.url }), createLogger('silent'))!;
  db = t.db(4);
  await migrate(db, t.schema);
  const alice = await user('alice@example.test');
  const bob = await user('bob@example.test');
  ids.alice = alice;
  ids.lease = await doc(alice, { version: 2 }, [
    [1, 'Старая редакция: расторжение договора аренды'],
    [2, 'Арендатор вправе требовать расторжения договора аренды'],
    [2, 'Плата вносится ежемесячно до десятого числа'],
  ]);
  ids.deleted = await doc(alice, { deleted_at: new Date() }, [[1, 'Удалённый: расторжение договора аренды']]);
  ids.processing = await doc(alice, { status: 'processing' }, [[1, 'В обработке: расторжение договора аренды']]);
  ids.bobs = await doc(bob, {}, [[1, 'расторжение договора аренды']]);
  await db('law_codes').insert({ code: 'gk', title: 'Гражданский кодекс', short_title: 'ГК РФ', edition_date: '2025-01-01', articles: 1, ord: 1, source_sha256: 'x' });
  await db('law_articles').insert({ code: 'gk', article: '619', ord: 1, title: 'Досрочное расторжение договора по требованию арендодателя', text: '...' });
  const [law] = await db('law_chunks').insert({ code: 'gk', article: '619', ord: 0, heading: 'Статья 619', text: 'Досрочное расторжение договора аренды по требованию арендодателя' }).returning('id');
  ids.law = law.id as string;

  const docChunks = (await db('document_chunks').pluck('id')) as string[];
  expect(await embedChunks(db, embedder, 'document_chunks', docChunks)).toBe(6);
  expect(await embedPendingLawChunks(db, embedder)).toBe(1);
});
afterAll(async () => {
  await db?.destroy();
  await fake?.close();
  await t.cleanup();
});

describe('embedding chunks', () => {
  it('fills every vector once: rows that have one are skipped without a provider call', async () => {
    expect(await db('document_chunks').whereNull('embedding').count({ n: '*' })).toEqual([{ n: 0 }]);
    const calls = fake.calls;
    expect(await embedChunks(db, embedder, 'document_chunks', [ids['Плата вносится ежемесячно до десятого числа']!])).toBe(0);
    expect(await embedPendingLawChunks(db, embedder)).toBe(0);
    expect(fake.calls).toBe(calls);
  });
});

describe('vectorRank', () => {
  const scope = (extra: object = {}) => ({ userId: ids.alice!, law: false, documents: true, ...extra });

  it("returns only the caller's ready, live, current-version chunks, best first", async () => {
    const hits = await vectorRank(db, embedder, QUERY, scope(), 10);
    expect(hits).toEqual([
      { kind: 'document', chunk_id: ids['Арендатор вправе требовать расторжения договора аренды'] },
      { kind: 'document', chunk_id: ids['Плата вносится ежемесячно до десятого числа'] },
    ]);
  });

  it("never returns another user's chunk, even the exact match", async () => {
    const hits = await vectorRank(db, embedder, QUERY, scope({ law: true }), 50);
    expect(hits.map((h) => h.chunk_id)).not.toContain(ids['расторжение договора аренды']);
    const bobsOwn = await vectorRank(db, embedder, QUERY, { userId: ids.alice!, law: false, documents: true, documentIds: [ids.bobs!] }, 10);
    expect(bobsOwn).toEqual([]);
  });

  it('mixes law chunks in by distance and honours the limit', async () => {
    const hits = await vectorRank(db, embedder, QUERY, scope({ law: true }), 2);
    expect(hits).toHaveLength(2);
    expect(hits).toContainEqual({ kind: 'law', chunk_id: ids.law });
    expect(await vectorRank(db, embedder, QUERY, scope({ law: true, documents: false }), 5)).toEqual([{ kind: 'law', chunk_id: ids.law }]);
  });

  it('narrows to the given documents; an empty list means none', async () => {
    expect(await vectorRank(db, embedder, QUERY, scope({ documentIds: [ids.processing!] }), 10)).toEqual([]);
    expect(await vectorRank(db, embedder, QUERY, scope({ documentIds: [] }), 10)).toEqual([]);
    expect(await vectorRank(db, embedder, QUERY, scope({ documentIds: [ids.lease!] }), 1)).toHaveLength(1);
  });

  it('sends the query masked, and falls back to nothing when the provider fails', async () => {
    fake.reset();
    await vectorRank(db, embedder, `${QUERY}, звонить +7 916 123-45-67`, scope(), 5);
    const sent = JSON.stringify(fake.requests.map((r) => r.body));
    expect(sent).toContain('[PHONE_1]');
    expect(sent).not.toContain('916');
    fake.script({ kind: 'error', status: 500 });
    expect(await vectorRank(db, embedder, QUERY, scope(), 5)).toEqual([]);
  });
});
