import { z } from 'zod';
import type { AuthService } from '../../core/auth/service.js';
import { problems } from '../problem.js';
import { clearRefreshCookie, putRefreshCookie, refreshTokenFromCookie, wantsRefreshCookie } from '../refresh-cookie.js';
import { defineRoute, type AnyRoute } from '../routing.js';
import type { AppContext } from '../context.js';
import { userSchema } from '../schemas/common.js';

const email = z.string().trim().max(254).pipe(z.email());
// Length bounds keep argon2 work bounded; no composition rules (NIST 800-63B).
const password = z.string().min(8).max(256);
const tokenPair = z.object({
  access_token: z.string(),
  /** Absent when the client asked for the httpOnly cookie (`X-Refresh-Cookie: 1`). */
  refresh_token: z.string().optional(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
});
const session = tokenPair.extend({ user: userSchema });
/** Without `refresh_token`, the httpOnly cookie's, with its CSRF header (api/refresh-cookie.ts). */
const refreshBody = z.strictObject({ refresh_token: z.string().min(1).max(512).optional() });

export function authRoutes(auth: AuthService, refreshTtlSeconds: number): AnyRoute[] {
  /** The session as the client asked for it: the refresh token in the body, or in the cookie. */
  const answer = <T extends { refresh_token: string }>(ctx: AppContext, session: T, cookie = wantsRefreshCookie(ctx)) =>
    cookie ? putRefreshCookie(ctx, session, refreshTtlSeconds) : session;
  const presented = (ctx: AppContext, body: { refresh_token?: string | undefined }) => {
    const token = body.refresh_token ?? refreshTokenFromCookie(ctx);
    if (!token) throw problems.validation([{ path: 'body.refresh_token', message: 'required (or the refresh_token cookie)' }]);
    return { token, fromCookie: body.refresh_token === undefined };
  };
  return [
    defineRoute({
      method: 'post', path: '/api/auth/register', summary: 'Create an account', tags: ['auth'], access: 'public',
      body: z.strictObject({
        email, password, name: z.string().trim().min(1).max(200).optional(),
        /** The version of the processing consent the client showed (GET /api/privacy/consent-document). */
        consent_version: z.string().min(1).max(40),
      }),
      responses: { 201: { description: 'Registered and signed in', schema: session }, 422: { description: 'Invalid body, or a missing or outdated consent_version' } },
      async handler(ctx, { body }) {
        ctx.status = 201;
        ctx.body = answer(ctx, await auth.register(body, ctx.ip, ctx.get('user-agent').slice(0, 500) || undefined));
      },
    }),
    defineRoute({
      method: 'post', path: '/api/auth/login', summary: 'Sign in', tags: ['auth'], access: 'public',
      body: z.strictObject({ email, password: z.string().min(1).max(256) }),
      responses: { 200: { description: 'Signed in', schema: session } },
      async handler(ctx, { body }) {
        ctx.body = answer(ctx, await auth.login(body, ctx.ip));
      },
    }),
    defineRoute({
      method: 'post', path: '/api/auth/refresh', summary: 'Rotate the refresh token', tags: ['auth'], access: 'public',
      body: refreshBody,
      responses: { 200: { description: 'New token pair; the old refresh token is spent', schema: tokenPair } },
      async handler(ctx, { body }) {
        const { token, fromCookie } = presented(ctx, body);
        ctx.body = answer(ctx, await auth.refresh(token, ctx.ip), fromCookie || wantsRefreshCookie(ctx));
      },
    }),
    defineRoute({
      method: 'post', path: '/api/auth/logout', summary: 'Revoke the session family', tags: ['auth'], access: 'public',
      body: refreshBody,
      responses: { 204: { description: 'Signed out' } },
      async handler(ctx, { body }) {
        const { token, fromCookie } = presented(ctx, body);
        await auth.logout(token, ctx.ip);
        if (fromCookie) clearRefreshCookie(ctx);
        ctx.status = 204;
      },
    }),
    defineRoute({
      method: 'get', path: '/api/auth/me', summary: 'The signed-in account', tags: ['auth'], access: 'user',
      responses: { 200: { description: 'The account', schema: userSchema } },
      async handler(ctx) {
        ctx.body = ctx.state.user.toPublic();
      },
    }),
  ];
}
