/**
 * The AI analysis of a document. Provider outages are retried (bounded by the job's
 * attempts); a failure for good (an answer invalid twice, no text, a refused request, or
 * the last attempt) marks the analysis `failed` with a clear code and leaves the document be.
 */
import { describeFailure } from '../core/chat/failures.js';
import { Vault } from '../core/dlp/index.js';
import { AnalysisError, failAnalysis, runAnalysis, type AnalyzeDeps } from '../core/documents/analyze.js';
import { failingForGood } from './fail-for-good.js';
import { defineProcessor } from './processor.js';

export default defineProcessor({
  name: 'documents.analyze',
  process(p, ctx) {
    const deps: AnalyzeDeps = { db: ctx.db, emitter: ctx.emitter, ai: ctx.ai, vault: new Vault(ctx.secrets.encryptionKey) };
    return failingForGood(ctx, 'document analysis', () => runAnalysis(deps, p), {
      // describeFailure knows every AI and DLP failure, and which of them are worth retrying.
      classify: (err) => (err instanceof AnalysisError ? { code: err.code, detail: err.detail } : describeFailure(err)),
      lastResort: { code: 'internal_error', detail: 'the analysis could not be produced' },
      record: (error) => failAnalysis(deps, p, error),
    });
  },
});
