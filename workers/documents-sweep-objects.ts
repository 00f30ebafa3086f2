import { ORPHAN_GRACE_MS, sweepOrphanObjects } from '../core/documents/orphans.js';
import { defineProcessor } from './processor.js';

/** Daily: stored objects that no document names, left by a process that died before its commit, are deleted. */
export default defineProcessor({
  name: 'documents.sweep-objects',
  async process(_payload, ctx) {
    return sweepOrphanObjects({ db: ctx.db, storage: ctx.storage, log: ctx.log }, new Date(Date.now() - ORPHAN_GRACE_MS));
  },
});
