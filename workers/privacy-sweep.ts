import { requeueIfDead } from '../pipelines/privacy.js';
import { defineProcessor } from './processor.js';

/** Open export and erasure requests older than a minute whose job is gone or failed are queued again. */
export default defineProcessor({
  name: 'privacy.sweep',
  async process(_payload, { db, queues, log }) {
    const open = await db('privacy_requests').whereIn('status', ['queued', 'running'])
      .where('created_at', '<', db.raw(`now() - interval '1 minute'`)).select('id', 'type');
    let requeued = 0;
    for (const r of open) {
      if (await requeueIfDead(queues, r.type === 'erasure' ? 'privacy.erase' : 'privacy.export', r.id)) requeued++;
    }
    if (requeued) log.warn({ requeued }, 'privacy requests queued again');
    return { open: open.length, requeued };
  },
});
