/**
 * Hybrid search over the caller's documents and the law library. Each ranking (full text
 * over the law, full text over the caller's documents, and vectors over both when an
 * embeddings provider is configured) is fused by weighted reciprocal rank fusion:
 * score = Σ weight / (RRF_K + rank), RRF_K = 60 as in the RRF paper and Open WebUI. Scoped
 * to the caller's own documents (never another user's) plus the law library.
 */
import type { Knex } from 'knex';
import type { Db } from '../db/knex.js';
import { rawPrepared } from '../db/prepared.js';
import { ownDocuments } from '../documents/documents.js';
import { CANDIDATES, planRanking, type RankPlan } from './fulltext.js';
import type { LexedWord } from './query.js';

export const RRF_K = 60;
/** Weight of each ranking in the fusion. Equal: neither is known to be better on our data. */
export const RRF_WEIGHTS = { fulltext: 1, vector: 1 } as const;

export type SearchScope = 'documents' | 'law' | 'all';

export interface SearchRequest {
  userId: string;
  query: string;
  scope: SearchScope;
  documentIds?: string[];
  limit: number;
  /** The query already lexed (`lexedWordsSql`), saving a statement. */
  lexed?: LexedWord[];
}

export type SearchSource =
  | { type: 'document'; id: string; title: string; version: number }
  | { type: 'law'; code: string; article: string; title: string };

export interface SearchHit {
  source: SearchSource;
  chunk_id: string;
  text: string;
  score: number;
  locator: Record<string, unknown>;
}

export type ChunkKind = 'document' | 'law';
export interface RankedChunk { kind: ChunkKind; chunk_id: string }

/** The vector side: chunks nearest to the query, best first ([] when vectors are unavailable). */
export type VectorRanker = (query: string, scope: { userId: string; documentIds?: string[]; law: boolean; documents: boolean }, limit: number) => Promise<RankedChunk[]>;

export interface SearchDeps {
  db: Db;
  vectors?: VectorRanker;
}

/** What a chunk at `rank` (from 0) of a ranking adds to its fused score. */
const rrf = (weight: number, rank: number) => weight / (RRF_K + rank + 1);
/** A fused score as answers show it. */
const shown = (score: number) => Number(score.toFixed(6));

/** How many candidates each ranking contributes to the fusion. */
const depth = (limit: number) => Math.max(30, limit * 3);

export async function search(deps: SearchDeps, req: SearchRequest): Promise<SearchHit[]> {
  const { db } = deps;
  const documents = req.scope !== 'law';
  const law = req.scope !== 'documents';
  if (req.documentIds?.length) await ownDocuments(db, req.userId, req.documentIds);
  const plan = await planRanking(db, req.query, req.lexed);
  // The law's full text alone (a chat with no documents, no embeddings): its order is the
  // fused order, so the passages come with the ranking, in one statement.
  if (plan && !documents && !deps.vectors) return lawHits(db, plan, depth(req.limit), req.limit);
  const scope = { userId: req.userId, ...(req.documentIds?.length ? { documentIds: req.documentIds } : {}), law, documents };
  const rankings = await Promise.all([
    ...(await fullTextRankings(db, plan, { ...scope, limit: depth(req.limit) })),
    deps.vectors ? deps.vectors(req.query, scope, depth(req.limit)) : [],
  ]);
  const weights = [RRF_WEIGHTS.fulltext, RRF_WEIGHTS.fulltext, RRF_WEIGHTS.vector];
  const fused = new Map<string, { kind: ChunkKind; score: number }>();
  rankings.forEach((ranking, list) => ranking.forEach((c, rank) => {
    const key = `${c.kind}:${c.chunk_id}`;
    const entry = fused.get(key) ?? { kind: c.kind, score: 0 };
    entry.score += rrf(weights[list]!, rank);
    fused.set(key, entry);
  }));
  const top = [...fused.entries()].sort((a, b) => b[1].score - a[1].score).slice(0, req.limit);
  const details = await chunkDetails(db, top.map(([key, v]) => ({ kind: v.kind, chunk_id: key.slice(v.kind.length + 1) })));
  return top.flatMap(([key, v]) => {
    const hit = details.get(key);
    return hit ? [{ ...hit, score: shown(v.score) }] : [];
  });
}

/**
 * The law and the documents ranked by full text; with documents, in one transaction that keeps
 * the planner on the GIN index: with a LIMIT over a filter it misjudges, it would rather scan
 * the table in order until enough rows match, which on a large table is ten times slower.
 */
async function fullTextRankings(db: Db, plan: RankPlan | undefined, scope: { userId: string; documentIds?: string[]; law: boolean; documents: boolean; limit: number }): Promise<RankedChunk[][]> {
  if (!plan || (!scope.law && !scope.documents)) return [[], []];
  // The law alone is small enough that the planner's choice costs little: no transaction.
  if (!scope.documents) return [await rankLaw(db, plan, scope.limit), []];
  return db.transaction(async (trx) => {
    await trx.raw('SET LOCAL enable_seqscan = off');
    const law = scope.law ? await rankLaw(trx, plan, scope.limit) : [];
    const documents = scope.documents ? await rankDocuments(trx, plan, scope, scope.limit) : [];
    return [law, documents];
  });
}

/**
 * `ranked (id, f, score)`: the rows each filter finds (at most CANDIDATES of them, so a common
 * word cannot make the scoring scan the table), each with the first filter that found it, all
 * in one statement: a later filter runs only while the ones before it found fewer than `depth`
 * rows (an uncorrelated condition, which Postgres checks once before the scan).
 * `candidates(filter)` selects `id, tsv` of the rows a tsquery finds. Ordered by
 * `f, score DESC, id`, best first. The depth is bound, not written in: one text per shape of the
 * question, whatever the depth, so a connection keeps few prepared statements.
 */
function rankedCtes(plan: RankPlan, depth: number, candidates: (filter: string) => { sql: string; bindings: Knex.Value[] }) {
  const ctes: string[] = [];
  const bindings: Knex.Value[] = [];
  plan.filters.forEach((filter, i) => {
    const found = ctes.map((_, j) => `SELECT id FROM f${j}`).join(' UNION ');
    const c = candidates(filter);
    const gate = i === 0 ? '' : `WHERE (SELECT count(*) FROM (${found}) AS s) < ?`;
    ctes.push(`f${i} AS (SELECT id, ${i} AS f, score FROM (
       SELECT id, ${plan.score.sql} AS score FROM (${c.sql} LIMIT ${CANDIDATES}) AS c ${gate}
     ) AS r ORDER BY score DESC, id LIMIT ?)`);
    bindings.push(...plan.score.bindings, ...c.bindings, ...(i === 0 ? [] : [depth]), depth);
  });
  const all = ctes.map((_, i) => `SELECT * FROM f${i}`).join(' UNION ALL ');
  return { sql: `WITH ${ctes.join(', ')}, ranked AS (SELECT DISTINCT ON (id) id, f, score FROM (${all}) AS a ORDER BY id, f, score DESC)`, bindings };
}

async function rankByFilters(db: Db, plan: RankPlan, depth: number, candidates: Parameters<typeof rankedCtes>[2]): Promise<string[]> {
  const ranked = rankedCtes(plan, depth, candidates);
  const { rows } = await rawPrepared<{ rows: Array<{ id: string }> }>(db, `${ranked.sql} SELECT id FROM ranked ORDER BY f, score DESC, id LIMIT ?`, [...ranked.bindings, depth]);
  return rows.map((r) => r.id);
}

const lawCandidates = (filter: string) => ({ sql: 'SELECT id, tsv FROM law_chunks WHERE tsv @@ ?::tsquery', bindings: [filter] });

/** The best `limit` law passages, ranked as rankLaw ranks them to `depth`, with what an answer shows of them. */
async function lawHits(db: Db, plan: RankPlan, depth: number, limit: number): Promise<SearchHit[]> {
  const ranked = rankedCtes(plan, depth, lawCandidates);
  const { rows } = await rawPrepared<{ rows: LawRow[] }>(
    db,
    `${ranked.sql}, top AS (SELECT * FROM ranked ORDER BY f, score DESC, id LIMIT ?)
     SELECT c.id, c.code, c.article, a.title, c.text, c.locator FROM top
     JOIN law_chunks c ON c.id = top.id JOIN law_articles a ON a.code = c.code AND a.article = c.article
     ORDER BY top.f, top.score DESC, top.id`,
    [...ranked.bindings, limit],
  );
  return rows.map((r, rank) => ({ ...lawHit(r), score: shown(rrf(RRF_WEIGHTS.fulltext, rank)) }));
}

async function rankLaw(db: Db, plan: RankPlan, limit: number): Promise<RankedChunk[]> {
  const ids = await rankByFilters(db, plan, limit, lawCandidates);
  return ids.map((id) => ({ kind: 'law' as const, chunk_id: id }));
}

async function rankDocuments(db: Db, plan: RankPlan, scope: { userId: string; documentIds?: string[] }, limit: number): Promise<RankedChunk[]> {
  const narrow = scope.documentIds ? 'AND d.id = ANY(?::uuid[])' : '';
  const ids = await rankByFilters(db, plan, limit, (filter) => ({
    sql: `SELECT c.id, c.tsv FROM document_chunks c JOIN documents d ON d.id = c.document_id
       WHERE d.user_id = ? AND d.deleted_at IS NULL ${narrow} AND c.tsv @@ ?::tsquery`,
    bindings: [scope.userId, ...(scope.documentIds ? [scope.documentIds] : []), filter],
  }));
  return ids.map((id) => ({ kind: 'document' as const, chunk_id: id }));
}

interface LawRow { id: string; code: string; article: string; title: string; text: string; locator: Record<string, unknown> }

const lawHit = (r: LawRow): Omit<SearchHit, 'score'> => ({ source: { type: 'law', code: r.code, article: r.article, title: r.title }, chunk_id: r.id, text: r.text, locator: r.locator });

/** What an answer shows for each chunk, keyed `kind:id`. */
async function chunkDetails(db: Db, chunks: RankedChunk[]): Promise<Map<string, Omit<SearchHit, 'score'>>> {
  const ids = (kind: ChunkKind) => chunks.filter((c) => c.kind === kind).map((c) => c.chunk_id);
  const [lawRows, docRows] = await Promise.all([
    ids('law').length
      ? db('law_chunks as c').join('law_articles as a', (j) => j.on('a.code', 'c.code').andOn('a.article', 'c.article'))
        .whereIn('c.id', ids('law')).select('c.id', 'c.code', 'c.article', 'a.title', 'c.text', 'c.locator')
      : [],
    ids('document').length
      ? db('document_chunks as c').join('documents as d', 'd.id', 'c.document_id')
        .whereIn('c.id', ids('document')).select('c.id', 'd.id as document_id', 'd.title', 'c.version', 'c.text', 'c.locator')
      : [],
  ]);
  const out = new Map<string, Omit<SearchHit, 'score'>>();
  for (const r of lawRows as LawRow[]) out.set(`law:${r.id}`, lawHit(r));
  for (const r of docRows as Array<{ id: string; document_id: string; title: string; version: number; text: string; locator: Record<string, unknown> }>) {
    out.set(`document:${r.id}`, { source: { type: 'document', id: r.document_id, title: r.title, version: r.version }, chunk_id: r.id, text: r.text, locator: r.locator });
  }
  return out;
}
