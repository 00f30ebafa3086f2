/**
 * The browser's way to hold a refresh token: an httpOnly cookie that page scripts cannot
 * read, beside the JSON flow. A client asks for it with `X-Refresh-Cookie: 1` on register,
 * login and refresh; the token then travels only in the cookie (SameSite=Strict, scoped to
 * /api/auth). Spending it (refresh, logout) takes a double-submit CSRF token: the
 * `X-CSRF-Token` header must equal the readable `csrf_token` cookie set beside it, which a
 * page of another origin can neither read nor forge.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AppContext } from './context.js';
import { problems } from './problem.js';

const REFRESH = 'refresh_token';
const CSRF = 'csrf_token';
const PATH = '/api/auth';

export const wantsRefreshCookie = (ctx: AppContext) => ctx.get('x-refresh-cookie') === '1';

/** Moves the refresh token from the answer into the cookies. */
export function putRefreshCookie<T extends { refresh_token: string }>(ctx: AppContext, session: T, ttlSeconds: number): Omit<T, 'refresh_token'> {
  const { refresh_token: token, ...rest } = session;
  const common = { secure: ctx.secure, sameSite: 'strict' as const, maxAge: ttlSeconds * 1000, overwrite: true };
  ctx.cookies.set(REFRESH, token, { ...common, httpOnly: true, path: PATH });
  ctx.cookies.set(CSRF, randomBytes(24).toString('base64url'), { ...common, httpOnly: false, path: '/' });
  return rest;
}

export function clearRefreshCookie(ctx: AppContext): void {
  ctx.cookies.set(REFRESH, null, { path: PATH });
  ctx.cookies.set(CSRF, null, { path: '/' });
}

/** The cookie's refresh token, when the request carries one; refused without the matching CSRF header. */
export function refreshTokenFromCookie(ctx: AppContext): string | undefined {
  const token = ctx.cookies.get(REFRESH);
  if (!token) return undefined;
  const cookie = Buffer.from(ctx.cookies.get(CSRF) ?? '');
  const header = Buffer.from(ctx.get('x-csrf-token'));
  if (!cookie.length || cookie.length !== header.length || !timingSafeEqual(cookie, header)) {
    throw problems.forbidden('the X-CSRF-Token header must repeat the csrf_token cookie');
  }
  return token;
}
