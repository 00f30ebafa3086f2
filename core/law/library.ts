/**
 * The built-in law library: the shipped codes (core/law/data/codes.json.gz, built by
 * bench/law/pack-laws.ts) imported into Postgres, each article cut into passages for search.
 * Import is idempotent per code: a code whose shipped data did not change (same SHA-256) is
 * skipped, a changed one is replaced whole in one transaction.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Db } from '../db/knex.js';
import type { PackedArticle, PackedCode } from './codes.js';

const DATA = path.join(import.meta.dirname, 'data', 'codes.json.gz');

/** Passages stay under this many characters; an article is cut only between its paragraphs. */
export const PASSAGE_CHARS = 1200;

export function loadShippedCodes(): PackedCode[] {
  return JSON.parse(zlib.gunzipSync(fs.readFileSync(DATA)).toString('utf8')) as PackedCode[];
}

export interface LawPassage {
  ord: number;
  text: string;
  /** The numbered part the passage opens with («1.», «2)»), when it opens with one. */
  clause?: string;
}

/** An article's paragraphs gathered into passages of at most PASSAGE_CHARS (a longer paragraph stands alone). */
export function articlePassages(a: PackedArticle): LawPassage[] {
  const passages: LawPassage[] = [];
  let open: string[] = [];
  let size = 0;
  const close = () => {
    if (!open.length) return;
    const text = open.join('\n');
    const clause = /^(\d+(?:\.\d+)*)[.)]\s/u.exec(text)?.[1];
    passages.push({ ord: passages.length, text, ...(clause ? { clause } : {}) });
    open = [];
    size = 0;
  };
  for (const p of a.clauses) {
    // A numbered part starts a new passage when the open one is already substantial.
    if (open.length && (size + p.length > PASSAGE_CHARS || (/^\d+\.\s/u.test(p) && size > PASSAGE_CHARS / 2))) close();
    open.push(p);
    size += p.length + 1;
  }
  close();
  return passages;
}

const sha256 = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

export interface ImportReport {
  imported: string[];
  unchanged: string[];
}

/**
 * The embedded database runs its statements on this thread and answers them as microtasks, so
 * an import would hold the event loop for all of its seconds (no request, not even /healthz,
 * answered at a first start): each batch lets pending I/O in first.
 */
const yieldToRequests = () => new Promise((resolve) => setImmediate(resolve));

/** Imports the shipped codes (all, or those named) that are missing or changed. */
export async function importLaws(db: Db, only?: string[]): Promise<ImportReport> {
  const report: ImportReport = { imported: [], unchanged: [] };
  const codes = loadShippedCodes();
  for (const [ord, c] of codes.entries()) {
    if (only && !only.includes(c.code)) continue;
    const digest = sha256(c);
    const existing = (await db('law_codes').where({ code: c.code }).first('source_sha256')) as { source_sha256: string } | undefined;
    if (existing?.source_sha256 === digest) {
      report.unchanged.push(c.code);
      continue;
    }
    await db.transaction(async (trx) => {
      await trx('law_codes').where({ code: c.code }).delete();
      await trx('law_codes').insert({
        code: c.code, title: c.title, short_title: c.short_title, edition_date: c.edition_date,
        articles: c.articles.length, ord, source_sha256: digest,
      });
      const articles = c.articles.map((a, i) => ({
        code: c.code, article: a.article, ord: i, title: a.title, section: a.section, chapter: a.chapter, text: a.clauses.join('\n'),
      }));
      for (let i = 0; i < articles.length; i += 500) {
        await trx('law_articles').insert(articles.slice(i, i + 500));
        await yieldToRequests();
      }
      const chunks = c.articles.flatMap((a) =>
        a.clauses[0] === 'Утратила силу.' ? [] : articlePassages(a).map((p) => ({
          code: c.code, article: a.article, ord: p.ord, heading: a.title,
          context: [c.short_title, a.section, a.chapter].filter(Boolean).join(' › '),
          text: p.text, locator: JSON.stringify({ article: a.article, ...(p.clause ? { clause: p.clause } : {}) }),
        })));
      for (let i = 0; i < chunks.length; i += 500) {
        await trx('law_chunks').insert(chunks.slice(i, i + 500));
        await yieldToRequests();
      }
    });
    report.imported.push(c.code);
  }
  const { terms } = ((await db('law_terms').count({ terms: '*' })) as Array<{ terms: string | number }>)[0]!;
  if (report.imported.length || Number(terms) === 0) await refreshTermStats(db);
  return report;
}

/** Recomputes the library's lexeme frequencies (search term weights) in one transaction. */
async function refreshTermStats(db: Db): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('law_terms').delete();
    await trx.raw(`INSERT INTO law_terms (lexeme, ndoc) SELECT word, ndoc FROM ts_stat('SELECT tsv FROM law_chunks')`);
  });
}

export interface LawCodeInfo {
  code: string;
  title: string;
  short_title: string;
  edition_date: string;
  articles: number;
}

export async function listCodes(db: Db): Promise<LawCodeInfo[]> {
  const rows = (await db('law_codes').orderBy('ord').select('code', 'title', 'short_title', 'edition_date', 'articles')) as Array<LawCodeInfo & { edition_date: Date | string }>;
  return rows.map((r) => ({ ...r, edition_date: dateOnly(r.edition_date) }));
}

export async function getArticle(db: Db, code: string, article: string) {
  const row = (await db('law_articles as a')
    .join('law_codes as c', 'c.code', 'a.code')
    .where({ 'a.code': code, 'a.article': article })
    .first('a.code', 'a.article', 'a.title', 'a.text', 'c.edition_date')) as { code: string; article: string; title: string; text: string; edition_date: Date | string } | undefined;
  return row && { ...row, edition_date: dateOnly(row.edition_date) };
}

/** A DATE column comes back as a Date at local midnight (node-postgres) or as a string (PGlite). */
function dateOnly(d: Date | string): string {
  if (typeof d === 'string') return d.slice(0, 10);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
