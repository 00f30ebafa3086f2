import { extractStage } from '../core/documents/ingest.js';
import { runStage } from './documents-ingest-stage.js';
import { defineProcessor } from './processor.js';

/** Ingestion stage 1: extracts a version's text; it leaves this job sealed. */
export default defineProcessor({
  name: 'documents.extract',
  process: (p, ctx) => runStage(ctx, p, (deps) => extractStage(deps, p)),
});
