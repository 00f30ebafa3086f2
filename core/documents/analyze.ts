/**
 * The AI analysis of a document (POST /api/documents/{id}/analyze, job `documents.analyze`
 * on the `ai` queue): summary, parties, key terms and risks, each with a locator. The model
 * gets the masked chunks of the version, the first ones up to a budget (said in the prompt
 * when the document is longer), asked for strict JSON; an answer that is not valid JSON of
 * the schema is sent back once with the validation error, and a second failure fails the
 * analysis (not the document). With the offline provider the analysis is extractive
 * (analyze-offline.ts). Everything stored is masked again with the document's registry, so
 * the model cannot write a personal value into it.
 */
import { domesticOnly } from '../privacy/consents.js';
import type { Emitter } from '../emitter.js';
import type { CompletionResult, Orchestrator } from '../ai/index.js';
import { maskChatText } from '../chat/masking.js';
import type { Db } from '../db/knex.js';
import type { PlaceholderRegistry, Vault } from '../dlp/index.js';
import { domainErrors } from '../errors.js';
import { userRoom } from '../rooms.js';
import { extractiveAnalysis, OFFLINE_ANALYSIS_MODEL } from './analyze-offline.js';
import { analysisMessages, parseModelAnalysis, repairMessages, type Locator, type ModelAnalysis, type Passage } from './analyze-schema.js';
import { ownDocument } from './documents.js';
import { DocumentFailure } from './failure.js';
import type { IngestTarget } from './ingest.js';
import { Document, type AnalysisStatus } from './model.js';
import { toPublicDocument } from './public.js';
import { withDocumentRegistry } from './document-registry.js';

export interface AnalyzeDeps {
  db: Db;
  vault: Vault;
  emitter: Emitter;
  ai: Orchestrator;
}

/** The analysis failed for good: it is `failed` with this code. */
export class AnalysisError extends DocumentFailure {
  override name = 'AnalysisError';
}

/** What is sent: the first chunks, at most this many and this many characters. */
export const ANALYSIS_BUDGET = { passages: 40, chars: 24_000 };
const MAX_TOKENS = 2000;

/**
 * Marks the current version's analysis as queued. Only a `ready` document has chunks to read.
 * The last complete analysis stays in `analysis` until the new one replaces it.
 */
export async function queueAnalysis(db: Db, userId: string, documentId: string): Promise<Document> {
  return db.transaction(async (trx) => {
    const doc = await ownDocument(userId, documentId, trx);
    if (doc.status !== 'ready') throw domainErrors.conflict('the document is not processed yet; wait for document.updated with status ready');
    const analysis_status: AnalysisStatus = { status: 'queued', version: doc.version, error: null };
    return doc.$query(trx).patchAndFetch({ analysis_status });
  });
}

const isQueued = (t: IngestTarget) => [`analysis_status->>'status' = 'queued' AND (analysis_status->>'version')::int = ?`, [t.version]] as const;

const queuedAnalysis = (t: IngestTarget) => Document.query()
  .findOne({ id: t.document_id }).whereNull('deleted_at')
  .whereRaw(...isQueued(t));

async function passagesOf(db: Db, t: IngestTarget): Promise<{ passages: Passage[]; total: number }> {
  const rows = await db('document_chunks').where(t).orderBy('ord').select('text', 'locator') as Array<{ text: string; locator: Locator }>;
  const passages: Passage[] = [];
  let chars = 0;
  for (const row of rows.slice(0, ANALYSIS_BUDGET.passages)) {
    if (passages.length && chars + row.text.length > ANALYSIS_BUDGET.chars) break;
    passages.push({ n: passages.length + 1, text: row.text.slice(0, ANALYSIS_BUDGET.chars), locator: row.locator });
    chars += row.text.length;
  }
  return { passages, total: rows.length };
}

interface Produced {
  analysis: ModelAnalysis;
  result: Pick<CompletionResult, 'provider' | 'model' | 'degraded'>;
}

/** The model's analysis, with one repair; the offline provider's place is taken by the extractive one. */
async function produce(ai: Orchestrator, passages: Passage[], total: number, domestic: boolean): Promise<Produced> {
  const ids = new Set(passages.map((p) => p.n));
  const extractive = (degraded?: boolean): Produced => ({
    analysis: extractiveAnalysis(passages),
    result: { provider: 'offline', model: OFFLINE_ANALYSIS_MODEL, ...(degraded ? { degraded } : {}) },
  });
  const messages = analysisMessages(passages, total);
  const first = await ai.complete({ messages, maxTokens: MAX_TOKENS, temperature: 0, domesticOnly: domestic });
  if (first.provider === 'offline') return extractive(first.degraded);
  const parsed = parseModelAnalysis(first.text, ids);
  if (parsed.ok) return { analysis: parsed.value, result: first };
  const second = await ai.complete({ messages: repairMessages(messages, first.text, parsed.error), maxTokens: MAX_TOKENS, temperature: 0, domesticOnly: domestic });
  if (second.provider === 'offline') return extractive(second.degraded);
  const repaired = parseModelAnalysis(second.text, ids);
  if (repaired.ok) return { analysis: repaired.value, result: second };
  throw new AnalysisError('analysis_invalid', `the model did not return a valid analysis twice: ${repaired.error}`.slice(0, 500));
}

/** The stored shape: locators in place of passage numbers, every string masked. */
function toStored(p: Produced, passages: Passage[], version: number, registry: PlaceholderRegistry) {
  const m = (s: string) => maskChatText(s, registry).masked;
  const locator = (n: number) => passages[n - 1]!.locator;
  const { analysis: a, result } = p;
  return {
    version,
    summary: m(a.summary),
    parties: a.parties.map((x) => ({ name: m(x.name), role: m(x.role), locator: locator(x.passage) })),
    key_terms: a.key_terms.map((x) => ({ term: m(x.term), value: m(x.value), locator: locator(x.passage) })),
    risks: a.risks.map((x) => ({ severity: x.severity, text: m(x.text), locator: locator(x.passage) })),
    provider: result.provider, model: result.model,
    ...(result.degraded ? { degraded: true } : {}),
    created_at: new Date().toISOString(),
  };
}

function emit(deps: AnalyzeDeps, doc: Document): void {
  deps.emitter.to(userRoom(doc.user_id)).emit('document.updated', { document: toPublicDocument(doc) });
}

export async function runAnalysis(deps: AnalyzeDeps, t: IngestTarget): Promise<{ provider: string } | { skipped: string }> {
  const queued = await queuedAnalysis(t);
  if (!queued) return { skipped: 'not queued, superseded or deleted' };
  if (queued.version !== t.version) throw new AnalysisError('superseded', 'a new version arrived before the analysis ran; analyse it again');
  const { passages, total } = await passagesOf(deps.db, t);
  if (!passages.length) throw new AnalysisError('no_text', 'the document has no text to analyse');
  const owner = (await deps.db('documents').where({ id: t.document_id }).first('user_id')) as { user_id: string };
  const produced = await produce(deps.ai, passages, total, await domesticOnly(deps.db, owner.user_id));
  const scope = { type: 'document' as const, id: t.document_id, owner: owner.user_id };
  const doc = await withDocumentRegistry(deps.db, deps.vault, scope, (trx) => queuedAnalysis(t).transacting(trx).forUpdate(), (trx, registry, current) => {
    const analysis = toStored(produced, passages, t.version, registry);
    const analysis_status: AnalysisStatus = { status: 'ready', version: t.version, error: null };
    return current.$query(trx).patchAndFetch({ analysis, analysis_status });
  });
  if (!doc) return { skipped: 'superseded or deleted while analysing' };
  emit(deps, doc);
  return { provider: produced.result.provider };
}

/**
 * Fails the queued analysis of this version; the document itself, and its last complete
 * analysis, stay as they are.
 */
export async function failAnalysis(deps: AnalyzeDeps, t: IngestTarget, error: { code: string; detail: string }): Promise<void> {
  const analysis_status: AnalysisStatus = { status: 'failed', version: t.version, error };
  const [doc] = await Document.query().patch({ analysis_status })
    .where({ id: t.document_id }).whereNull('deleted_at')
    .whereRaw(...isQueued(t))
    .returning('*') as unknown as Document[];
  if (doc) emit(deps, doc);
}
