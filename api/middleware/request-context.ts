/**
 * Request id (taken from a sane X-Request-Id or made), a per-request logger, an access log
 * line, and the request's duration in the HTTP histogram, labelled by route template (never
 * the path itself: ids in paths would make labels unbounded).
 */
import { randomUUID } from 'node:crypto';
import type { Next } from 'koa';
import type { Logger } from '../../core/log.js';
import { httpDuration } from '../../core/telemetry/metrics.js';
import { inServerSpan, SpanStatusCode } from '../../core/telemetry/tracing.js';
import { BOARD_PATH } from '../../bull-board/mount.js';
import type { AppContext } from '../context.js';
import { RequestState } from '../request-log.js';

const SAFE_ID = /^[A-Za-z0-9._-]{8,128}$/;

function routeOf(ctx: AppContext): string {
  const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  if (typeof matched === 'string') return matched;
  return ctx.path === BOARD_PATH || ctx.path.startsWith(`${BOARD_PATH}/`) ? BOARD_PATH : 'unmatched';
}

export function requestContext(log: Logger) {
  return async (ctx: AppContext, next: Next) => {
    const incoming = ctx.get('x-request-id');
    const requestId = SAFE_ID.test(incoming) ? incoming : randomUUID();
    ctx.state = new RequestState(requestId, log);
    ctx.set('X-Request-Id', requestId);
    const started = performance.now();
    // The server span continues a caller's `traceparent`; it is named by route template once routed.
    await inServerSpan(ctx.method, ctx.headers, async (span) => {
      try {
        await next();
      } finally {
        const ms = performance.now() - started;
        const route = routeOf(ctx);
        // Path only: query strings may carry search terms; never bodies or headers.
        if (log.isLevelEnabled('info')) ctx.state.log.info({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms) }, 'request');
        httpDuration.observe({ method: ctx.method, route, status: String(ctx.status) }, ms / 1000);
        span.updateName(`${ctx.method} ${route}`);
        span.setAttributes({ 'http.request.method': ctx.method, 'http.route': route, 'http.response.status_code': ctx.status });
        if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      }
    });
  };
}
