import { destroyDocument } from '../core/documents/documents.js';
import { reviewEffects } from './review-deps.js';
import { defineProcessor } from './processor.js';

/** Removes a deleted document for good. Idempotent: a retry finds less, or nothing, to do. */
export default defineProcessor({
  name: 'documents.destroy',
  async process(payload, ctx) {
    const { db, storage, log } = ctx;
    const done = await destroyDocument({ db, storage, reviews: reviewEffects(ctx) }, payload.document_id);
    if (!done) return { skipped: 'not deleted or already destroyed' };
    log.info({ document_id: payload.document_id, objects: done.objects }, 'document destroyed');
    return done;
  },
});
