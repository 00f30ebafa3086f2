/**
 * What the three ingestion processors share: a failure for good (an `IngestError`, or a stored
 * object that does not decrypt) fails the document with a clear code; anything else is
 * retried, and fails the document when the attempts run out.
 */
import { Vault } from '../core/dlp/index.js';
import { EnvelopeError } from '../core/documents/envelope.js';
import { IngestError } from '../core/documents/extract.js';
import { failIngest, type IngestDeps, type IngestTarget } from '../core/documents/ingest.js';
import { failingForGood } from './fail-for-good.js';
import type { ProcessorContext } from './processor.js';

/** What a document shows once its ingestion gave up (its attempts ran out, or its jobs died). */
export const INGEST_GAVE_UP = { code: 'ingest_failed', detail: 'processing failed repeatedly; upload the file again' };

export async function runStage<T>(ctx: ProcessorContext, t: IngestTarget, stage: (deps: IngestDeps) => Promise<T>): Promise<T> {
  const deps: IngestDeps = { db: ctx.db, storage: ctx.storage, emitter: ctx.emitter, vault: new Vault(ctx.secrets.encryptionKey) };
  return failingForGood(ctx, 'ingestion stage', () => stage(deps), {
    classify: (err) => (err instanceof IngestError ? { code: err.code, detail: err.detail }
      : err instanceof EnvelopeError ? { code: err.code, detail: 'the stored file failed its integrity check' }
      : undefined),
    lastResort: INGEST_GAVE_UP,
    record: (error) => failIngest(deps, t, error),
  });
}
