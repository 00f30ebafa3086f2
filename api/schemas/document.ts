import { z } from 'zod';
import { DOCUMENT_KINDS } from '../../core/documents/model.js';
import { isoDate } from './common.js';

const workError = z.object({ code: z.string(), detail: z.string() });
/** Where an item of the analysis is in the masked text: taken from a chunk, never from the model. */
const locator = z.object({ page: z.number().int().optional(), paragraph: z.number().int().optional(), clause: z.string().optional() });

/** The contract's analysis; `version` (the one analysed), `degraded` and `created_at` are additions. */
export const analysisSchema = z.object({
  version: z.number().int().min(1),
  summary: z.string(),
  parties: z.array(z.object({ name: z.string(), role: z.string(), locator })),
  key_terms: z.array(z.object({ term: z.string(), value: z.string(), locator })),
  risks: z.array(z.object({ severity: z.enum(['low', 'medium', 'high']), text: z.string(), locator })),
  provider: z.string(),
  model: z.string(),
  degraded: z.boolean().optional(),
  created_at: isoDate,
});

export const documentSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  kind: z.enum(DOCUMENT_KINDS),
  status: z.enum(['uploaded', 'processing', 'ready', 'failed']),
  mime_type: z.string(),
  size_bytes: z.number().int().min(1),
  version: z.number().int().min(1),
  pages: z.number().int().nullable(),
  chat_id: z.uuid().nullable(),
  progress: z.object({ stage: z.string(), percent: z.number().min(0).max(100), version: z.number().int().optional() }),
  pii: z.object({ count: z.number().int(), by_type: z.record(z.string(), z.number().int()) }),
  analysis: analysisSchema.nullable().describe('the last complete AI analysis, or null; a queued or failed run leaves it as it was (see analysis_status)'),
  analysis_status: z.object({
    status: z.enum(['queued', 'ready', 'failed']),
    version: z.number().int().min(1),
    error: workError.nullable(),
  }).nullable().describe('the latest analysis run (POST .../analyze): queued, ready (in analysis) or failed (with why), for which version; null before the first'),
  /** The masked export of the current version (POST .../mask), or null. */
  masked: z.object({
    status: z.enum(['queued', 'ready', 'failed']),
    version: z.number().int().min(1),
    error: workError.optional(),
  }).nullable(),
  error: workError.nullable(),
  created_at: isoDate,
  updated_at: isoDate,
});

/** The answer of a document write (upload, new version, analyze, mask), as the contract has it. */
export const documentEnvelope = z.object({ document: documentSchema });

export const versionSchema = z.object({
  version: z.number().int().min(1),
  size_bytes: z.number().int().min(1),
  mime_type: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  created_at: isoDate,
});

/** GET /api/documents/{id}/text: the masked text; `pages` gives each page's [start, end) in it. */
export const documentTextSchema = z.object({
  version: z.number().int().min(1),
  text: z.string(),
  pages: z.array(z.object({ page: z.number().int().min(1), start: z.number().int().min(0), end: z.number().int().min(0) })),
});

/** The text parts of an upload (multipart/form-data), besides the `file` part. */
export const uploadFields = z.strictObject({
  title: z.string().trim().min(1).max(200).optional(),
  kind: z.enum(DOCUMENT_KINDS).optional(),
  chat_id: z.uuid().optional(),
});

export const documentParams = z.object({ document_id: z.uuid() });
export const versionQuery = z.object({ version: z.coerce.number().int().min(1).max(1_000_000).optional() });
