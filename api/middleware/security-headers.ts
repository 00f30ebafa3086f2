import type { Next } from 'koa';
import type { AppContext } from '../context.js';

/** Headers for a JSON API. Bull Board serves a UI of its own, so it gets a CSP that allows it. */
export function securityHeaders(opts: { hsts: boolean }) {
  return async (ctx: AppContext, next: Next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
    ctx.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
    ctx.set(
      'Content-Security-Policy',
      ctx.path.startsWith('/admin/queues')
        ? "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'"
        : "default-src 'none'; frame-ancestors 'none'",
    );
    // Answers carry tokens and personal data: no browser or proxy may keep them. Only the
    // board's static assets (scripts, styles) may be cached.
    if (!ctx.path.startsWith('/admin/queues/static/')) ctx.set('Cache-Control', 'no-store');
    if (opts.hsts) ctx.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    await next();
  };
}
