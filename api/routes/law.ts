/**
 * Search and the law library: POST /api/ai/search (hybrid search over the caller's documents
 * and the law), GET /api/law (the codes, each with its edition date) and
 * GET /api/law/{code}/{article}.
 */
import { z } from 'zod';
import type { ReadRouting } from '../../core/db/read-routing.js';
import { getArticle, listCodes } from '../../core/law/library.js';
import { search, type VectorRanker } from '../../core/search/search.js';
import { problems } from '../problem.js';
import { defineRoute, type AnyRoute } from '../routing.js';

export interface LawRouteDeps {
  /** List and search reads: the replica, or the writer right after this user's own write. */
  reads: ReadRouting;
  vectors?: VectorRanker;
}

const locator = z.record(z.string(), z.unknown());
const source = z.discriminatedUnion('type', [
  z.object({ type: z.literal('document'), id: z.uuid(), title: z.string(), version: z.number().int() }),
  z.object({ type: z.literal('law'), code: z.string(), article: z.string(), title: z.string() }),
]);
const hit = z.object({ source, chunk_id: z.uuid(), text: z.string(), score: z.number(), locator });
const code = z.object({ code: z.string(), title: z.string(), short_title: z.string(), edition_date: z.iso.date(), articles: z.number().int() });
const article = z.object({ code: z.string(), article: z.string(), title: z.string(), text: z.string(), edition_date: z.iso.date() });

export function lawRoutes(deps: LawRouteDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'post', path: '/api/ai/search', summary: 'Hybrid search over your documents and the law library', tags: ['search'], access: 'user', readOnly: true,
      body: z.strictObject({
        query: z.string().trim().min(1).max(2000),
        scope: z.enum(['documents', 'law', 'all']).default('all'),
        document_ids: z.array(z.uuid()).max(100).optional(),
        limit: z.number().int().min(1).max(50).default(10),
      }),
      responses: {
        200: { description: 'Passages, best first', schema: z.object({ items: z.array(hit) }) },
        401: { description: 'Not signed in' },
        404: { description: 'A document in `document_ids` is not yours' },
        422: { description: 'Invalid body' },
      },
      async handler(ctx, { body }) {
        const userId = ctx.state.user.id;
        const items = await deps.reads.read(userId, (db) => search({ db, ...(deps.vectors ? { vectors: deps.vectors } : {}) }, {
          userId, query: body.query, scope: body.scope, limit: body.limit,
          ...(body.document_ids ? { documentIds: body.document_ids } : {}),
        }));
        ctx.body = { items };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/law', summary: 'The codes of the built-in law library', tags: ['law'], access: 'user',
      responses: { 200: { description: 'Codes with their edition dates', schema: z.object({ items: z.array(code) }) }, 401: { description: 'Not signed in' } },
      async handler(ctx) {
        ctx.body = { items: await deps.reads.read(ctx.state.user.id, listCodes) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/law/:code/:article', summary: 'One article of a code, e.g. /api/law/gk/450', tags: ['law'], access: 'user',
      params: z.object({ code: z.string().regex(/^[a-z]{2,8}$/), article: z.string().regex(/^\d{1,4}(\.\d{1,3}(-\d{1,3})?)*$/) }),
      responses: { 200: { description: 'The article', schema: article }, 400: { description: 'Bad code or article number' }, 401: { description: 'Not signed in' }, 404: { description: 'No such article' } },
      async handler(ctx, { params }) {
        const found = await deps.reads.read(ctx.state.user.id, (db) => getArticle(db, params.code, params.article));
        if (!found) throw problems.notFound('no such article in the library');
        ctx.body = found;
      },
    }),
  ];
}
