import { z } from 'zod';
import type { AuthService } from '../../core/auth/service.js';
import { defineRoute, type AnyRoute } from '../routing.js';
import { userSchema } from '../schemas/common.js';

const email = z.string().trim().max(254).pipe(z.email());
// Length bounds keep argon2 work bounded; no composition rules (NIST 800-63B).
const password = z.string().min(8).max(256);
const tokenPair = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
});
const session = tokenPair.extend({ user: userSchema });
const refreshBody = z.strictObject({ refresh_token: z.string().min(1).max(512) });

export function authRoutes(auth: AuthService): AnyRoute[] {
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
        ctx.body = await auth.register(body, ctx.ip, ctx.get('user-agent').slice(0, 500) || undefined);
      },
    }),
    defineRoute({
      method: 'post', path: '/api/auth/login', summary: 'Sign in', tags: ['auth'], access: 'public',
      body: z.strictObject({ email, password: z.string().min(1).max(256) }),
      responses: { 200: { description: 'Signed in', schema: session } },
      async handler(ctx, { body }) {
        ctx.body = await auth.login(body, ctx.ip);
      },
    }),
    defineRoute({
      method: 'post', path: '/api/auth/refresh', summary: 'Rotate the refresh token', tags: ['auth'], access: 'public',
      body: refreshBody,
      responses: { 200: { description: 'New token pair; the old refresh token is spent', schema: tokenPair } },
      async handler(ctx, { body }) {
        ctx.body = await auth.refresh(body.refresh_token, ctx.ip);
      },
    }),
    defineRoute({
      method: 'post', path: '/api/auth/logout', summary: 'Revoke the session family', tags: ['auth'], access: 'public',
      body: refreshBody,
      responses: { 204: { description: 'Signed out' } },
      async handler(ctx, { body }) {
        await auth.logout(body.refresh_token, ctx.ip);
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
