/**
 * Full-text indexes with short pending lists. GIN's fast update keeps new entries in an unsorted
 * list until a vacuum (or 4 MB of them) merges them into the index, and every search reads that
 * list whole: with the list left by a bulk insert, a law search spent about two thirds of its
 * time there, and a search over 100,000 document chunks took p50 18.6 ms against 11.4 ms.
 * - The law library is written only by imports and embedding fills, in the background: its
 *   index takes every entry directly (an import takes about twice as long) and never has a list.
 * - Document chunks are written as documents are indexed: their list is merged at 256 kB
 *   instead of 4 MB (a 500-chunk document's insert took about 20 % longer, and a search reads
 *   some 60 pending entries instead of up to about 1,500).
 * What earlier writes left pending is merged now.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER INDEX law_chunks_tsv_idx SET (fastupdate = off)');
  await knex.raw('ALTER INDEX document_chunks_tsv_idx SET (gin_pending_list_limit = 256)');
  await knex.raw(`SELECT gin_clean_pending_list('law_chunks_tsv_idx'::regclass), gin_clean_pending_list('document_chunks_tsv_idx'::regclass)`);
}
