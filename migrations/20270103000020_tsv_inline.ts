/**
 * Full-text vectors kept in the row (`STORAGE MAIN`: compressed in line, moved out only if the
 * row cannot fit otherwise). A ranking scores each candidate row with one `ts_rank` per term of
 * the question, and each call read an out-of-line vector again from the TOAST table: a
 * seven-term law question's ranking read 2,497 buffers for 135 candidates, 185 once the vectors
 * were in line (its statement 3.2 -> 2.1 ms). The law library's rows are rewritten now (the
 * vector is generated, so the text is set to itself); document chunks take it as they are
 * written, a table too large to rewrite in a migration.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE law_chunks ALTER COLUMN tsv SET STORAGE MAIN');
  await knex.raw('ALTER TABLE document_chunks ALTER COLUMN tsv SET STORAGE MAIN');
  await knex.raw('UPDATE law_chunks SET text = text');
}
