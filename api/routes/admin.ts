import { z } from 'zod';
import { audit } from '../../core/audit.js';
import { AuditLog, User } from '../../core/db/models/index.js';
import { problems } from '../../core/http/problem.js';
import { decodeCursor, keysetPage } from '../cursor.js';
import { defineRoute, type AnyRoute } from '../routing.js';
import { isoDate, page, pageQuery, userSchema } from '../schemas/common.js';

const auditSchema = z.object({
  id: z.uuid(),
  actor_id: z.uuid().nullable(),
  action: z.string(),
  target_type: z.string().nullable(),
  target_id: z.string().nullable(),
  ip: z.string().nullable(),
  meta: z.record(z.string(), z.unknown()),
  created_at: isoDate,
});

export function adminRoutes(): AnyRoute[] {
  return [
    defineRoute({
      method: 'get', path: '/api/admin/users', summary: 'List accounts', tags: ['admin'], access: ['admin'],
      query: pageQuery.extend({ role: z.enum(['user', 'lawyer', 'admin']).optional() }),
      responses: { 200: { description: 'Accounts, newest first', schema: page(userSchema) } },
      async handler(ctx, { query }) {
        const users = User.query();
        if (query.role) users.where({ role: query.role });
        const result = await keysetPage(users, { limit: query.limit, after: decodeCursor(query.cursor), order: 'desc' });
        ctx.body = { items: result.items.map((u) => u.toPublic()), next_cursor: result.next_cursor };
      },
    }),
    defineRoute({
      method: 'patch', path: '/api/admin/users/:user_id', summary: "Change an account's role or status", tags: ['admin'], access: ['admin'],
      params: z.object({ user_id: z.uuid() }),
      body: z.strictObject({ role: z.enum(['user', 'lawyer', 'admin']).optional(), status: z.enum(['active', 'blocked']).optional() })
        .refine((b) => b.role || b.status, 'give role or status'),
      responses: { 200: { description: 'The updated account', schema: userSchema } },
      async handler(ctx, { params, body }) {
        if (params.user_id === ctx.state.user.id) throw problems.conflict('an admin cannot change their own role or status');
        const user = await User.query().patchAndFetchById(params.user_id, body);
        if (!user) throw problems.notFound('no such user');
        await audit({ actorId: ctx.state.user.id, action: 'admin.user_update', targetType: 'user', targetId: user.id, ip: ctx.ip, meta: body });
        ctx.body = user.toPublic();
      },
    }),
    defineRoute({
      method: 'get', path: '/api/admin/audit', summary: 'The audit trail', tags: ['admin'], access: ['admin'],
      query: pageQuery.extend({ action: z.string().max(64).optional(), actor_id: z.uuid().optional() }),
      responses: { 200: { description: 'Audit events, newest first', schema: page(auditSchema) } },
      async handler(ctx, { query }) {
        const events = AuditLog.query();
        if (query.action) events.where({ action: query.action });
        if (query.actor_id) events.where({ actor_id: query.actor_id });
        const result = await keysetPage(events, { limit: query.limit, after: decodeCursor(query.cursor), order: 'desc' });
        ctx.body = { items: result.items.map((a) => ({ ...a, created_at: new Date(a.created_at).toISOString() })), next_cursor: result.next_cursor };
      },
    }),
  ];
}
