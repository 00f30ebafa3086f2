/**
 * Lawyer review: a review of a document names the version it covers (`document_version`, the
 * current one at its request), so a newer version, processing or ready, does not change what
 * the lawyer reads. Reviews stored before take the newest version whose text was there when
 * they were requested (a document is reviewed only once ready, so its text was); one older than
 * every text (the service's and the database's clocks apart) takes the document's current one.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE lawyer_reviews ADD COLUMN document_version integer');
  await knex.raw(`UPDATE lawyer_reviews r SET document_version = coalesce(
      (SELECT max(t.version) FROM document_texts t WHERE t.document_id = r.document_id AND t.created_at <= r.created_at),
      (SELECT d.version FROM documents d WHERE d.id = r.document_id))
    WHERE r.document_id IS NOT NULL`);
}
