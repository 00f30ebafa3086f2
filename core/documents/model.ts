import { BaseModel } from '../db/models/base.js';

export type DocumentStatus = 'uploaded' | 'processing' | 'ready' | 'failed';
export const DOCUMENT_KINDS = ['contract', 'claim', 'court_act', 'power_of_attorney', 'other'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** A document row: what the API shows. Title and file name are stored masked. */
export class Document extends BaseModel {
  static override tableName = 'documents';
  declare user_id: string;
  declare chat_id: string | null;
  declare title: string;
  declare filename: string;
  declare kind: DocumentKind;
  declare status: DocumentStatus;
  declare mime_type: string;
  declare size_bytes: number | string;
  declare version: number;
  declare pages: number | null;
  declare progress: { stage?: string; percent?: number; version?: number };
  declare pii: { count: number; by_type: Record<string, number> };
  /** The last complete AI analysis (of `analysis.version`), or null: never a queued or failed run. */
  declare analysis: (Record<string, unknown> & { version: number }) | null;
  /** The latest analysis run: queued, ready or failed, for which version. */
  declare analysis_status: AnalysisStatus | null;
  declare error: { code: string; detail: string } | null;
  /** The masked export: its state, its encrypted object and that object's sealed data key. */
  declare masked: MaskedExport | null;
  declare masked_key: string | null;
  declare masked_sealed_key: string | null;
  declare deleted_at: Date | null;
}

export interface AnalysisStatus {
  status: 'queued' | 'ready' | 'failed';
  version: number;
  error: { code: string; detail: string } | null;
}

export interface MaskedExport {
  status: 'queued' | 'ready' | 'failed';
  version: number;
  mime_type?: string;
  size_bytes?: number;
  error?: { code: string; detail: string };
}

/** One accepted file of a document: its encrypted object and sealed data key. */
export class DocumentVersion extends BaseModel {
  static override tableName = 'document_versions';
  declare document_id: string;
  declare version: number;
  declare storage_key: string;
  declare size_bytes: number | string;
  declare mime_type: string;
  declare sha256: string;
  declare sealed_key: string;
}
