import { maskStage } from '../core/documents/ingest.js';
import { runStage } from './documents-ingest-stage.js';
import { defineProcessor } from './processor.js';

/** Ingestion stage 2: masks the text its child extracted; stores only the masked text. */
export default defineProcessor({
  name: 'documents.mask',
  async process(p, ctx) {
    const [extracted] = Object.values(await ctx.job.getChildrenValues()) as Array<{ sealed?: string }>;
    return runStage(ctx, p, (deps) => maskStage(deps, p, extracted?.sealed));
  },
});
