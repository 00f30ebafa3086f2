import { indexStage } from '../core/documents/ingest.js';
import { enqueueVersionJob } from '../pipelines/on-demand.js';
import { runStage } from './documents-ingest-stage.js';
import { defineProcessor } from './processor.js';

/** Ingestion stage 3: chunks the masked text by its headings; the document is then ready, and its vectors are queued. */
export default defineProcessor({
  name: 'documents.index',
  async process(p, ctx) {
    const result = await runStage(ctx, p, (deps) => indexStage(deps, p));
    // Vectors come after `ready`: full-text search serves the document meanwhile.
    if (ctx.embedder && result && typeof result === 'object' && 'chunks' in result) await enqueueVersionJob(ctx.queues, 'documents.embed', p.document_id, p.version);
    return result;
  },
});
