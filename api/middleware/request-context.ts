/** Request id (taken from a sane X-Request-Id or made), a per-request logger, an access log line. */
import { randomUUID } from 'node:crypto';
import type { Next } from 'koa';
import type { Logger } from '../../core/log.js';
import type { AppContext } from '../context.js';

const SAFE_ID = /^[A-Za-z0-9._-]{8,128}$/;

export function requestContext(log: Logger) {
  return async (ctx: AppContext, next: Next) => {
    const incoming = ctx.get('x-request-id');
    const requestId = SAFE_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.state.log = log.child({ req_id: requestId });
    ctx.set('X-Request-Id', requestId);
    const started = performance.now();
    try {
      await next();
    } finally {
      // Path only: query strings may carry search terms; never bodies or headers.
      ctx.state.log.info(
        { method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(performance.now() - started) },
        'request',
      );
    }
  };
}
