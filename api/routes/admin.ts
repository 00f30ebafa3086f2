import type { QueryBuilder } from 'objection';
import { z } from 'zod';
import { AUDIT_ACTOR_ID, AUDIT_COLUMNS, AUDIT_IP_KEY, audit, byActor, withReadableIp } from '../../core/audit.js';
import { changeAccount, type AccountEffects } from '../../core/auth/accounts.js';
import type { Db } from '../../core/db/knex.js';
import type { ReadRouting } from '../../core/db/read-routing.js';
import { AuditLog, User } from '../../core/db/models/index.js';
import { usageReport } from '../../core/reports/usage.js';
import { problems } from '../problem.js';
import { decodeCursor, keysetPage } from '../cursor.js';
import { defineRoute, type AnyRoute } from '../routing.js';
import { isoDate, page, pageQuery, rangeEnd, rangeStart, reportTime, userSchema, utcDayOf } from '../schemas/common.js';
import { personHash } from '../../core/privacy/keys.js';

const auditSchema = z.object({
  id: z.uuid(),
  /** The account while it lives; null once erased, when only `actor`, its keyed hash, remains. */
  actor_id: z.uuid().nullable(),
  actor: z.string().nullable(),
  action: z.string(),
  target_type: z.string().nullable(),
  target_id: z.string().nullable(),
  /** The actor's address; null once their account is erased (it was sealed with the account's secret). */
  ip: z.string().nullable(),
  meta: z.record(z.string(), z.unknown()),
  created_at: isoDate,
});

const MAX_REPORT_DAYS = 366;
const DAY_MS = 86_400_000;

const usageDaySchema = z.object({
  day: z.iso.date(),
  active_users: z.number().int(),
  messages: z.number().int(),
  ai_tokens: z.array(z.object({ provider: z.string(), input_tokens: z.number().int(), output_tokens: z.number().int() })),
  documents: z.number().int(),
  reviews: z.number().int(),
  revenue: z.array(z.object({ currency: z.string(), amount_minor: z.number().int() })),
});

/** `?q=`: a substring of the e-mail or name (LIKE wildcards taken literally), or the id itself. */
function matchAccount(w: QueryBuilder<User>, q: string): void {
  const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  w.where('email', 'ilike', like).orWhere('name', 'ilike', like);
  if (z.uuid().safeParse(q).success) w.orWhere('id', q);
}

export function adminRoutes(deps: { db: Db; reads: ReadRouting; effects: AccountEffects; encryptionKey: Buffer }): AnyRoute[] {
  return [
    defineRoute({
      method: 'get', path: '/api/admin/users', summary: 'List accounts', tags: ['admin'], access: ['admin'],
      query: pageQuery.extend({
        role: z.enum(['user', 'lawyer', 'admin']).optional(),
        status: z.enum(['active', 'blocked']).optional(),
        /** Part of the e-mail or name, case-insensitive, or an account id. */
        q: z.string().trim().min(1).max(200).optional(),
      }),
      responses: { 200: { description: 'Accounts, newest first', schema: page(userSchema) } },
      async handler(ctx, { query }) {
        const result = await deps.reads.read(ctx.state.user.id, (db) => {
          const users = User.query(db);
          if (query.role) users.where({ role: query.role });
          if (query.status) users.where({ status: query.status });
          if (query.q) users.where((w) => matchAccount(w, query.q!));
          return keysetPage(users, { limit: query.limit, after: decodeCursor(query.cursor), order: 'desc' });
        });
        await audit({ actorId: ctx.state.user.id, action: 'admin.read', targetType: 'users', ip: ctx.ip, meta: {
          role: query.role ?? null, status: query.status ?? null,
          // The term names a person, and the log outlives an erasure: only its keyed hash is kept,
          // which an auditor holding the term can match (an e-mail's is the destruction act's).
          q_hash: query.q ? personHash(deps.encryptionKey, query.q) : null, count: result.items.length,
        } });
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
        const user = await changeAccount(deps.db, deps.effects, { id: params.user_id }, body, { actorId: ctx.state.user.id, ip: ctx.ip, via: 'api' });
        ctx.body = user.toPublic();
      },
    }),
    defineRoute({
      method: 'get', path: '/api/admin/reports/usage', summary: `Usage per UTC day, from..to inclusive (default the last 30 days, at most ${MAX_REPORT_DAYS})`,
      tags: ['admin'], access: ['admin'],
      query: z.object({ from: reportTime.optional(), to: reportTime.optional() }),
      responses: { 200: { description: 'One row per day, oldest first', schema: z.object({ from: z.iso.date(), to: z.iso.date(), days: z.array(usageDaySchema) }) } },
      async handler(ctx, { query }) {
        const to = utcDayOf(query.to ?? new Date().toISOString());
        const from = query.from ? utcDayOf(query.from) : utcDayOf(new Date(Date.parse(to) - 29 * DAY_MS).toISOString());
        const span = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
        if (span < 1) throw problems.validation([{ path: 'query.from', message: 'must not be after `to`' }]);
        if (span > MAX_REPORT_DAYS) throw problems.validation([{ path: 'query.from', message: `the range may span at most ${MAX_REPORT_DAYS} days` }]);
        ctx.body = { from, to, days: await deps.reads.read(ctx.state.user.id, (db) => usageReport(db, { from, to })) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/admin/audit', summary: 'The audit trail', tags: ['admin'], access: ['admin'],
      query: pageQuery.extend({
        action: z.string().max(64).optional(), actor_id: z.uuid().optional(), target_id: z.string().min(1).max(64).optional(),
        from: reportTime.optional(), to: reportTime.optional(),
      }),
      responses: { 200: { description: 'Audit events, newest first', schema: page(auditSchema) } },
      async handler(ctx, { query }) {
        const events = AuditLog.query().select(...AUDIT_COLUMNS, AuditLog.raw(AUDIT_ACTOR_ID), AuditLog.raw(AUDIT_IP_KEY));
        if (query.action) events.where({ action: query.action });
        if (query.actor_id) events.whereRaw(...byActor(query.actor_id));
        if (query.target_id) events.where({ target_id: query.target_id });
        if (query.from) events.where('created_at', '>=', rangeStart(query.from));
        if (query.to) events.where('created_at', '<', rangeEnd(query.to));
        const result = await keysetPage(events, { limit: query.limit, after: decodeCursor(query.cursor), order: 'desc' });
        const { cursor: _cursor, limit: _limit, ...filters } = query;
        await audit({ actorId: ctx.state.user.id, action: 'admin.read', targetType: 'audit_logs', ip: ctx.ip, meta: filters });
        ctx.body = {
          items: result.items.map((a) => ({ ...withReadableIp(a), created_at: new Date(a.created_at).toISOString() })),
          next_cursor: result.next_cursor,
        };
      },
    }),
  ];
}
