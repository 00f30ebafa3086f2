import { UnrecoverableError } from 'bullmq';
import { Vault } from '../core/dlp/index.js';
import { DomainError } from '../core/errors.js';
import { buildExport } from '../core/privacy/export.js';
import { loadRequest } from '../core/privacy/requests.js';
import { announcePrivacy } from './privacy-notify.js';
import { defineProcessor } from './processor.js';

/** Builds an export; on its last failed attempt the request is marked failed. */
export default defineProcessor({
  name: 'privacy.export',
  async process(payload, ctx) {
    const request = await loadRequest(ctx.db, payload.request_id);
    if (!request || request.status === 'ready') return { skipped: 'nothing to build' };
    try {
      const built = await buildExport({ db: ctx.db, storage: ctx.storage, vault: new Vault(ctx.secrets.encryptionKey) }, request);
      await announcePrivacy(ctx, (await loadRequest(ctx.db, request.id))!);
      return built;
    } catch (err) {
      const last = err instanceof DomainError || ctx.job.attemptsMade + 1 >= (ctx.job.opts.attempts ?? 1);
      if (!last) throw err;
      const [failed] = await ctx.db('privacy_requests').where({ id: request.id }).update({
        status: 'failed', error: JSON.stringify({ code: 'export_failed', detail: (err as Error).message.slice(0, 300) }), completed_at: ctx.db.fn.now(),
      }).returning('*');
      await announcePrivacy(ctx, failed);
      throw new UnrecoverableError((err as Error).message);
    }
  },
});
