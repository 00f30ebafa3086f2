/**
 * The masked export of a document version (POST /api/documents/{id}/mask, job
 * `documents.mask-export`): a DOCX rewritten in place (masked-docx.ts), any other type as
 * its stored masked text in UTF-8. Masked with the document's registry, so the placeholders
 * are those of the stored text; encrypted with a data key of its own under
 * `documents/<id>/masked-<uuid>` (`documents.masked_key`). Only an export of the current
 * version is served: a new version makes it stale, and the next export replaces its object.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Emitter } from '../emitter.js';
import type { MaskPlan } from '../chat/mask-plan.js';
import { applyMaskPlan } from '../chat/masking.js';
import type { Db } from '../db/knex.js';
import type { Vault } from '../dlp/index.js';
import { domainErrors } from '../errors.js';
import { userRoom } from '../rooms.js';
import type { Storage } from '../storage/index.js';
import { openVersion, ownDocument, stemOf } from './documents.js';
import { encryptStream, newDataKey, readSealed } from './envelope.js';
import { DocumentFailure } from './failure.js';
import { documentText, type IngestTarget } from './ingest.js';
import { openDataKey, sealDataKey } from './keys.js';
import { planDocumentMask, planDocumentMasks } from './mask-plans.js';
import { maskDocx } from './masked-docx.js';
import { Document, type MaskedExport } from './model.js';
import { toPublicDocument } from './public.js';
import { DOC_TYPES } from './types.js';
import { accountVault } from '../privacy/keys.js';
import { withDocumentRegistry } from './document-registry.js';

export interface MaskExportDeps {
  db: Db;
  storage: Storage;
  vault: Vault;
  emitter: Emitter;
}

/** The export failed for good: it is `failed` with this code. */
export class MaskExportError extends DocumentFailure {
  override name = 'MaskExportError';
}

const TEXT_MIME = 'text/plain; charset=utf-8';

/**
 * Marks the current version's export as queued; true when a job is needed (not when it is
 * ready already). Only a `ready` document has the masked text the export must agree with.
 */
export async function queueMaskExport(db: Db, userId: string, documentId: string): Promise<{ doc: Document; enqueue: boolean }> {
  return db.transaction(async (trx) => {
    const doc = await ownDocument(userId, documentId, trx);
    if (doc.status !== 'ready') throw domainErrors.conflict('the document is not processed yet; wait for document.updated with status ready');
    if (doc.masked?.version === doc.version && doc.masked.status === 'ready') return { doc, enqueue: false };
    const masked: MaskedExport = { status: 'queued', version: doc.version };
    return { doc: await doc.$query(trx).patchAndFetch({ masked }), enqueue: true };
  });
}

function emit(deps: MaskExportDeps, doc: Document): void {
  deps.emitter.to(userRoom(doc.user_id)).emit('document.updated', { document: toPublicDocument(doc) });
}

/** The queued export of this version, or undefined when it was superseded, deleted or done. */
const queuedExport = (t: IngestTarget) => Document.query()
  .findOne({ id: t.document_id, version: t.version }).whereNull('deleted_at')
  .whereRaw(`masked->>'status' = 'queued' AND (masked->>'version')::int = ?`, [t.version]);

export async function runMaskExport(deps: MaskExportDeps, t: IngestTarget): Promise<{ bytes: number } | { skipped: string }> {
  const doc = await queuedExport(t);
  if (!doc) return { skipped: 'superseded, deleted or done' };
  const docx = doc.mime_type === DOC_TYPES.docx.mime;
  const plain = docx ? await maskedDocx(deps, doc, t) : await maskedText(deps.db, t);
  if (!plain) return { skipped: 'superseded or deleted while masking' };

  const storageKey = `documents/${doc.id}/masked-${randomUUID()}`;
  const key = newDataKey();
  const filename = `${stemOf(doc.filename)}.masked.${docx ? 'docx' : 'txt'}`;
  const own = await accountVault(deps.db, deps.vault, doc.user_id);
  await deps.storage.put(storageKey, Readable.from(encryptStream(Readable.from([plain]), key)), 'application/octet-stream');

  const masked: MaskedExport = { status: 'ready', version: t.version, mime_type: docx ? DOC_TYPES.docx.mime : TEXT_MIME, size_bytes: plain.length };
  const recorded = await deps.db.transaction(async (trx) => {
    const current = await queuedExport(t).transacting(trx).forUpdate();
    if (!current) return undefined;
    const previous = current.masked_key; // read before the patch, which updates `current` too
    const updated = await current.$query(trx).patchAndFetch({ masked, masked_key: storageKey, masked_sealed_key: sealDataKey(own, storageKey, key, filename) });
    return { updated, previous };
  });
  // Superseded or deleted meanwhile: nothing points at the new object, so it goes.
  if (!recorded) {
    await deps.storage.delete(storageKey);
    return { skipped: 'superseded or deleted while exporting' };
  }
  if (recorded.previous) await deps.storage.delete(recorded.previous);
  emit(deps, recorded.updated);
  return { bytes: plain.length };
}

/**
 * The DOCX rewritten in place; values only in headers or metadata join the registry. Undefined
 * when the export was superseded or its document deleted meanwhile: locking the registry of a
 * destroyed document would create it again (document-registry.ts).
 */
async function maskedDocx(deps: MaskExportDeps, doc: Document, t: IngestTarget): Promise<Buffer | undefined> {
  const opened = await openVersion(deps, doc, t.version);
  const parts: Buffer[] = [];
  for await (const piece of opened.bytes) parts.push(piece);
  const original = Buffer.concat(parts);
  const scope = { type: 'document' as const, id: doc.id, owner: doc.user_id };
  // A first pass only collects the texts, which are scanned on the CPU pool; the second, with
  // the registry locked, numbers them in the order a single pass would.
  const texts = new Set<string>();
  maskDocx(original, {
    text: (value) => {
      texts.add(value);
      return value;
    },
    person: (name) => name,
  });
  const planned = await planDocumentMasks([...texts]);
  const plans = new Map<string, MaskPlan>([...texts].map((value, i) => [value, planned[i]!]));
  return withDocumentRegistry(deps.db, deps.vault, scope, (trx) => queuedExport(t).transacting(trx).forShare(), (_trx, registry) => maskDocx(original, {
    text: (value) => applyMaskPlan(plans.get(value) ?? planDocumentMask(value), registry).masked,
    person: (name) => registry.placeholder('PERSON', name),
  }));
}

async function maskedText(db: Db, t: IngestTarget): Promise<Buffer> {
  const text = await documentText(db, t);
  if (!text) throw new MaskExportError('text_unavailable', 'the masked text of this version is missing; upload the file again');
  return Buffer.from(`${text.text}\n`, 'utf8');
}

/** Fails the queued export of this version for good; the owner is told. */
export async function failMaskExport(deps: MaskExportDeps, t: IngestTarget, error: { code: string; detail: string }): Promise<void> {
  const masked: MaskedExport = { status: 'failed', version: t.version, error };
  const [doc] = await Document.query().patch({ masked })
    .where({ id: t.document_id, version: t.version }).whereNull('deleted_at')
    .whereRaw(`masked->>'status' = 'queued' AND (masked->>'version')::int = ?`, [t.version])
    .returning('*') as unknown as Document[];
  if (doc) emit(deps, doc);
}

export interface OpenedExport {
  filename: string;
  mime_type: string;
  size_bytes: number;
  bytes: AsyncGenerator<Buffer>;
}

/** The ready export of the current version, decrypted as it streams; else a conflict saying why. */
export async function openMaskExport(deps: { db: Db; storage: Storage; vault: Vault }, userId: string, documentId: string): Promise<OpenedExport> {
  const doc = await ownDocument(userId, documentId);
  const masked = doc.masked?.version === doc.version ? doc.masked : undefined;
  if (masked?.status !== 'ready' || !doc.masked_key || !doc.masked_sealed_key) {
    if (masked?.status === 'failed') throw domainErrors.conflict(`the masked export failed: ${masked.error?.code ?? 'failed'}; POST .../mask to try again`);
    throw domainErrors.conflict(masked ? 'the masked export is not ready yet; wait for document.updated' : 'no masked export of the current version; POST /api/documents/{id}/mask first');
  }
  const { key, filename } = openDataKey(await accountVault(deps.db, deps.vault, userId), doc.masked_key, doc.masked_sealed_key);
  return { filename, mime_type: masked.mime_type!, size_bytes: masked.size_bytes!, bytes: readSealed(deps.storage, doc.masked_key, key) };
}
