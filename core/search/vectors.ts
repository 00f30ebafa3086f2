/**
 * The vector side of hybrid search: filling `embedding` on chunks and ranking chunks by
 * cosine distance to a query (pgvector `<=>`, HNSW). The columns exist only where the
 * migration found pgvector (migrations/20261214000007_chunk_vectors.ts); without them every
 * function here is a no-op and search runs on full text alone.
 */
import type { VectorRanker } from './search.js';
import { maskChatText } from '../chat/masking.js';
import type { Db } from '../db/knex.js';
import { DlpError, PlaceholderRegistry } from '../dlp/index.js';
import type { Logger } from '../log.js';
import { EmbeddingError, type Embedder } from '../ai/embeddings.js';
import { DOMESTIC_PROVIDERS } from '../ai/types.js';
import { domesticOnly } from '../privacy/consents.js';

export type ChunkTable = 'document_chunks' | 'law_chunks';

export interface VectorScope {
  userId: string;
  /** Narrows the user's documents further; an empty list means none. */
  documentIds?: string[];
  law: boolean;
  documents: boolean;
}

export interface VectorHit {
  kind: 'document' | 'law';
  chunk_id: string;
}

/**
 * Whether a user's text must not go to this embeddings provider: one hosted abroad, and the user
 * withdrew consent to providers abroad (as their questions go to domestic models only). Their
 * documents then keep no vectors and their searches run on full text alone.
 */
export async function mayNotEmbed(db: Db, embedder: Embedder, userId: string): Promise<boolean> {
  return !(DOMESTIC_PROVIDERS as ReadonlySet<string>).has(embedder.name) && domesticOnly(db, userId);
}

/** Rows embedded per provider round and per UPDATE. */
const EMBED_BATCH = 64;

const support = new WeakMap<Db, Promise<string | undefined>>();

/**
 * The schema of the pgvector extension when both chunk tables have their `embedding` column,
 * else undefined. Checked once per database handle: columns appear only through migrations,
 * which run before anything else.
 */
export function vectorSchema(db: Db): Promise<string | undefined> {
  let found = support.get(db);
  if (!found) {
    found = (async () => {
      const columns = await db('information_schema.columns')
        .whereRaw('table_schema = current_schema()')
        .where({ column_name: 'embedding' })
        .whereIn('table_name', ['document_chunks', 'law_chunks'])
        .count<Array<{ count: number | string }>>({ count: '*' });
      if (Number(columns[0]?.count) !== 2) return undefined;
      const ext = await db.raw(`SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'vector'`);
      return (ext.rows[0] as { nspname: string } | undefined)?.nspname;
    })();
    support.set(db, found);
    found.catch(() => support.delete(db)); // a failed check is asked again next time
  }
  return found;
}

/** Says at start whether search is hybrid (a provider and the columns) or full text only. */
export async function logSearchMode(db: Db, embedder: Embedder | undefined, log: Logger): Promise<'hybrid' | 'full text only'> {
  const mode = embedder && (await vectorSchema(db)) ? 'hybrid' : 'full text only';
  if (embedder && mode !== 'hybrid') {
    log.warn({ embeddings: embedder.name }, 'EMBEDDINGS_PROVIDER is set but the database has no pgvector columns (see deploy/install-pgvector.sh): search runs on full text alone');
  }
  log.info({ search: mode, embeddings: embedder?.name ?? 'none' }, `search mode: ${mode}`);
  return mode;
}

const literal = (v: number[]) => `[${v.join(',')}]`;

/**
 * Fills `embedding` for the given rows that have none yet, EMBED_BATCH at a time. Returns how
 * many rows got a vector (0 without vector support). The text embedded is the stored one,
 * which is masked.
 */
export async function embedChunks(db: Db, embedder: Embedder, table: ChunkTable, ids: string[]): Promise<number> {
  const schema = await vectorSchema(db);
  if (!schema || !ids.length) return 0;
  let done = 0;
  for (let i = 0; i < ids.length; i += EMBED_BATCH) {
    const rows = await db(table).select('id', 'heading', 'text').whereIn('id', ids.slice(i, i + EMBED_BATCH)).whereNull('embedding');
    done += await embedRows(db, embedder, table, schema, rows);
  }
  return done;
}

/** Embeds every law chunk that has no vector yet (after a law import); returns the count. */
export async function embedPendingLawChunks(db: Db, embedder: Embedder): Promise<number> {
  const schema = await vectorSchema(db);
  if (!schema) return 0;
  let done = 0;
  for (;;) {
    const rows = await db('law_chunks').select('id', 'heading', 'text').whereNull('embedding').orderBy('id').limit(EMBED_BATCH);
    if (!rows.length) return done;
    const written = await embedRows(db, embedder, 'law_chunks', schema, rows);
    // Rows that vanished meanwhile (a re-import) are simply not found next round; none
    // written out of a full batch would mean something else keeps them empty: stop.
    if (!written) return done;
    done += written;
  }
}

async function embedRows(db: Db, embedder: Embedder, table: ChunkTable, schema: string, rows: Array<{ id: string; heading: string; text: string }>): Promise<number> {
  if (!rows.length) return 0;
  const vectors = await embedder.embed(rows.map((r) => (r.heading ? `${r.heading}\n${r.text}` : r.text)), 'doc');
  const values = rows.map(() => '(?::uuid, ?)').join(', ');
  const bindings = rows.flatMap((r, i) => [r.id, literal(vectors[i]!)]);
  const res = await db.raw(
    `UPDATE ?? AS t SET embedding = v.e::??.vector FROM (VALUES ${values}) AS v(id, e) WHERE t.id = v.id AND t.embedding IS NULL`,
    [table, schema, ...bindings],
  );
  return (res as { rowCount?: number }).rowCount ?? 0;
}

/**
 * Chunks nearest to `query` by cosine distance, best first: the caller's own documents (not
 * deleted, ready, the current version's chunks only; `documentIds` narrows) and/or the law
 * library. [] without vector support, when the provider cannot embed the query, or when the
 * user's text may not go to it (mayNotEmbed): the search then runs on full text alone. The query is masked here, whatever the caller did, since it
 * goes to a provider.
 */
export async function vectorRank(db: Db, embedder: Embedder | undefined, query: string, scope: VectorScope, limit: number): Promise<VectorHit[]> {
  const schema = await vectorSchema(db);
  if (!embedder || !schema || limit < 1 || (!scope.documents && !scope.law)) return [];
  if (await mayNotEmbed(db, embedder, scope.userId)) return [];
  let vector: number[];
  try {
    const masked = maskChatText(query, new PlaceholderRegistry()).masked;
    [vector] = (await embedder.embed([masked], 'query')) as [number[]];
  } catch (err) {
    if (err instanceof EmbeddingError || err instanceof DlpError) return [];
    throw err;
  }
  const q = literal(vector);
  // Filtered HNSW scans would stop at ef_search candidates; iterative scans keep going until
  // `limit` rows pass the filter (pgvector 0.8), in exact distance order.
  return db.transaction(async (trx) => {
    await trx.raw('SET LOCAL hnsw.iterative_scan = strict_order');
    const distance = trx.raw('c.embedding OPERATOR(??.<=>) ?::??.vector', [schema, q, schema]);
    const hits: Array<VectorHit & { distance: number }> = [];
    if (scope.documents && scope.documentIds?.length !== 0) {
      const query = trx('document_chunks as c')
        .join('documents as d', (j) => j.on('d.id', 'c.document_id').andOn('d.version', 'c.version'))
        .where({ 'd.user_id': scope.userId, 'd.status': 'ready' }).whereNull('d.deleted_at').whereNotNull('c.embedding')
        .select('c.id as chunk_id', trx.raw('? as distance', [distance]))
        .orderBy('distance').limit(limit);
      if (scope.documentIds) void query.whereIn('d.id', scope.documentIds);
      const rows = await query;
      hits.push(...rows.map((r: { chunk_id: string; distance: number }) => ({ kind: 'document' as const, ...r })));
    }
    if (scope.law) {
      const rows = await trx('law_chunks as c').whereNotNull('c.embedding')
        .select('c.id as chunk_id', trx.raw('? as distance', [distance]))
        .orderBy('distance').limit(limit);
      hits.push(...rows.map((r: { chunk_id: string; distance: number }) => ({ kind: 'law' as const, ...r })));
    }
    return hits.sort((a, b) => a.distance - b.distance).slice(0, limit).map(({ kind, chunk_id }) => ({ kind, chunk_id }));
  });
}

/** The vector side of hybrid search, when an embeddings provider is configured. */
export function createVectorRanker(db: Db, embedder: Embedder | undefined): VectorRanker | undefined {
  return embedder ? (query, scope, limit) => vectorRank(db, embedder, query, scope, limit) : undefined;
}
