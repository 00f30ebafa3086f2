/** The public shape of a document, as the API answers and `document.updated` carries it. */
import { iso } from '../iso.js';
import type { Document } from './model.js';


export const toPublicDocument = (d: Document) => ({
  id: d.id,
  title: d.title,
  kind: d.kind,
  status: d.status,
  mime_type: d.mime_type,
  size_bytes: Number(d.size_bytes),
  version: d.version,
  pages: d.pages,
  chat_id: d.chat_id,
  progress: { stage: d.progress.stage ?? 'stored', percent: d.progress.percent ?? 0, ...(d.progress.version ? { version: d.progress.version } : {}) },
  pii: d.pii,
  analysis: d.analysis,
  analysis_status: d.analysis_status,
  // An export of an earlier version is stale: a new version invalidates it.
  masked: d.masked?.version === d.version ? { status: d.masked.status, version: d.masked.version, ...(d.masked.error ? { error: d.masked.error } : {}) } : null,
  error: d.error,
  created_at: iso(d.created_at),
  updated_at: iso(d.updated_at),
});
