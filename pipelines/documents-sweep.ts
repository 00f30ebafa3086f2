/**
 * What keeps a document from being stuck for good when its jobs die: a deleted document whose
 * destruction failed or was never queued is queued again, and one still shown as stored or
 * processing whose ingestion flow is over (failed, stalled out, gone, never queued, or done
 * without making it ready) fails with the code a last failed attempt gives, so its owner can
 * upload it again.
 */
import type { Knex } from 'knex';
import { ingestJobId } from './documents-ingest.js';
import { freeJobId, type Queues } from './queues.js';

export const destroyJobId = (documentId: string) => `doc-destroy-${documentId}`;

/**
 * Queues the destruction of a hidden document, unless one is queued or running (then it answers
 * false). One that failed, or completed with the row still there, gives way to a new one.
 */
export async function enqueueDestroy(queues: Queues, documentId: string): Promise<boolean> {
  if (!(await freeJobId(queues.get('documents'), destroyJobId(documentId), ['failed', 'completed']))) return false;
  await queues.add('documents.destroy', { document_id: documentId }, { jobId: destroyJobId(documentId) });
  return true;
}

/** How long a document may sit in a state before the sweep looks at its jobs: its own enqueue may be under way. */
const GRACE = "interval '2 minutes'";
const PAGE = 500;

/** Hidden documents whose destruction job is not queued or running: queued again. Returns how many. */
export async function requeueDestroys(db: Knex, queues: Queues): Promise<number> {
  const hidden: string[] = await db('documents').whereNotNull('deleted_at').where('deleted_at', '<', db.raw(`now() - ${GRACE}`))
    .orderBy('deleted_at').limit(PAGE).pluck('id');
  let queued = 0;
  for (const id of hidden) if (await enqueueDestroy(queues, id)) queued++;
  return queued;
}

/**
 * Versions shown as stored or processing whose ingestion flow has ended (its last stage failed,
 * done, or gone) or was never queued (the API stopped between its commit and the enqueue).
 */
export async function deadIngestions(db: Knex, queues: Queues): Promise<Array<{ document_id: string; version: number }>> {
  const unfinished: Array<{ id: string; version: number }> = await db('documents').whereIn('status', ['uploaded', 'processing']).whereNull('deleted_at')
    .where('updated_at', '<', db.raw(`now() - ${GRACE}`)).orderBy('updated_at').limit(PAGE).select('id', 'version');
  const dead = [];
  for (const doc of unfinished) {
    // The last stage waits for the others (a failed child fails it): its state is the flow's.
    const last = await queues.get('documents').getJob(ingestJobId('index', doc.id, doc.version));
    const state = last ? await last.getState() : 'unknown';
    if (['failed', 'completed', 'unknown'].includes(state)) dead.push({ document_id: doc.id, version: doc.version });
  }
  return dead;
}
