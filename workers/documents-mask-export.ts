/**
 * The masked export of a document version. A failure for good (the file does not open or
 * decrypt, a value cannot be rewritten in place, a part cannot be masked at all, masking
 * refused the text, or the last attempt) marks the export `failed` with a clear code; the
 * document itself stays `ready`.
 */
import { DlpError, Vault } from '../core/dlp/index.js';
import { EnvelopeError } from '../core/documents/envelope.js';
import { AlignmentError } from '../core/documents/mask-export-align.js';
import { failMaskExport, MaskExportError, runMaskExport, type MaskExportDeps } from '../core/documents/mask-export.js';
import { UnmaskablePartError } from '../core/documents/masked-docx.js';
import { ZipEntryError } from '../core/documents/zip.js';
import { failingForGood } from './fail-for-good.js';
import { defineProcessor } from './processor.js';

function knownFailure(err: unknown): { code: string; detail: string } | undefined {
  if (err instanceof MaskExportError) return { code: err.code, detail: err.detail };
  if (err instanceof EnvelopeError) return { code: err.code, detail: 'the stored file failed its integrity check' };
  if (err instanceof ZipEntryError) return { code: err.reason === 'too_large' ? 'archive_limits' : 'export_failed', detail: `the DOCX does not open: ${err.message}` };
  if (err instanceof AlignmentError) return { code: 'export_failed', detail: 'a personal value could not be replaced in place' };
  if (err instanceof UnmaskablePartError) return { code: 'export_failed', detail: `the DOCX holds content that cannot be masked in place: ${err.message}` };
  if (err instanceof DlpError && err.code !== 'dlp_timeout') return { code: 'dlp_failed', detail: 'the text could not be masked' };
  return undefined;
}

export default defineProcessor({
  name: 'documents.mask-export',
  process(p, ctx) {
    const deps: MaskExportDeps = { db: ctx.db, storage: ctx.storage, emitter: ctx.emitter, vault: new Vault(ctx.secrets.encryptionKey) };
    return failingForGood(ctx, 'masked export', () => runMaskExport(deps, p), {
      classify: knownFailure,
      lastResort: { code: 'export_failed', detail: 'the export failed repeatedly; try again later' },
      record: (error) => failMaskExport(deps, p, error),
    });
  },
});
