/** What every extractor shares: the result's shape, the failure for good, and the limits. */
import { DocumentFailure } from './failure.js';

export interface Paragraph {
  text: string;
  page?: number;
}

export interface Extracted {
  paragraphs: Paragraph[];
  /** Page count for paged formats (PDF, scans), else null. */
  pages: number | null;
}

/** Ingestion failed for good: the document's `error.code` shows `code`. */
export class IngestError extends DocumentFailure {
  override name = 'IngestError';
}

/** Reports OCR progress: `done` of `total` pages recognised. */
export type OcrProgress = (done: number, total: number) => Promise<void>;

export const EXTRACT_LIMITS = {
  /** Inflated size of word/document.xml or content.xml. */
  xmlBytes: 50 * 1024 * 1024,
  /** What a converter (pdftotext, catdoc) may print, and how long it may take. */
  textBytes: 64 * 1024 * 1024,
  timeoutMs: 60_000,
};
