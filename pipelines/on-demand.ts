/**
 * On-demand work on a document version (analysis, masked export, vectors) and on the law
 * library (vectors). Job ids name the work, so a repeat while one is queued or running adds
 * nothing; finished jobs are removed, so a later request runs again.
 */
import type { Queues } from './queues.js';
import { EMBED_JOB_OPTIONS, ON_DEMAND_JOB_OPTIONS } from './registry.js';

export type VersionJob = 'documents.analyze' | 'documents.mask-export' | 'documents.embed';

/** `doc-<kind>-<document>-v<version>`, e.g. `doc-embed-…-v1`. */
export const versionJobId = (job: VersionJob, documentId: string, version: number) =>
  `doc-${job.slice('documents.'.length)}-${documentId}-v${version}`;

export async function enqueueVersionJob(queues: Queues, job: VersionJob, documentId: string, version: number): Promise<void> {
  const options = job === 'documents.embed' ? EMBED_JOB_OPTIONS : ON_DEMAND_JOB_OPTIONS;
  await queues.add(job, { document_id: documentId, version }, { ...options, jobId: versionJobId(job, documentId, version) });
}

/** After a law import: embed every law chunk that has no vector yet. */
export async function enqueueLawEmbed(queues: Queues): Promise<void> {
  await queues.add('law.embed', {}, { ...EMBED_JOB_OPTIONS, jobId: 'law-embed' });
}
