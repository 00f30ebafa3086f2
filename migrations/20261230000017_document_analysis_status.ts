/**
 * Documents, the analysis's progress apart from the analysis. `analysis` holds only a complete
 * analysis (the contract's shape), so a queued or failed run no longer overwrites the last
 * good one; `analysis_status` is the run's state as the owner sees it: `{status, version,
 * error}`. Rows written before move over: a ready analysis stays (without its `status`), a
 * queued or failed one becomes the status alone.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE documents ADD COLUMN analysis_status jsonb');
  await knex.raw(`UPDATE documents SET
      analysis_status = jsonb_build_object('status', analysis->>'status', 'version', (analysis->>'version')::int, 'error', analysis->'error'),
      analysis = CASE WHEN analysis->>'status' = 'ready' THEN analysis - 'status' END
    WHERE analysis->>'status' IS NOT NULL`);
}
