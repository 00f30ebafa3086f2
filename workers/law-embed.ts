import { embedPendingLawChunks, vectorSchema } from '../core/search/vectors.js';
import { embeddingFailure } from './embed-failure.js';
import { defineProcessor } from './processor.js';

/** Fills the vectors of every law chunk that has none; a rerun picks up where one stopped. */
export default defineProcessor({
  name: 'law.embed',
  async process(_p, { db, embedder }) {
    if (!embedder || !(await vectorSchema(db))) return { skipped: 'vector search is off' };
    const embedded = await embedPendingLawChunks(db, embedder).catch(embeddingFailure);
    return { embedded };
  },
});
