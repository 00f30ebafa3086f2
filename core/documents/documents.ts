/**
 * Documents of one user: created by an upload, grown by versions, read back decrypted,
 * hidden at once on delete and destroyed by a job. Titles and file names are typed by a
 * person, so they are masked with the document's own registry before they are stored.
 */
import type { Knex } from 'knex';
import { giveBackUsage, periodTaken, releaseStorage, takeUsage } from '../billing/quotas.js';
import { maskInScope } from '../chat/masking.js';
import type { Db } from '../db/knex.js';
import { Chat } from '../db/models/index.js';
import type { Vault } from '../dlp/index.js';
import { domainErrors } from '../errors.js';
import type { Storage } from '../storage/index.js';
import { readSealed } from './envelope.js';
import { openDataKey } from './keys.js';
import { Document, DocumentVersion, type DocumentKind } from './model.js';
import { destroyRegistry } from '../pii-vault.js';
import type { StoredFile } from './upload.js';
import { accountVault } from '../privacy/keys.js';
import type { ReviewEffects } from '../reviews/effects.js';
import { announceChanged, cancelReviewsOf } from '../reviews/work.js';

export interface DocumentDeps {
  db: Db;
  vault: Vault;
}

export interface NewDocument {
  title?: string;
  kind?: DocumentKind;
  chat_id?: string;
}

/** The caller's live document; another user's, or a deleted one, is indistinguishable from none. */
export async function ownDocument(userId: string, documentId: string, trx?: Knex.Transaction): Promise<Document> {
  const query = Document.query(trx).findOne({ id: documentId, user_id: userId }).whereNull('deleted_at');
  const doc = await (trx ? query.forUpdate() : query);
  if (!doc) throw domainErrors.notFound('no such document');
  return doc;
}

/** Checks that every id names a document of the user that is not deleted (`not_found` otherwise). */
export async function ownDocuments(db: Db, userId: string, documentIds: string[]): Promise<void> {
  const ids = [...new Set(documentIds)];
  const owned = (await db('documents').whereIn('id', ids).where({ user_id: userId }).whereNull('deleted_at').pluck('id')) as string[];
  if (owned.length !== ids.length) throw domainErrors.notFound('no such document');
}

/** A first version is `uploaded`; a later one makes its document `processing` again (API.md). */
const stored = (file: StoredFile, version: number) => ({
  status: version === 1 ? 'uploaded' as const : 'processing' as const,
  mime_type: file.mime,
  size_bytes: file.size,
  version,
  progress: { stage: 'stored', percent: 10, version },
  error: null,
});

const versionRow = (documentId: string, version: number, file: StoredFile) => ({
  document_id: documentId, version, storage_key: file.storageKey, size_bytes: file.size,
  mime_type: file.mime, sha256: file.sha256, sealed_key: file.sealedKey,
});

/**
 * A name's words apart, as it is shown once masked: names and numbers joined by `_`
 * (Иванов_Иван_паспорт_4510_123456) read as one word to the detectors, which then miss them.
 * The original file name stays sealed with the file's key, for downloads.
 */
const spaced = (name: string) => name.replace(/_+/g, ' ');

/** A file name's stem, its words apart: also those joined by `-` (Договор-Петрова-Анна-Сергеевна). */
const stemWords = (stem: string) => spaced(stem).replace(/-+/g, ' ');

const extensionOf = (filename: string) => /.\.[^.]*$/.test(filename) ? filename.slice(filename.lastIndexOf('.')) : '';

/** A file name without its extension (a leading dot is not one). */
export const stemOf = (filename: string) => filename.slice(0, filename.length - extensionOf(filename).length);

/** A file name as it is shown once masked: its stem's words apart, its extension as it was. */
const fileWords = (filename: string) => stemWords(stemOf(filename)) + extensionOf(filename);

/**
 * An upload commits only for an account still active, its row share-locked: one blocked (an
 * erasure starts with a block) while the file streamed in is refused, and its object discarded,
 * rather than leaving a document behind the erasure's documents step.
 */
async function activeOwner(trx: Knex.Transaction, userId: string): Promise<void> {
  const owner = await trx('users').where({ id: userId }).forShare().first('status');
  if (owner?.status !== 'active') throw domainErrors.forbidden('this account is blocked');
}

export async function createDocument(deps: DocumentDeps, userId: string, documentId: string, input: NewDocument, file: StoredFile): Promise<Document> {
  if (input.chat_id && !(await Chat.query().findOne({ id: input.chat_id, user_id: userId }))) throw domainErrors.notFound('no such chat');
  return deps.db.transaction(async (trx) => {
    await activeOwner(trx, userId);
    // The plan's documents a period and storage: 402 past either, and the stored object is discarded.
    await takeUsage(trx, userId, 'documents');
    await takeUsage(trx, userId, 'storage_bytes', file.size);
    const [filename, title] = await maskInScope(trx, deps.vault, { type: 'document', id: documentId, owner: userId }, [fileWords(file.filename), input.title === undefined ? stemWords(stemOf(file.filename)) : spaced(input.title)]);
    const now = new Date(); // millisecond precision keeps keyset cursors exact
    const doc = await Document.query(trx).insertAndFetch({
      id: documentId, user_id: userId, chat_id: input.chat_id ?? null, kind: input.kind ?? 'other',
      title: title!, filename: filename!, ...stored(file, 1), created_at: now, updated_at: now,
    });
    await DocumentVersion.query(trx).insert({ ...versionRow(documentId, 1, file), created_at: now });
    return doc;
  });
}

/** What a new version changed in its document, kept so the version can be withdrawn. */
type Shown = Pick<Document, 'filename' | 'status' | 'mime_type' | 'size_bytes' | 'version' | 'progress' | 'error'>;

/** A committed upload: the document as it now is and, for a later version, as it was before. */
export interface CommittedUpload {
  doc: Document;
  before?: Shown;
}

/**
 * A new version: the document is locked, so two versions at once get distinct numbers. Its
 * registry is locked before it (the file name is masked with it), in the order masking,
 * analysis and the export take them: the other order deadlocks with them. The document is
 * checked to be the caller's first, unlocked, so no one else's registry is touched.
 */
export async function addVersion(deps: DocumentDeps, userId: string, documentId: string, file: StoredFile): Promise<CommittedUpload> {
  return deps.db.transaction(async (trx) => {
    await activeOwner(trx, userId);
    await ownDocuments(trx, userId, [documentId]);
    const [filename] = await maskInScope(trx, deps.vault, { type: 'document', id: documentId, owner: userId }, [fileWords(file.filename)]);
    const doc = await ownDocument(userId, documentId, trx);
    const { filename: name, status, mime_type, size_bytes, version: previous, progress, error } = doc;
    const before = { filename: name, status, mime_type, size_bytes, version: previous, progress, error };
    const version = previous + 1;
    await takeUsage(trx, userId, 'storage_bytes', file.size);
    await DocumentVersion.query(trx).insert(versionRow(documentId, version, file));
    return { doc: await doc.$query(trx).patchAndFetch({ filename: filename!, ...stored(file, version) }), before };
  });
}

/**
 * Takes back a committed upload whose processing could not be queued, so the client's `503`
 * is true (nothing was kept) and its retry starts clean. A first version takes its document
 * and the registry that masked its names with it; a later version is removed and the document
 * shows what it showed before, unless a newer version has become current meanwhile. The
 * caller removes the object once the rows no longer point at it.
 */
export async function withdrawUpload(db: Db, upload: CommittedUpload): Promise<void> {
  const { doc, before } = upload;
  await db.transaction(async (trx) => {
    await releaseStorage(trx, doc.user_id, Number(doc.size_bytes));
    if (!before) {
      await giveBackUsage(trx, doc.user_id, await periodTaken(trx, doc.user_id, 'documents'));
      await destroyRegistry(trx, { type: 'document', id: doc.id });
      await Document.query(trx).deleteById(doc.id); // its version cascades
      return;
    }
    const current = await Document.query(trx).findById(doc.id).forUpdate();
    await DocumentVersion.query(trx).delete().where({ document_id: doc.id, version: doc.version });
    if (current?.version === doc.version) await current.$query(trx).patch(before);
  });
}

export async function listVersions(doc: Document): Promise<DocumentVersion[]> {
  return DocumentVersion.query().where({ document_id: doc.id }).orderBy('version', 'desc');
}

export interface OpenedVersion {
  version: DocumentVersion;
  filename: string;
  /** The original bytes, each chunk released only after it authenticated. */
  bytes: AsyncGenerator<Buffer>;
}

export async function openVersion(deps: { db: Db; storage: Storage; vault: Vault }, doc: Document, version?: number): Promise<OpenedVersion> {
  const row = await DocumentVersion.query().findOne({ document_id: doc.id, version: version ?? doc.version });
  if (!row) throw domainErrors.notFound('no such version');
  const { key, filename } = openDataKey(await accountVault(deps.db, deps.vault, doc.user_id), row.storage_key, row.sealed_key);
  return { version: row, filename, bytes: readSealed(deps.storage, row.storage_key, key) };
}

/** Hides the document from every answer at once; `destroy` (a job) removes it for good. */
export async function hideDocument(userId: string, documentId: string): Promise<void> {
  const hidden = await Document.query().patch({ deleted_at: new Date() }).where({ id: documentId, user_id: userId }).whereNull('deleted_at');
  if (!hidden) {
    // A delete whose job could not be queued is repeated by the client: queue it again.
    const pending = await Document.query().findOne({ id: documentId, user_id: userId }).whereNotNull('deleted_at');
    if (!pending) throw domainErrors.notFound('no such document');
  }
}

/**
 * Removes every version's object, the masked export, the registry and the rows of a hidden
 * document. Idempotent. An open lawyer review of it ends `cancelled` first, as the owner's
 * cancel would end it (the lawyer's slot comes back, both are told), before the delete
 * cascades to it.
 */
export async function destroyDocument(deps: { db: Db; storage: Storage; reviews: ReviewEffects }, documentId: string): Promise<{ objects: number } | undefined> {
  const doc = await Document.query().findOne({ id: documentId }).whereNotNull('deleted_at');
  if (!doc) return undefined;
  const versions = await DocumentVersion.query().where({ document_id: documentId });
  for (const v of versions) await deps.storage.delete(v.storage_key);
  if (doc.masked_key) await deps.storage.delete(doc.masked_key);
  const cancelled = await deps.db.transaction(async (trx) => {
    const reviews = await cancelReviewsOf(trx, { document_id: documentId }, 'documents.delete');
    // The registry before the row: maskers lock the registry, then check the document.
    await destroyRegistry(trx, { type: 'document', id: documentId });
    const gone = await Document.query(trx).deleteById(documentId);
    if (gone) await releaseStorage(trx, doc.user_id, versions.reduce((sum, v) => sum + Number(v.size_bytes), 0));
    return reviews;
  });
  await announceChanged(deps.reviews, cancelled);
  return { objects: versions.length };
}
