/**
 * Retrieval for chat answers, and the check of what the answer cites. The context stage
 * gives the model numbered passages from the chat's documents and the law library; after
 * generation, every `[n]` in the answer must name a passage that was given, and each
 * citation's `quote` must be a verbatim span of that passage, or it is dropped.
 */
import type { Db } from '../db/knex.js';
import { LAW_CODES } from '../law/codes.js';
import type { LexedWord } from '../search/query.js';
import { search, type SearchSource, type VectorRanker } from '../search/search.js';

/** How many passages the model is given. */
export const RAG_PASSAGES = 6;

export interface Passage {
  n: number;
  source: SearchSource;
  chunk_id: string;
  text: string;
  locator: Record<string, unknown>;
}

export interface Citation {
  n: number;
  source: SearchSource;
  chunk_id: string;
  quote: string;
  locator: Record<string, unknown>;
}

/**
 * The RAG hook of the reply stage: finds passages for a question, among the law library and
 * the chat's documents (`documentIds`, see chatDocumentIdsSql); `lexed`: the question already
 * lexed (lexedWordsSql), both read with the turn.
 */
export type PassageSource = (query: { userId: string; question: string; documentIds: string[]; lexed?: LexedWord[] }) => Promise<Passage[]>;

export const noPassages: PassageSource = async () => [];

/**
 * SQL for the ids of a chat's documents (uploaded with its chat_id, or linked to it) as a
 * uuid[], for the statement that reads the turn. Bindings: user, chat, chat.
 */
export const chatDocumentIdsSql = `ARRAY(SELECT d.id FROM documents d WHERE d.user_id = ? AND d.deleted_at IS NULL
       AND (d.chat_id = ? OR d.id IN (SELECT cd.document_id FROM chat_documents cd WHERE cd.chat_id = ?)))`;

export function createPassageSource(deps: { db: Db; vectors?: VectorRanker }): PassageSource {
  return async ({ userId, question, documentIds, lexed }) => {
    const hits = await search(deps, {
      userId, query: question, limit: RAG_PASSAGES, ...(lexed ? { lexed } : {}),
      ...(documentIds.length ? { scope: 'all' as const, documentIds } : { scope: 'law' as const }),
    });
    return hits.map((h, i) => ({ n: i + 1, source: h.source, chunk_id: h.chunk_id, text: h.text, locator: h.locator }));
  };
}

const SHORT_TITLE = new Map<string, string>(LAW_CODES.map((c) => [c.code, c.short_title]));

/** How a passage is named to the model and to the reader: «ГК РФ, Статья 450. …» or «Документ «…», п. 5.1». */
export function passageLabel(p: Pick<Passage, 'source' | 'locator'>): string {
  const clause = typeof p.locator.clause === 'string' ? p.locator.clause : undefined;
  if (p.source.type === 'law') return `${SHORT_TITLE.get(p.source.code) ?? p.source.code}, ${p.source.title}${clause ? `, ч./п. ${clause}` : ''}`;
  const page = typeof p.locator.page === 'number' ? `, стр. ${p.locator.page}` : '';
  return `Документ «${p.source.title}»${clause ? `, ${clause}` : ''}${page}`;
}

const norm = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();
const words = (s: string) => new Set(norm(s).match(/[\p{L}\d]{3,}/gu) ?? []);

/** The passage's sentence that shares the most words with the answer's sentence (verbatim by construction). */
function bestSentence(passage: string, sentence: string): string {
  const wanted = words(sentence);
  const candidates = passage.split(/(?<=[.!?;])\s+|\n+/u).map((s) => s.trim()).filter((s) => s.length > 20);
  let best = candidates[0] ?? passage.slice(0, 300);
  let score = -1;
  for (const c of candidates) {
    const overlap = [...words(c)].filter((w) => wanted.has(w)).length;
    if (overlap > score) [best, score] = [c, overlap];
  }
  return best.length > 400 ? best.slice(0, 400) : best;
}

/**
 * Checks an answer against the passages it was given: a marker `[n]` with no such passage is
 * removed from the text; each valid marker gives one citation, whose quote is the «…» the
 * answer put before it when that is verbatim in the passage, else the passage's sentence
 * nearest to the answer's sentence.
 */
export function citeAnswer(text: string, passages: Passage[]): { text: string; citations: Citation[] } {
  const byN = new Map(passages.map((p) => [p.n, p]));
  const citations = new Map<number, Citation>();
  const cleaned = text.replace(/\s?\[(\d{1,2})\]/g, (marker, digits: string, offset: number) => {
    const p = byN.get(Number(digits));
    if (!p) return '';
    if (!citations.has(p.n)) {
      const before = text.slice(Math.max(0, offset - 600), offset);
      const sentence = before.split(/(?<=[.!?])\s+|\n/u).at(-1) ?? before;
      const quoted = /[«"]([^«»"]{8,400})[»"]\s*$/u.exec(before.trimEnd())?.[1];
      const quote = quoted && p.text.includes(quoted) ? quoted : bestSentence(p.text, sentence);
      citations.set(p.n, { n: p.n, source: p.source, chunk_id: p.chunk_id, quote, locator: p.locator });
    }
    return marker;
  });
  return { text: cleaned, citations: [...citations.values()].sort((a, b) => a.n - b.n) };
}
