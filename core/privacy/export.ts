/**
 * The export (GDPR art. 15 and 20, 152-FZ art. 14): everything held about a person, in
 * machine-readable JSON, with their own values put back from the PII vaults (the export is
 * theirs), and their documents' original bytes; the smaller records are export-records.ts's. Written as a ZIP streamed through the same
 * envelope encryption as documents (a fresh data key, sealed) into storage; its link works
 * for seven days, for its owner only.
 */
import { Readable } from 'node:stream';
import type { Knex } from 'knex';
import yazl from 'yazl';
import { AUDIT_IP_KEY, byActor, withReadableIp } from '../audit.js';
import { toPublicPayment } from '../billing/view.js';
import { restore, type Vault } from '../dlp/index.js';
import { encryptStream, newDataKey, readSealed } from '../documents/envelope.js';
import { openDataKey, sealDataKey } from '../documents/keys.js';
import { readRegistry } from '../pii-vault.js';
import { toPublicReview } from '../reviews/view.js';
import type { Storage } from '../storage/index.js';
import { domainErrors } from '../errors.js';
import { recordStep, type PrivacyRequestRow } from './requests.js';
import { documentsOf, lawyerOf, privacyRequestsOf, sessionsOf, subscriptionsOf, usageOf } from './export-records.js';
import { accountVault } from './keys.js';

export const EXPORT_DAYS = 7;

export interface ExportDeps {
  db: Knex;
  storage: Storage;
  vault: Vault;
}

const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
/** A name safe inside the archive: no directories, no control characters. */
const entryName = (name: string) => name.replace(/[\\/\p{Cc}]/gu, '_').slice(0, 120) || 'file';

async function chatsOf(deps: ExportDeps, userId: string) {
  const chats = await deps.db('chats').where({ user_id: userId }).orderBy('created_at');
  const out = [];
  for (const chat of chats) {
    const registry = await readRegistry(deps.db, deps.vault, { type: 'chat', id: chat.id, owner: userId });
    const back = (text: string | null) => (text === null ? null : restore(text, registry));
    const messages = await deps.db('messages').where({ chat_id: chat.id }).orderBy('created_at').orderBy('id');
    out.push({
      id: chat.id, title: back(chat.title), type: chat.type, status: chat.status, created_at: chat.created_at,
      messages: messages.map((m: Record<string, unknown>) => ({ id: m.id, sender: m.sender, content: back(m.content as string | null), status: m.status, created_at: m.created_at, meta: m.meta })),
    });
  }
  return out;
}

/**
 * Builds the archive for a queued export; a rerun after a crash builds it again from the start.
 * `onStep` hears the request after each step (the first makes it running), for its owner to follow.
 */
export async function buildExport(deps: ExportDeps, request: PrivacyRequestRow, onStep: (r: PrivacyRequestRow) => Promise<void> = async () => undefined): Promise<{ files: number }> {
  const { db } = deps;
  const userId = request.user_id;
  const user = await db('users').where({ id: userId }).first('id', 'email', 'name', 'role', 'status', 'created_at');
  if (!user) throw domainErrors.notFound('the account no longer exists');
  const zip = new yazl.ZipFile();
  // yazl pipes an entry on without listening for its errors: unheard, an object that cannot be
  // read (gone with a deleted document, tampered with, a store that failed) would end the whole
  // process. Its error fails the archive's output instead, and reading that output to store it
  // then fails this build, which is retried. The output's error may come before it is read:
  // heard here, it is thrown by the read.
  const output = zip.outputStream as Readable; // a PassThrough, typed by yazl as a bare ReadableStream
  output.on('error', () => undefined);
  let files = 0;
  const add = (name: string, body: Buffer) => {
    zip.addBuffer(body, name);
    files++;
  };
  add('profile.json', json(user));
  const chats = await chatsOf(deps, userId);
  for (const chat of chats) add(`chats/${chat.id}.json`, json(chat));
  await onStep(await recordStep(db, request.id, 'chats', chats.length));

  // Every held version of the live documents, in one read, opened with the account's key read once.
  const versions: Array<{ document_id: string; version: number; current: number; storage_key: string; sealed_key: string }> = await db('document_versions as v')
    .join('documents as d', 'd.id', 'v.document_id')
    .where('d.user_id', userId).whereNull('d.deleted_at')
    .orderBy('d.created_at').orderBy('d.id').orderBy('v.version')
    .select('v.document_id', 'v.version', 'd.version as current', 'v.storage_key', 'v.sealed_key');
  const keys = versions.length ? await accountVault(db, deps.vault, userId) : undefined;
  for (const v of versions) {
    const { key, filename } = openDataKey(keys!, v.storage_key, v.sealed_key);
    // The current version at `documents/<id>/<name>`; earlier ones, still held and downloadable,
    // at `documents/<id>/versions/<n>/<name>`.
    const folder = v.version === v.current ? `documents/${v.document_id}` : `documents/${v.document_id}/versions/${v.version}`;
    // Opened only once the archive reaches it: entries are written one after another.
    const entry = Readable.from(readSealed(deps.storage, v.storage_key, key));
    entry.on('error', (err) => output.destroy(err));
    zip.addReadStream(entry, `${folder}/${entryName(filename)}`);
    files++;
  }
  await onStep(await recordStep(db, request.id, 'documents', new Set(versions.map((v) => v.document_id)).size));
  add('documents.json', json(await documentsOf(db, deps.vault, userId)));

  const reviews = await db('lawyer_reviews as r').leftJoin('users as l', 'l.id', 'r.lawyer_id').where('r.requester_id', userId).select('r.*', 'l.name as lawyer_name');
  add('reviews.json', json(reviews.map(toPublicReview)));
  add('payments.json', json((await db('payments').where({ user_id: userId }).orderBy('created_at')).map(toPublicPayment)));
  add('subscriptions.json', json(await subscriptionsOf(db, userId)));
  add('usage.json', json(await usageOf(db, userId)));
  add('sessions.json', json(await sessionsOf(db, userId)));
  add('privacy-requests.json', json(await privacyRequestsOf(db, userId)));
  const lawyer = await lawyerOf(db, userId);
  if (lawyer) add('lawyer.json', json(lawyer));
  add('consents.json', json(await db('consents').where({ user_id: userId }).orderBy('created_at').select('purpose', 'granted', 'version', 'ip', 'user_agent', 'created_at')));
  // The address an entry holds is its actor's: theirs when they acted, never an admin's who acted on them.
  const [acted, actedBindings] = byActor(userId);
  const trail = await db('audit_logs').where((q) => q.whereRaw(acted, actedBindings).orWhere({ target_id: userId })).orderBy('seq')
    .select('seq', 'action', 'target_type', 'target_id', db.raw(`CASE WHEN ${acted} THEN ip END AS ip`, actedBindings), db.raw(AUDIT_IP_KEY), 'meta', 'created_at');
  add('audit.json', json(trail.map(withReadableIp)));
  zip.end();

  const storageKey = `exports/${request.id}.zip`;
  const key = newDataKey();
  await deps.storage.put(storageKey, Readable.from(encryptStream(output, key)), 'application/octet-stream');
  await db('privacy_requests').where({ id: request.id }).update({
    status: 'ready', storage_key: storageKey, sealed_key: sealDataKey(await accountVault(db, deps.vault, userId), storageKey, key, `export-${request.id}.zip`),
    expires_at: db.raw(`now() + make_interval(days => ?)`, [EXPORT_DAYS]), completed_at: db.fn.now(),
    progress: db.raw(`progress || jsonb_build_object('files', ?::int)`, [files]),
  });
  return { files };
}

/** The decrypted archive of a ready, unexpired export of the caller. */
export async function openExport(deps: { db: Knex; storage: Storage; vault: Vault }, request: PrivacyRequestRow): Promise<{ filename: string; bytes: AsyncGenerator<Buffer> }> {
  if (request.type !== 'export' || request.status !== 'ready') throw domainErrors.conflict('the export is not ready');
  if (!request.storage_key || !request.sealed_key || !request.expires_at || new Date(request.expires_at) < new Date()) throw domainErrors.notFound('the export has expired: ask for a new one');
  const { key, filename } = openDataKey(await accountVault(deps.db, deps.vault, request.user_id), request.storage_key, request.sealed_key);
  return { filename, bytes: readSealed(deps.storage, request.storage_key, key) };
}
