/**
 * The ingestion flow of one document version: `documents.extract` (grandchild) ->
 * `documents.mask` (child) -> `documents.index` (parent), all on the `documents` queue; a
 * parent runs once its child is done. Job ids derive from the document id and version, so
 * enqueueing the same version twice adds nothing. Payloads are ids only.
 */
import type { JobsOptions } from 'bullmq';
import type { Queues } from './queues.js';
import { DEFAULT_JOB_OPTIONS, JOBS } from './registry.js';

export const ingestJobId = (stage: 'extract' | 'mask' | 'index', documentId: string, version: number) => `doc-${stage}-${documentId}-v${version}`;

/** Bounded retries: a stage that fails for good fails the document, and its parents with it. */
const STAGE_OPTIONS: JobsOptions = { ...DEFAULT_JOB_OPTIONS, attempts: 3, backoff: { type: 'exponential', delay: 500 } };

export async function enqueueIngest(queues: Queues, documentId: string, version: number): Promise<void> {
  const data = JOBS['documents.extract'].payload.parse({ document_id: documentId, version });
  const queueName = JOBS['documents.extract'].queue;
  const child = { ...STAGE_OPTIONS, failParentOnFailure: true };
  await queues.flows.add({
    name: 'documents.index', queueName, data,
    opts: { ...STAGE_OPTIONS, jobId: ingestJobId('index', documentId, version) },
    children: [{
      name: 'documents.mask', queueName, data,
      opts: { ...child, jobId: ingestJobId('mask', documentId, version) },
      children: [{ name: 'documents.extract', queueName, data, opts: { ...child, jobId: ingestJobId('extract', documentId, version) } }],
    }],
  });
}
