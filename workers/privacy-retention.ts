import { archiveOldMonths } from '../core/audit-archive.js';
import { applyRetention } from '../core/privacy/retention.js';
import { defineProcessor } from './processor.js';

/** Daily: deletes what outlived its period, and archives audit months older than a year. */
export default defineProcessor({
  name: 'privacy.retention',
  async process(_payload, ctx) {
    const removed = await applyRetention({ db: ctx.db, storage: ctx.storage }, ctx.config.retention.chatDays);
    const archived = await archiveOldMonths({ db: ctx.db, storage: ctx.storage, encryptionKey: ctx.secrets.encryptionKey });
    ctx.log.info({ ...removed, archived }, 'retention applied');
    return { ...removed, archived };
  },
});
