/**
 * Documents: upload (multipart, streamed to encrypted storage; each accepted version starts
 * the ingestion flow), versions, download, masked text, list, delete, and the AI analysis and
 * masked export (jobs). Uploads read the request themselves (busboy), so their routes declare
 * no JSON body; `describeUploads` adds their multipart bodies to the OpenAPI document.
 */
import { audit } from '../../core/audit.js';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { z } from 'zod';
import type { Db } from '../../core/db/knex.js';
import type { ReadRouting } from '../../core/db/read-routing.js';
import { Vault } from '../../core/dlp/index.js';
import { queueAnalysis } from '../../core/documents/analyze.js';
import { addVersion, createDocument, hideDocument, listVersions, openVersion, ownDocument, withdrawUpload, type CommittedUpload } from '../../core/documents/documents.js';
import { EnvelopeError } from '../../core/documents/envelope.js';
import { documentText } from '../../core/documents/ingest.js';
import { openMaskExport, queueMaskExport } from '../../core/documents/mask-export.js';
import { Document, type DocumentVersion } from '../../core/documents/model.js';
import { toPublicDocument } from '../../core/documents/public.js';
import { iso } from '../../core/iso.js';
import { UploadRefusal } from '../../core/documents/refusal.js';
import { receiveUpload, type ReceivedUpload } from '../../core/documents/upload.js';
import { domainErrors } from '../../core/errors.js';
import type { Storage } from '../../core/storage/index.js';
import { enqueueIngest } from '../../pipelines/documents-ingest.js';
import { enqueueDestroy } from '../../pipelines/documents-sweep.js';
import type { Queues } from '../../pipelines/queues.js';
import { enqueueVersionJob } from '../../pipelines/on-demand.js';
import type { AppContext } from '../context.js';
import { decodeCursor, keysetPage } from '../cursor.js';
import { createIdempotency, IDEMPOTENCY_HEADER, type Outcome } from '../idempotency.js';
import { fieldErrors, problems, type HttpProblem } from '../problem.js';
import { defineRoute, type AnyRoute } from '../routing.js';
import { page, pageQuery } from '../schemas/common.js';
import { documentEnvelope, documentParams, documentSchema, documentTextSchema, uploadFields, versionQuery, versionSchema } from '../schemas/document.js';
import { findBadText } from '../text-guard.js';
import { accountVault } from '../../core/privacy/keys.js';

export interface DocumentRouteDeps {
  db: Db;
  /** List and search reads: the replica, or the writer right after this user's own write. */
  reads: ReadRouting;
  storage: Storage;
  queues: Queues;
  encryptionKey: Buffer;
  uploadMaxBytes: number;
}

const errors = {
  400: { description: 'Bad parameters (problem document)' },
  401: { description: 'Not signed in' },
  404: { description: 'No such document for this user' },
};
const uploadErrors = {
  ...errors,
  400: { description: 'Malformed multipart body' },
  413: { description: '`payload_too_large`: past UPLOAD_MAX_MB, or an archive past its limits' },
  409: { description: 'A request with this Idempotency-Key is still being processed (Retry-After)' },
  415: { description: '`unsupported_media_type`: not multipart, not an accepted type, or the content contradicts the file name' },
  422: { description: '`validation_failed`: empty file, missing or extra parts, bad fields; `idempotency_key_reused`: the key was used on another route' },
  503: { description: '`unavailable`: the processing could not be queued; nothing was kept, upload again' },
};

const toPublicVersion = (v: DocumentVersion) => ({
  version: v.version, size_bytes: Number(v.size_bytes), mime_type: v.mime_type, sha256: v.sha256, created_at: iso(v.created_at),
});

function problemOfRefusal(r: UploadRefusal): HttpProblem {
  if (r.reason === 'too_large') return problems.payloadTooLarge(r.message);
  if (r.reason === 'unsupported') return problems.unsupportedMediaType(r.message);
  if (r.reason === 'malformed') return problems.badRequest(r.message, 'malformed_body');
  return problems.validation([{ path: `body.${r.field ?? 'file'}`, message: r.message }]);
}

/** RFC 6266: an ASCII fallback and the exact UTF-8 name (RFC 8187 percent-encoding). */
export function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

export interface Decrypted {
  bytes: AsyncGenerator<Buffer>;
  type: string;
  /** The plaintext length, when known. */
  length?: number;
  filename: string;
  /** Logged when the stored object fails its integrity check. */
  logFields: Record<string, unknown>;
}

/**
 * Streams a decrypted object. The first chunk is verified before the status is sent: a
 * corrupt object whose first chunk fails is a clean 500; a later failure aborts the response.
 * The object is closed however the response ends.
 */
export async function sendDecrypted(ctx: AppContext, d: Decrypted): Promise<void> {
  const log = ctx.state.log;
  async function* verified(): AsyncGenerator<Buffer> {
    try {
      yield* d.bytes;
    } catch (err) {
      if (err instanceof EnvelopeError) log.error({ ...d.logFields, err: err.message }, 'document_corrupt: stored object failed its integrity check');
      throw err;
    }
  }
  const bytes = verified();
  const first = await bytes.next();
  ctx.status = 200;
  ctx.type = d.type;
  if (d.length !== undefined) ctx.length = d.length;
  ctx.set('Content-Disposition', contentDisposition(d.filename));
  const body = Readable.from((async function* () {
    if (!first.done) yield first.value;
    yield* bytes;
  })());
  // A HEAD, or a client gone before the end, destroys the body before it reads on: the object
  // stays open behind the first chunk (a descriptor, an S3 socket) until it is returned.
  body.once('close', () => void bytes.return(undefined).catch(() => undefined));
  ctx.body = body;
}

export function documentRoutes(deps: DocumentRouteDeps): AnyRoute[] {
  const vault = new Vault(deps.encryptionKey);
  const idempotent = createIdempotency(deps.db, deps.encryptionKey);

  /**
   * An upload under `Idempotency-Key`. The body streams into the work, so it cannot be hashed
   * first: the key alone names the upload, within its route (the path: a document's versions
   * route is its own) and its user. A repeat gets the stored answer without its body being
   * looked at, or 409 while the first still runs. A body the work never read is drained, so
   * the client reads the answer rather than a reset.
   */
  async function uploadOnce(ctx: AppContext, work: () => Promise<Outcome>): Promise<void> {
    try {
      await idempotent(ctx, ctx.state.user!.id, null, work);
    } finally {
      ctx.req.resume();
    }
  }

  /** Streams the upload to storage; the caller commits it or the object is discarded. */
  async function receive(ctx: AppContext, documentId: string, fields: readonly string[]): Promise<ReceivedUpload> {
    try {
      return await receiveUpload(ctx.req, { storage: deps.storage, vault: await accountVault(deps.db, vault, ctx.state.user!.id), maxBytes: deps.uploadMaxBytes, documentId, fields, log: ctx.state.log });
    } catch (err) {
      throw err instanceof UploadRefusal ? problemOfRefusal(err) : err;
    }
  }

  async function commit<T>(upload: ReceivedUpload, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      await upload.discard();
      throw err;
    }
  }

  /**
   * The version is stored: its ingestion starts, and the client gets 202 `{document}`.
   * When the flow cannot be queued the upload is taken back rather than left `uploaded` for a
   * sweeper: the client is told 503 and retries, and a stored twin processed later would
   * make that retry a duplicate.
   */
  async function accepted(ctx: AppContext, upload: ReceivedUpload, committed: CommittedUpload): Promise<Outcome> {
    const { doc } = committed;
    try {
      await enqueueIngest(deps.queues, doc.id, doc.version);
    } catch (err) {
      ctx.state.log.warn({ err: (err as Error).message, document_id: doc.id, version: doc.version }, 'ingestion could not be queued: upload withdrawn');
      await withdrawUpload(deps.db, committed);
      await upload.discard();
      throw domainErrors.unavailable('the document could not be queued for processing and was not kept: upload it again');
    }
    return { status: 202, body: { document: toPublicDocument(doc) } };
  }

  return [
    defineRoute({
      method: 'get', path: '/api/documents', summary: "The caller's documents, newest first", tags: ['documents'], access: 'user',
      query: pageQuery.extend({
        status: z.enum(['uploaded', 'processing', 'ready', 'failed']).optional(),
        q: z.string().trim().min(1).max(200).optional(),
      }),
      responses: { 200: { description: 'Documents', schema: page(documentSchema) }, 400: errors[400], 401: errors[401] },
      async handler(ctx, { query }) {
        const userId = ctx.state.user.id;
        const result = await deps.reads.read(userId, (db) => {
          const docs = Document.query(db).where({ user_id: userId }).whereNull('deleted_at');
          if (query.status) docs.where({ status: query.status });
          // Titles are stored masked, so the search runs on the masked title.
          if (query.q) docs.whereRaw(`title ILIKE ? ESCAPE '\\'`, [`%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`]);
          return keysetPage(docs, { limit: query.limit, after: decodeCursor(query.cursor), order: 'desc' });
        });
        ctx.body = { items: result.items.map(toPublicDocument), next_cursor: result.next_cursor };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/documents', summary: 'Upload a document (multipart/form-data: file, title?, kind?, chat_id?)', tags: ['documents'], access: 'user',
      headers: [IDEMPOTENCY_HEADER],
      responses: { 202: { description: 'Stored, encrypted; processing follows', schema: documentEnvelope }, ...uploadErrors },
      async handler(ctx) {
        await uploadOnce(ctx, async () => {
          const documentId = randomUUID();
          const upload = await receive(ctx, documentId, ['title', 'kind', 'chat_id']);
          const doc = await commit(upload, async () => {
            const bad = findBadText(upload.fields, 'body');
            if (bad) throw problems.validation([bad]);
            const fields = uploadFields.safeParse(upload.fields);
            if (!fields.success) throw problems.validation(fieldErrors(fields.error.issues, 'body'));
            return createDocument({ db: deps.db, vault }, ctx.state.user.id, documentId, fields.data, upload.file);
          });
          return accepted(ctx, upload, { doc });
        });
      },
    }),
    defineRoute({
      method: 'get', path: '/api/documents/:document_id', summary: 'One document', tags: ['documents'], access: 'user',
      params: documentParams,
      responses: { 200: { description: 'The document', schema: documentSchema }, ...errors },
      async handler(ctx, { params }) {
        ctx.body = toPublicDocument(await ownDocument(ctx.state.user.id, params.document_id));
      },
    }),
    defineRoute({
      method: 'post', path: '/api/documents/:document_id/versions', summary: 'Upload a new version (multipart/form-data: file)', tags: ['documents'], access: 'user',
      params: documentParams, headers: [IDEMPOTENCY_HEADER],
      responses: { 202: { description: 'Stored; earlier versions stay downloadable', schema: documentEnvelope }, ...uploadErrors },
      async handler(ctx, { params }) {
        const userId = ctx.state.user.id;
        await uploadOnce(ctx, async () => {
          await ownDocument(userId, params.document_id); // a 404 leaves the body to be drained
          const upload = await receive(ctx, params.document_id, []);
          const committed = await commit(upload, () => addVersion({ db: deps.db, vault }, userId, params.document_id, upload.file));
          return accepted(ctx, upload, committed);
        });
      },
    }),
    defineRoute({
      method: 'get', path: '/api/documents/:document_id/versions', summary: "A document's versions, newest first", tags: ['documents'], access: 'user',
      params: documentParams,
      responses: { 200: { description: 'Versions', schema: z.object({ items: z.array(versionSchema) }) }, ...errors },
      async handler(ctx, { params }) {
        const doc = await ownDocument(ctx.state.user.id, params.document_id);
        ctx.body = { items: (await listVersions(doc)).map(toPublicVersion) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/documents/:document_id/text', summary: 'The extracted text, masked, of the current version (or ?version=N)', tags: ['documents'], access: 'user',
      params: documentParams, query: versionQuery,
      responses: {
        200: { description: 'The masked text and the character range of each page in it (paged formats)', schema: documentTextSchema },
        ...errors,
        409: { description: '`conflict`: the version exists but its text is not extracted (yet, or its processing failed)' },
      },
      async handler(ctx, { params, query }) {
        const doc = await ownDocument(ctx.state.user.id, params.document_id);
        const version = query.version ?? doc.version;
        const text = await documentText(deps.db, { document_id: doc.id, version });
        if (text) {
          ctx.body = text;
          return;
        }
        if (!(await listVersions(doc)).some((v) => v.version === version)) throw problems.notFound('no such version');
        throw problems.conflict(doc.status === 'failed' && doc.version === version ? `the text could not be extracted: ${doc.error?.code ?? 'failed'}` : 'the text is not extracted yet; wait for document.updated with status ready');
      },
    }),
    defineRoute({
      method: 'get', path: '/api/documents/:document_id/download', summary: 'The original bytes of the current version (or ?version=N)', tags: ['documents'], access: 'user',
      params: documentParams, query: versionQuery,
      responses: {
        200: { description: 'The original file; a stored object that fails its integrity check aborts the response' },
        ...errors,
        500: { description: 'The stored object failed its integrity check before any byte was sent' },
      },
      async handler(ctx, { params, query }) {
        const doc = await ownDocument(ctx.state.user.id, params.document_id);
        const opened = await openVersion({ db: deps.db, storage: deps.storage, vault }, doc, query.version);
        await audit({ actorId: ctx.state.user.id, action: 'documents.download', targetType: 'document', targetId: doc.id, ip: ctx.ip, meta: { version: opened.version.version } });
        await sendDecrypted(ctx, {
          bytes: opened.bytes, type: opened.version.mime_type, length: Number(opened.version.size_bytes), filename: opened.filename,
          logFields: { document_id: doc.id, version: opened.version.version },
        });
      },
    }),
    defineRoute({
      method: 'post', path: '/api/documents/:document_id/analyze', summary: 'Analyse the current version with AI: summary, parties, key terms, risks (lands in document.analysis)', tags: ['documents'], access: 'user',
      params: documentParams,
      responses: {
        202: { description: '`analysis_status.status` is `queued` (`analysis` keeps the last complete analysis meanwhile); `document.updated` follows with `ready` or `failed`', schema: documentEnvelope },
        ...errors,
        409: { description: '`conflict`: the document is not `ready`' },
      },
      async handler(ctx, { params }) {
        const doc = await queueAnalysis(deps.db, ctx.state.user.id, params.document_id);
        await enqueueVersionJob(deps.queues, 'documents.analyze', doc.id, doc.version);
        ctx.status = 202;
        ctx.body = { document: toPublicDocument(doc) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/documents/:document_id/mask', summary: 'Make the masked export of the current version (GET .../masked)', tags: ['documents'], access: 'user',
      params: documentParams,
      responses: {
        202: { description: '`masked.status` is `queued` (or `ready` when it already is); `document.updated` follows', schema: documentEnvelope },
        ...errors,
        409: { description: '`conflict`: the document is not `ready`' },
      },
      async handler(ctx, { params }) {
        const { doc, enqueue } = await queueMaskExport(deps.db, ctx.state.user.id, params.document_id);
        if (enqueue) await enqueueVersionJob(deps.queues, 'documents.mask-export', doc.id, doc.version);
        ctx.status = 202;
        ctx.body = { document: toPublicDocument(doc) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/documents/:document_id/masked', summary: 'The masked export of the current version: DOCX for DOCX, else UTF-8 text', tags: ['documents'], access: 'user',
      params: documentParams,
      responses: {
        200: { description: 'The masked file; a stored object that fails its integrity check aborts the response' },
        ...errors,
        409: { description: '`conflict`: no export of the current version yet (POST .../mask), still running, or failed' },
        500: { description: 'The stored object failed its integrity check before any byte was sent' },
      },
      async handler(ctx, { params }) {
        const opened = await openMaskExport({ db: deps.db, storage: deps.storage, vault }, ctx.state.user.id, params.document_id);
        await audit({ actorId: ctx.state.user.id, action: 'documents.download_masked', targetType: 'document', targetId: params.document_id, ip: ctx.ip });
        await sendDecrypted(ctx, {
          bytes: opened.bytes, type: opened.mime_type, length: opened.size_bytes, filename: opened.filename,
          logFields: { document_id: params.document_id, export: 'masked' },
        });
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/documents/:document_id', summary: 'Delete a document: hidden at once, destroyed by a job', tags: ['documents'], access: 'user',
      params: documentParams,
      responses: { 204: { description: 'Deleted' }, ...errors, 503: { description: 'The destruction could not be queued: repeat the DELETE' } },
      async handler(ctx, { params }) {
        await hideDocument(ctx.state.user.id, params.document_id);
        await audit({ actorId: ctx.state.user.id, action: 'documents.delete', targetType: 'document', targetId: params.document_id, ip: ctx.ip });
        await enqueueDestroy(deps.queues, params.document_id);
        ctx.status = 204;
      },
    }),
  ];
}

/** The multipart request bodies of the upload routes, for the OpenAPI document. */
export function describeUploads<T extends { paths: Record<string, Record<string, unknown>> }>(doc: T): T {
  const file = { type: 'string', format: 'binary', description: 'PDF, DOCX, DOC, RTF, ODT, TXT (UTF-8 or Windows-1251), PNG, JPEG or TIFF' };
  const fields = z.toJSONSchema(uploadFields, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as { properties: object };
  const bodies: Array<[string, object]> = [
    ['/api/documents', { type: 'object', required: ['file'], properties: { file, ...fields.properties } }],
    ['/api/documents/{document_id}/versions', { type: 'object', required: ['file'], properties: { file } }],
  ];
  for (const [path, schema] of bodies) {
    const op = doc.paths[path]?.post as Record<string, unknown> | undefined;
    if (op) op.requestBody = { required: true, content: { 'multipart/form-data': { schema } } };
  }
  return doc;
}
