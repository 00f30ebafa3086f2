import { writeDigest } from '../core/audit-archive.js';
import { defineProcessor } from './processor.js';

/** Daily: the signed digest of the audit chain's head, to storage. */
export default defineProcessor({
  name: 'privacy.audit-digest',
  async process(payload, ctx) {
    const day = payload.day ?? new Date().toISOString().slice(0, 10);
    return writeDigest({ db: ctx.db, storage: ctx.storage, encryptionKey: ctx.secrets.encryptionKey }, day);
  },
});
