import { Vault } from '../core/dlp/index.js';
import { DomainError } from '../core/errors.js';
import { buildExport } from '../core/privacy/export.js';
import { loadRequest, type PrivacyRequestRow } from '../core/privacy/requests.js';
import { failingForGood } from './fail-for-good.js';
import { announcePrivacy } from './privacy-notify.js';
import { defineProcessor } from './processor.js';

/** Builds an export; a refusal ends it at once, anything else once its attempts run out, marking the request failed. */
export default defineProcessor({
  name: 'privacy.export',
  async process(payload, ctx) {
    const request = await loadRequest(ctx.db, payload.request_id);
    if (!request || request.status === 'ready') return { skipped: 'nothing to build' };
    return failingForGood(ctx, 'export', async () => {
      const announce = (r: PrivacyRequestRow) => announcePrivacy(ctx, r);
      const built = await buildExport({ db: ctx.db, storage: ctx.storage, vault: new Vault(ctx.secrets.encryptionKey) }, request, announce);
      await announcePrivacy(ctx, (await loadRequest(ctx.db, request.id))!);
      return built;
    }, {
      classify: (err) => (err instanceof DomainError ? { code: err.code, detail: err.message } : undefined),
      lastResort: { code: 'export_failed', detail: 'the export could not be built; ask for a new one' },
      async record(error) {
        const [failed] = await ctx.db('privacy_requests').where({ id: request.id }).update({
          status: 'failed', error: JSON.stringify(error), completed_at: ctx.db.fn.now(),
        }).returning('*');
        await announcePrivacy(ctx, failed);
      },
    });
  },
});
