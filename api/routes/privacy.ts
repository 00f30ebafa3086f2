/**
 * Privacy (152-FZ, GDPR): the consent document shown at sign-up, and the caller's consents
 * per purpose, granted and withdrawn.
 */
import { z } from 'zod';
import type { Db } from '../../core/db/knex.js';
import { CONSENT_DOCUMENT, CONSENT_PURPOSES } from '../../core/privacy/consent-document.js';
import { listConsents, setConsent } from '../../core/privacy/consents.js';
import { defineRoute, type AnyRoute } from '../routing.js';

const consent = z.object({
  purpose: z.enum(CONSENT_PURPOSES), granted: z.boolean(), version: z.string().nullable(),
  at: z.string().nullable().describe('when the latest decision was recorded'), updated_at: z.string().nullable().describe('the same as `at`'),
});
const consents = z.object({ items: z.array(consent) });

export function privacyRoutes(deps: { db: Db }): AnyRoute[] {
  return [
    defineRoute({
      method: 'get', path: '/api/privacy/consent-document', summary: 'The consent to processing, as shown at sign-up', tags: ['privacy'], access: 'public',
      responses: { 200: { description: 'Its version and text', schema: z.object({ version: z.string(), text: z.string() }) } },
      async handler(ctx) {
        ctx.body = CONSENT_DOCUMENT;
      },
    }),
    defineRoute({
      method: 'get', path: '/api/privacy/consents', summary: 'Your consents, per purpose', tags: ['privacy'], access: 'user',
      responses: { 200: { description: 'The current state of each purpose', schema: consents }, 401: { description: 'Not signed in' } },
      async handler(ctx) {
        ctx.body = { items: await listConsents(deps.db, ctx.state.user.id) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/privacy/consents', summary: 'Grant or withdraw a consent', tags: ['privacy'], access: 'user',
      body: z.strictObject({
        purpose: z.enum(CONSENT_PURPOSES), granted: z.boolean(),
        version: z.string().min(1).max(40).optional().describe('the consent document version the client showed; an outdated one is 422'),
      }),
      responses: {
        200: { description: 'The consents after the change', schema: consents },
        401: { description: 'Not signed in' },
        409: { description: 'Consent to processing is withdrawn by erasing the account (POST /api/privacy/erasure)' },
        422: { description: 'Invalid body' },
      },
      async handler(ctx, { body }) {
        const ua = ctx.get('user-agent').slice(0, 500);
        ctx.body = { items: await setConsent(deps.db, ctx.state.user.id, body.purpose, body.granted, { ip: ctx.ip, ...(ua ? { userAgent: ua } : {}), ...(body.version ? { version: body.version } : {}) }) };
      },
    }),
  ];
}
