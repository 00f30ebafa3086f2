/**
 * Full-text ranking in Postgres, Russian-aware, with BM25-style term weights: each query term
 * counts by its inverse document frequency in the law library (a large sample of legal
 * Russian; cached per process), times `ts_rank` of that term with the heading weighted above
 * the body. Rows are found through the GIN index: those holding the rarest term or at least
 * two of the rarer terms (a bounded candidate set even when each term alone is common), then,
 * when those are too few, those holding the second rarest. Every term scores.
 */
import type { Db } from '../db/knex.js';
import { queryTerms, type LexedWord, type QueryTerm } from './query.js';

/** ts_rank weights for {D, C, B, A}: A = heading (article title), B = body, C = chapter and section. */
const WEIGHTS = '{0.05, 0.2, 0.4, 1.0}';
/** Rank normalisation 1: divides by 1 + log(length), so long passages do not win by length alone. */
const NORMALIZATION = 1;
/** Pairs are formed among this many of the rarest terms. */
const PAIR_TERMS = 5;
/** A term in at most this share of the library's passages is uncommon. */
const UNCOMMON_SHARE = 0.05;
/** At most this many candidate rows are scored per filter. */
export const CANDIDATES = 600;

export interface WeightedTerm extends QueryTerm {
  idf: number;
  df: number;
}

/**
 * The library's size and the frequencies looked up so far, replaced whole (never mutated back
 * to empty) when the library changes: a search that was awaiting a lookup when an import reset
 * them keeps the snapshot it started with, and its lookups do not refill the new one.
 */
interface TermStats { n: number; at: number; df: Map<string, number> }
let current: TermStats | undefined;
const CORPUS_TTL_MS = 60_000;
const MAX_CACHED_TERMS = 20_000;

/** Drops cached statistics (after a law import). */
export function resetTermStats(): void {
  current = undefined;
}

/**
 * Document frequencies from `law_terms` (ts_stat of the library, kept by the import): an
 * exact lexeme by key, a root by prefix range, a phrase by its rarest word. Approximate where
 * alternatives overlap, which is all a weight needs.
 */
async function lookupFrequencies(db: Db, terms: QueryTerm[]): Promise<Map<string, number>> {
  const exact = [...new Set(terms.flatMap((t) => [...t.exact, ...(t.phrase ?? [])]))];
  const prefixes = [...new Set(terms.flatMap((t) => t.prefixes))];
  const sql = [`SELECT lexeme, ndoc, '' AS prefix FROM law_terms WHERE lexeme = ANY(?::text[])`,
    ...prefixes.map(() => `SELECT NULL, sum(ndoc), ? FROM law_terms WHERE lexeme LIKE ?`)].join(' UNION ALL ');
  const { rows } = (await db.raw(sql, [exact, ...prefixes.flatMap((p) => [p, `${p.replace(/[\\%_]/g, '\\$&')}%`])])) as {
    rows: Array<{ lexeme: string | null; ndoc: string | number | null; prefix: string }>;
  };
  const byLexeme = new Map(rows.filter((r) => r.lexeme).map((r) => [r.lexeme!, Number(r.ndoc)]));
  const byPrefix = new Map(rows.filter((r) => r.prefix).map((r) => [r.prefix, Number(r.ndoc ?? 0)]));
  const out = new Map<string, number>();
  for (const t of terms) {
    const phrase = t.phrase ? Math.min(...t.phrase.map((l) => byLexeme.get(l) ?? 0)) : 0;
    const sum = t.exact.reduce((a, l) => a + (byLexeme.get(l) ?? 0), 0) + t.prefixes.reduce((a, p) => a + (byPrefix.get(p) ?? 0), 0) + phrase;
    out.set(t.tsquery, sum);
  }
  return out;
}

async function termStats(db: Db, terms: QueryTerm[]): Promise<{ n: number; terms: WeightedTerm[] }> {
  let stats = current;
  if (!stats || Date.now() - stats.at > CORPUS_TTL_MS) {
    const { n } = ((await db('law_chunks').count({ n: '*' })) as Array<{ n: string | number }>)[0]!;
    // A changed size means an import in another process: the frequencies are stale.
    const df = stats && stats.n === Number(n) ? stats.df : new Map<string, number>();
    stats = { n: Number(n), at: Date.now(), df };
    current = stats;
  }
  const { n, df } = stats;
  const missing = terms.filter((t) => !df.has(t.tsquery));
  if (missing.length && n > 0) {
    const found = await lookupFrequencies(db, missing);
    if (df.size + found.size > MAX_CACHED_TERMS) df.clear();
    for (const [key, count] of found) df.set(key, count);
  }
  return {
    n,
    terms: terms.map((t) => {
      const count = Math.min(n, df.get(t.tsquery) ?? 0);
      // BM25's idf; with no library loaded every term weighs the same.
      const idf = n > 0 ? Math.log(1 + (n - count + 0.5) / (count + 0.5)) : 1;
      return { ...t, df: count, idf };
    }),
  };
}

export interface RankPlan {
  terms: WeightedTerm[];
  /** tsqueries that find candidate rows, tried in order while the rows are too few. */
  filters: string[];
  /** SQL for the score of a row with a `tsv` column, and its bindings. */
  score: { sql: string; bindings: Array<string | number> };
}

/** Plans the ranking of a query (`lexed`: already lexed); undefined when it has no searchable word. */
export async function planRanking(db: Db, query: string, lexed?: LexedWord[]): Promise<RankPlan | undefined> {
  const { n, terms } = await termStats(db, await queryTerms(db, query, undefined, lexed));
  if (!terms.length) return undefined;
  const sorted = [...terms].sort((a, b) => a.df - b.df).slice(0, PAIR_TERMS);
  const rare = sorted.map((t) => t.tsquery);
  // A pair of two common words («срок», «общий») would match much of any corpus: a pair
  // needs one word that is uncommon in the library.
  const uncommon = (t: WeightedTerm) => n === 0 || t.df <= n * UNCOMMON_SHARE;
  const pairs = sorted.flatMap((a, i) => sorted.slice(i + 1).filter((b) => uncommon(a) || uncommon(b)).map((b) => `(${a.tsquery} & ${b.tsquery})`));
  const first = [rare[0]!, ...pairs].join(' | ');
  const parts = terms.map(() => `? * ts_rank('${WEIGHTS}', tsv, ?::tsquery, ${NORMALIZATION})`);
  return {
    terms,
    filters: rare.length > 1 ? [first, rare[1]!] : [first],
    score: { sql: `(${parts.join(' + ')})`, bindings: terms.flatMap((t) => [t.idf, t.tsquery]) },
  };
}
