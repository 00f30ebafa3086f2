import { failIngest } from '../core/documents/ingest.js';
import { Vault } from '../core/dlp/index.js';
import { deadIngestions, requeueDestroys } from '../pipelines/documents-sweep.js';
import { INGEST_GAVE_UP } from './documents-ingest-stage.js';
import { defineProcessor } from './processor.js';

/** Every minute: deleted documents are destroyed in the end, and none stays stored or processing for good. */
export default defineProcessor({
  name: 'documents.sweep',
  async process(_payload, ctx) {
    const { db, queues, log } = ctx;
    const destroys = await requeueDestroys(db, queues);
    const dead = await deadIngestions(db, queues);
    const deps = { db, storage: ctx.storage, emitter: ctx.emitter, vault: new Vault(ctx.secrets.encryptionKey) };
    for (const t of dead) await failIngest(deps, t, INGEST_GAVE_UP);
    if (destroys || dead.length) log.warn({ destroys, failed: dead.length }, 'documents swept: destructions queued again, dead ingestions failed');
    return { destroys, failed: dead.length };
  },
});
