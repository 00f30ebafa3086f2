/**
 * Why an upload is refused. The edge maps each reason to its status (`too_large` 413,
 * `unsupported` 415, `invalid` 422, `malformed` 400); core code knows no HTTP.
 */
export type RefusalReason = 'too_large' | 'unsupported' | 'invalid' | 'malformed';

export class UploadRefusal extends Error {
  override name = 'UploadRefusal';
  constructor(
    readonly reason: RefusalReason,
    message: string,
    /** For `invalid`: the field at fault, e.g. `file` or `title`. */
    readonly field?: string,
  ) {
    super(message);
  }
}
