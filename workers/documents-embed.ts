import { embedChunks, mayNotEmbed, vectorSchema } from '../core/search/vectors.js';
import { embeddingFailure } from './embed-failure.js';
import { defineProcessor } from './processor.js';

/** Fills the vectors of a version's chunks; the document is searchable by full text meanwhile. */
export default defineProcessor({
  name: 'documents.embed',
  async process(p, { db, embedder }) {
    if (!embedder || !(await vectorSchema(db))) return { skipped: 'vector search is off' };
    // Only while this version is the document's current one: a newer version brings its own job.
    const ids = await db('document_chunks as c')
      .join('documents as d', (j) => j.on('d.id', 'c.document_id').andOn('d.version', 'c.version'))
      .where({ 'c.document_id': p.document_id, 'c.version': p.version }).whereNull('d.deleted_at')
      .pluck('c.id') as string[];
    if (!ids.length) return { skipped: 'no chunks of this version' };
    const owner = (await db('documents').where({ id: p.document_id }).first('user_id')) as { user_id: string } | undefined;
    if (owner && (await mayNotEmbed(db, embedder, owner.user_id))) return { skipped: 'the owner allows only providers in Russia' };
    const embedded = await embedChunks(db, embedder, 'document_chunks', ids).catch(embeddingFailure);
    return { embedded };
  },
});
