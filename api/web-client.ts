/**
 * Serves the web client's build (web/dist) at / from the API's own origin: hashed assets
 * cached for good and sent compressed (the copies bin/build-web.ts makes), any other page
 * path answered with index.html (the client routes it); a file name it does not have is 404.
 * API, socket, metrics, health and board paths never reach it. Without a build, nothing
 * is served and the start-up log says how to make one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Middleware } from 'koa';
import send from 'koa-send';

export const WEB_DIST = fileURLToPath(new URL('../web/dist', import.meta.url));
const NOT_PAGES = /^\/(api|ws|metrics|healthz|readyz|admin\/queues)(\/|$)/;
/** Names of files a browser or crawler asks for; page paths may hold dots too (/law/gk/445.1). */
const FILE_NOT_PAGE = /\.(ico|png|jpe?g|gif|svg|webp|txt|xml|json|js|mjs|css|map|webmanifest|html?)$/i;
const CSP = [
  "default-src 'self'", "connect-src 'self'", "img-src 'self' data: blob:", "style-src 'self'", "script-src 'self'",
  "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

export function webClient(dir = WEB_DIST): Middleware | undefined {
  if (!fs.existsSync(path.join(dir, 'index.html'))) return undefined;
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || NOT_PAGES.test(ctx.path)) return next();
    ctx.set('Content-Security-Policy', CSP);
    // koa-send answers with the build's .br or .gz copy when the browser accepts it.
    ctx.vary('Accept-Encoding');
    if (ctx.path.startsWith('/assets/')) {
      // Names carry their content's hash: a changed file is a new name.
      ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
      await send(ctx, ctx.path, { root: dir }).catch(() => undefined);
      if (!ctx.body) ctx.set('Cache-Control', 'no-store');
      return;
    }
    // A file the build does not have (/favicon.ico, /robots.txt) is not a page: 404, not the app.
    if (FILE_NOT_PAGE.test(ctx.path)) return next();
    await send(ctx, 'index.html', { root: dir });
  };
}
