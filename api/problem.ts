/**
 * RFC 9457 problem documents with stable machine-readable codes. Thrown anywhere on the
 * request path; the error middleware renders them.
 */
export interface FieldError {
  path: string;
  message: string;
}

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly extra: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail ?? title);
    this.name = 'HttpProblem';
  }

  toJSON() {
    return {
      type: `https://docs.legal-ai.example/problems/${this.code}`,
      title: this.title,
      status: this.status,
      detail: this.detail ?? this.title,
      code: this.code,
      ...(this.extra.errors ? { errors: this.extra.errors } : {}),
    };
  }
}

export const problems = {
  badRequest: (detail: string, code = 'bad_request') => new HttpProblem(400, code, 'Bad request', detail),
  validation: (errors: FieldError[], status: 400 | 422 = 422) =>
    new HttpProblem(status, 'validation_failed', 'Validation failed', 'the request does not match the schema', { errors }),
  unauthorized: (detail = 'authentication required') => new HttpProblem(401, 'unauthorized', 'Unauthorized', detail),
  forbidden: (detail = 'not allowed for this account') => new HttpProblem(403, 'forbidden', 'Forbidden', detail),
  notFound: (detail = 'not found') => new HttpProblem(404, 'not_found', 'Not found', detail),
  methodNotAllowed: (allow: string) =>
    new HttpProblem(405, 'method_not_allowed', 'Method not allowed', `allowed: ${allow}`, { headers: { Allow: allow } }),
  conflict: (detail: string) => new HttpProblem(409, 'conflict', 'Conflict', detail),
  payloadTooLarge: (detail = 'request body is too large') =>
    new HttpProblem(413, 'payload_too_large', 'Payload too large', detail),
  unsupportedMediaType: (detail = 'send application/json') =>
    new HttpProblem(415, 'unsupported_media_type', 'Unsupported media type', detail),
  rateLimited: (retryAfterSeconds: number, detail = 'too many requests', code = 'rate_limited') =>
    new HttpProblem(429, code, 'Too many requests', detail, {
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    }),
  unavailable: (detail: string) => new HttpProblem(503, 'unavailable', 'Service unavailable', detail),
  internal: () => new HttpProblem(500, 'internal_error', 'Internal error', 'an unexpected error occurred'),
};

/** Turns zod issues into field errors for the problem document. */
export function fieldErrors(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>, prefix: string): FieldError[] {
  return issues.slice(0, 20).map((i) => ({
    path: [prefix, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
}
