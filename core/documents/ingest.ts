/**
 * The stages of ingestion, run by the `documents` workers (pipelines/documents-ingest.ts):
 * extract (the raw text leaves this stage only sealed), mask (only masked text is stored),
 * index (chunks by headings). Each stage moves the version's progress forward and tells the
 * owner; a job for a superseded or deleted version does nothing.
 */
import type { Emitter } from '../emitter.js';
import type { Db } from '../db/knex.js';
import type { Vault } from '../dlp/index.js';
import { applyMaskPlans } from '../chat/masking.js';
import { runCpuTask } from '../cpu-pool.js';
import { chunkParagraphs } from './chunk.js';
import { userRoom } from '../rooms.js';
import type { Storage } from '../storage/index.js';
import { openVersion } from './documents.js';
import { DomainError } from '../errors.js';
import { accountVault } from '../privacy/keys.js';
import { extractText, type Extracted, type OcrProgress, type Paragraph } from './extract.js';
import { planDocumentMasks } from './mask-plans.js';
import { Document, type DocumentStatus } from './model.js';
import { toPublicDocument } from './public.js';
import { documentsIngested } from '../telemetry/metrics.js';
import { Superseded, withDocumentRegistry } from './document-registry.js';

export interface IngestDeps {
  db: Db;
  storage: Storage;
  vault: Vault;
  emitter: Emitter;
}

export interface IngestTarget {
  document_id: string;
  version: number;
}

/** `ocr` (scans only) climbs from its percent toward `masking` page by page. */
export const STAGE_PERCENT = { extracting: 25, ocr: 30, masking: 50, indexing: 75, ready: 100 } as const;

/** A page's character range in the stored (masked) text. */
export interface PageRange {
  page: number;
  start: number;
  end: number;
}

const sealAad = (t: IngestTarget) => `document-text:${t.document_id}:${t.version}`;
const PARAGRAPH_SEP = '\n\n';
/** Chunking takes about 16 ms per MB: below this, chunking here costs less than handing the text to the CPU pool. */
const CHUNK_INLINE_CHARS = 64_000;

const live = (t: IngestTarget) => Document.query().findOne({ id: t.document_id, version: t.version }).whereNull('deleted_at');

function emit(deps: IngestDeps, doc: Document): void {
  deps.emitter.to(userRoom(doc.user_id)).emit('document.updated', { document: toPublicDocument(doc) });
}

type Stage = keyof typeof STAGE_PERCENT;
/** Where a stage's band ends: the next stage's start (OCR shares extraction's band). */
const BAND_END: Record<Stage, number> = { extracting: STAGE_PERCENT.masking, ocr: STAGE_PERCENT.masking, masking: STAGE_PERCENT.indexing, indexing: STAGE_PERCENT.ready, ready: STAGE_PERCENT.ready + 1 };

/**
 * Moves the version to `stage`, never for a superseded or deleted version, and never past a
 * later stage: a stage run again (a retry, a stalled job taken over) goes on while the version
 * is still within its band, e.g. an extraction retried after OCR had climbed to 40 %, and the
 * shown progress keeps the higher percent. A stage whose next one has begun is done.
 */
async function advance(deps: IngestDeps, t: IngestTarget, stage: Stage, status: DocumentStatus = 'processing', percent: number = STAGE_PERCENT[stage]): Promise<Document | undefined> {
  const current = `coalesce((progress->>'percent')::int, 0)`;
  const [doc] = await Document.query()
    .patch({
      status, error: null,
      progress: Document.raw(`CASE WHEN ${current} > ? THEN progress ELSE ?::jsonb END`, [percent, JSON.stringify({ stage, percent, version: t.version })]),
    } as Partial<Document>)
    .where({ id: t.document_id, version: t.version }).whereNull('deleted_at').whereNot('status', 'failed')
    .whereRaw(`${current} < ?`, [BAND_END[stage]])
    .returning('*') as unknown as Document[];
  if (doc) emit(deps, doc);
  return doc;
}

/** Fails the version for good with `error`; the progress stays where it stopped. */
export async function failIngest(deps: IngestDeps, t: IngestTarget, error: { code: string; detail: string }): Promise<void> {
  const [doc] = await Document.query()
    .patch({ status: 'failed', error })
    .where({ id: t.document_id, version: t.version }).whereNull('deleted_at').whereNot('status', 'ready')
    .returning('*') as unknown as Document[];
  if (!doc) return;
  documentsIngested.inc({ outcome: 'failed', code: error.code });
  emit(deps, doc);
}

/**
 * The owner's vault, which seals the raw text between stages: a job's result lives in Redis (the
 * job, its parent, the queue's event stream) for up to a day, and an erased account's key goes
 * with it. Undefined once the account is gone.
 */
async function ownerVault(deps: IngestDeps, userId: string): Promise<Vault | undefined> {
  try {
    return await accountVault(deps.db, deps.vault, userId);
  } catch (err) {
    if (err instanceof DomainError && err.code === 'not_found') return undefined;
    throw err;
  }
}

/** Stage 1: the version's text, sealed for the next stage (job results live in Redis). */
export async function extractStage(deps: IngestDeps, t: IngestTarget): Promise<{ sealed: string } | { skipped: string }> {
  const doc = await live(t);
  if (!doc || !(await advance(deps, t, 'extracting'))) return { skipped: 'superseded, deleted or done' };
  const opened = await openVersion(deps, doc, t.version);
  const parts: Buffer[] = [];
  for await (const piece of opened.bytes) parts.push(piece);
  try {
    const extracted = await extractText(opened.version.mime_type, Buffer.concat(parts), ocrProgress(deps, t));
    const vault = await ownerVault(deps, doc.user_id);
    if (!vault) return { skipped: 'the account is gone' };
    return { sealed: vault.seal(extracted, sealAad(t)) };
  } catch (err) {
    if (err instanceof Superseded) return { skipped: 'superseded or deleted during OCR' };
    throw err;
  }
}

/** OCR progress as `ocr` percents between its own and `masking`'s; written only when the percent changes. */
function ocrProgress(deps: IngestDeps, t: IngestTarget): OcrProgress {
  let last = -1;
  return async (done, total) => {
    const span = STAGE_PERCENT.masking - STAGE_PERCENT.ocr - 1;
    const percent = STAGE_PERCENT.ocr + Math.floor((span * done) / Math.max(total, 1));
    if (percent === last) return;
    last = percent;
    if (!(await advance(deps, t, 'ocr', 'processing', percent))) throw new Superseded();
  };
}

/** Stage 2: masks each paragraph (a table row is one) with the document's registry; stores the masked text only. */
export async function maskStage(deps: IngestDeps, t: IngestTarget, sealed: string | undefined): Promise<{ pii: number } | { skipped: string }> {
  const doc = sealed ? await advance(deps, t, 'masking') : undefined;
  if (!sealed || !doc) return { skipped: 'superseded, deleted or done' };
  const vault = await ownerVault(deps, doc.user_id);
  if (!vault) return { skipped: 'deleted' };
  const extracted = vault.open<Extracted>(sealed, sealAad(t));
  const scope = { type: 'document' as const, id: t.document_id, owner: doc.user_id };
  const byType: Record<string, number> = {};
  // Found on the CPU pool before the registry is locked; only the numbering runs inside.
  const plans = await planDocumentMasks(extracted.paragraphs.map((p) => p.text));
  // Deleted or superseded meanwhile: nothing stored (document-registry.ts).
  const stored = await withDocumentRegistry(deps.db, deps.vault, scope, (trx) => live(t).transacting(trx).forShare(), async (trx, registry) => {
    const masked = await applyMaskPlans(plans, registry);
    const paragraphs = extracted.paragraphs.map((p, i) => {
      const m = masked[i]!;
      for (const [type, n] of Object.entries(m.byType)) byType[type] = (byType[type] ?? 0) + n;
      return { ...p, text: m.masked };
    });
    const { text, pages } = layout(paragraphs);
    await trx('document_texts').insert({ ...t, text, pages: JSON.stringify(pages) }).onConflict(['document_id', 'version']).merge();
    const count = Object.values(byType).reduce((a, b) => a + b, 0);
    await Document.query(trx).patch({ pii: { count, by_type: byType }, pages: extracted.pages }).where({ id: t.document_id, version: t.version });
    return true;
  });
  if (!stored) return { skipped: 'superseded or deleted while masking' };
  return { pii: Object.values(byType).reduce((a, b) => a + b, 0) };
}

/** Joins paragraphs into the stored text and notes where each page starts and ends in it. */
function layout(paragraphs: Paragraph[]): { text: string; pages: PageRange[] } {
  const pages: PageRange[] = [];
  let offset = 0;
  for (const p of paragraphs) {
    const end = offset + p.text.length;
    const last = pages.at(-1);
    if (p.page && last?.page === p.page) last.end = end;
    else if (p.page) pages.push({ page: p.page, start: offset, end });
    offset = end + PARAGRAPH_SEP.length;
  }
  return { text: paragraphs.map((p) => p.text).join(PARAGRAPH_SEP), pages };
}

/** The stored text back into paragraphs, each with its page. */
function paragraphsOf(text: string, pages: PageRange[]): Paragraph[] {
  let offset = 0;
  let at = 0; // pages are in text order: walk them alongside (a search per paragraph is quadratic)
  return text.split(PARAGRAPH_SEP).map((t) => {
    while (at < pages.length && offset > pages[at]!.end) at++;
    const range = pages[at];
    const page = range && offset >= range.start ? range.page : undefined;
    offset += t.length + PARAGRAPH_SEP.length;
    return page ? { text: t, page } : { text: t };
  });
}

/** Stage 3: the version's chunks replace the document's earlier ones; the document is ready. */
export async function indexStage(deps: IngestDeps, t: IngestTarget): Promise<{ chunks: number } | { skipped: string }> {
  if (!(await advance(deps, t, 'indexing'))) return { skipped: 'superseded, deleted or done' };
  const row = await deps.db('document_texts').where(t).first() as { text: string; pages: PageRange[] } | undefined;
  if (!row) return { skipped: 'no text' };
  const paragraphs = paragraphsOf(row.text, row.pages);
  const chunks = row.text.length < CHUNK_INLINE_CHARS ? chunkParagraphs(paragraphs) : await runCpuTask('chunkParagraphs', paragraphs);
  const current = await deps.db.transaction(async (trx) => {
    // Still this version, under the row's lock: a newer one may have been uploaded and indexed
    // while these chunks were cut, and its chunks must not be replaced by this older text.
    if (!(await trx('documents').where({ id: t.document_id, version: t.version }).whereNull('deleted_at').forUpdate().first('id'))) return false;
    await trx('document_chunks').where({ document_id: t.document_id }).delete();
    if (chunks.length) {
      await trx('document_chunks').insert(chunks.map((c, ord) => ({ ...t, ord, text: c.text, heading: c.heading, locator: JSON.stringify(c.locator) })));
    }
    return true;
  });
  if (!current) return { skipped: 'superseded or deleted' };
  // Counted once: only the run that moves the version to `ready` gets the row back.
  if (await advance(deps, t, 'ready', 'ready')) documentsIngested.inc({ outcome: 'ready', code: '' });
  return { chunks: chunks.length };
}

/** The masked text of a version: undefined when it was not extracted (yet). */
export async function documentText(db: Db, t: IngestTarget): Promise<{ version: number; text: string; pages: PageRange[] } | undefined> {
  const row = await db('document_texts').where(t).first() as { version: number; text: string; pages: PageRange[] } | undefined;
  return row && { version: row.version, text: row.text, pages: row.pages };
}
