/**
 * A failure for good of document work (ingestion, analysis, masked export): retrying cannot
 * help, and `code` is what the client sees in the matching `error.code`.
 */
export class DocumentFailure extends Error {
  override name = 'DocumentFailure';
  constructor(readonly code: string, readonly detail: string) {
    super(`${code}: ${detail}`);
  }
}
