/**
 * Renders every failure as an RFC 9457 problem document. Body-parser errors become 400,
 * 413 or 415; anything unexpected is logged and answered 500 without internals.
 */
import type { Next } from 'koa';
import { DomainError } from '../../core/errors.js';
import { HttpProblem, problems } from '../problem.js';
import type { AppContext } from '../context.js';

const STATUS_OF_KIND = { invalid: 422, unauthenticated: 401, forbidden: 403, not_found: 404, conflict: 409, limited: 429, exhausted: 402, unavailable: 503 } as const;
const TITLE_OF_KIND = {
  invalid: 'Validation failed', unauthenticated: 'Unauthorized', forbidden: 'Forbidden', not_found: 'Not found',
  conflict: 'Conflict', limited: 'Too many requests', exhausted: 'Payment required', unavailable: 'Service unavailable',
} as const;

/** The one place where a core service's refusal becomes HTTP. */
export function problemOf(err: DomainError): HttpProblem {
  if (err.kind === 'limited') return problems.rateLimited(err.retryAfterSeconds ?? 1, err.message, err.code);
  return new HttpProblem(STATUS_OF_KIND[err.kind], err.code, TITLE_OF_KIND[err.kind], err.message);
}

function fromParserError(err: { status?: number; type?: string; code?: string; message?: string }): HttpProblem | undefined {
  // zlib's codes (Z_DATA_ERROR, Z_BUF_ERROR...): a Content-Encoding that does not decode.
  if (typeof err.code === 'string' && err.code.startsWith('Z_')) return problems.badRequest('the body does not decode with its Content-Encoding', 'malformed_body');
  if (err.status === 413 || err.type === 'entity.too.large') return problems.payloadTooLarge();
  if (err.status === 415) return problems.unsupportedMediaType();
  if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported') return problems.unsupportedMediaType('unsupported charset or encoding');
  // co-body's parser (bourne) refuses well-formed JSON that could poison prototypes: say so.
  if (err.status === 400 && /forbidden prototype property/.test(err.message ?? '')) return problems.badRequest('a "__proto__" or "constructor.prototype" key is not accepted in a body', 'malformed_json');
  if (err.status === 400 || err.type === 'entity.parse.failed') return problems.badRequest('malformed JSON body', 'malformed_json');
  if (err.status === 411 || err.type === 'request.size.invalid' || err.type === 'request.aborted') return problems.badRequest('incomplete request body');
  return undefined;
}

/** A dependency that is down or saturated is a 503 the client may retry, not a 500. */
function fromDependencyError(err: Error): HttpProblem | undefined {
  if (err.name === 'KnexTimeoutError') return problems.unavailable('the database is busy: try again');
  if (err.name === 'MaxRetriesPerRequestError' || /enableOfflineQueue|Connection is closed|ECONNREFUSED/.test(err.message)) {
    return problems.unavailable('the queue is unreachable: try again');
  }
  return undefined;
}

export function errorHandler() {
  return async (ctx: AppContext, next: Next) => {
    try {
      await next();
      if (ctx.body === undefined || ctx.body === null) {
        // The router leaves unknown routes at 404 and known paths with another method at 405/501.
        if (ctx.status === 404) throw problems.notFound('no such route');
        if (ctx.status === 405 || ctx.status === 501) throw problems.methodNotAllowed(ctx.response.get('Allow') || 'GET');
      }
    } catch (raw) {
      const err = raw as Error & { status?: number; type?: string; code?: string; expose?: boolean };
      let problem = err instanceof HttpProblem ? err : err instanceof DomainError ? problemOf(err) : (fromParserError(err) ?? fromDependencyError(err));
      if (problem?.status === 503) ctx.state.log?.warn({ err: err.message }, 'dependency unavailable');
      if (!problem) {
        ctx.state.log?.error({ err }, 'unhandled error');
        problem = problems.internal();
      }
      ctx.status = problem.status;
      ctx.type = 'application/problem+json';
      ctx.body = { ...problem.toJSON(), instance: ctx.path.slice(0, 200) };
      for (const [k, v] of Object.entries(problem.extra.headers ?? {})) ctx.set(k, v);
    }
  };
}
