/**
 * A person's export and erasure, and the admins' view of requests and destruction acts.
 * The work runs as `privacy` jobs; progress reaches the owner as `privacy.updated`.
 */
import type { LoginThrottle } from '../../core/auth/login-throttle.js';
import { z } from 'zod';
import { audit } from '../../core/audit.js';
import type { AccountEffects } from '../../core/auth/accounts.js';
import type { Db } from '../../core/db/knex.js';
import { Vault } from '../../core/dlp/index.js';
import { domainErrors } from '../../core/errors.js';
import { requestErasure } from '../../core/privacy/erase.js';
import { openExport } from '../../core/privacy/export.js';
import { loadRequest, ownRequest, toPublicRequest } from '../../core/privacy/requests.js';
import type { Storage } from '../../core/storage/index.js';
import { enqueueRequest } from '../../pipelines/privacy.js';
import type { Queues } from '../../pipelines/queues.js';
import { IDEMPOTENCY_HEADER, type Idempotent } from '../idempotency.js';
import { defineRoute, type AnyRoute } from '../routing.js';
import { isoDate } from '../schemas/common.js';
import { sendDecrypted } from './documents.js';

export interface PrivacyRequestDeps {
  db: Db;
  storage: Storage;
  queues: Queues;
  /** Closes the account's sockets and cancels its queued work when erasure shuts it. */
  effects: AccountEffects;
  encryptionKey: Buffer;
  idempotent: Idempotent;
  throttle: LoginThrottle;
}

const requestSchema = z.object({
  id: z.uuid(), type: z.enum(['export', 'erasure']), status: z.enum(['queued', 'running', 'ready', 'completed', 'failed']),
  progress: z.record(z.string(), z.unknown()), expires_at: isoDate.nullable(), created_at: isoDate, completed_at: isoDate.nullable(),
  error: z.object({ code: z.string(), detail: z.string() }).nullable(),
});
const requestAnswer = z.object({ request: requestSchema });
const requestParams = z.object({ request_id: z.uuid() });
const notFound = { description: 'No such request of yours' };

export function privacyRequestRoutes(deps: PrivacyRequestDeps): AnyRoute[] {
  const vault = new Vault(deps.encryptionKey);
  const queue = (name: 'privacy.export' | 'privacy.erase', id: string) => enqueueRequest(deps.queues, name, id);

  return [
    defineRoute({
      method: 'post', path: '/api/privacy/export', summary: 'Take out your data: a ZIP built by a job, downloadable for 7 days', tags: ['privacy'], access: 'user',
      headers: [IDEMPOTENCY_HEADER],
      responses: {
        202: { description: 'Queued; follow it by privacy.updated or GET /api/privacy/requests/{id}', schema: requestAnswer },
        409: { description: 'An export is already being built, or the Idempotency-Key is in use' },
        422: { description: 'Reused Idempotency-Key' },
      },
      async handler(ctx) {
        const userId = ctx.state.user.id;
        await deps.idempotent(ctx, userId, {}, async () => {
          const open = await deps.db('privacy_requests').where({ user_id: userId, type: 'export' }).whereIn('status', ['queued', 'running']).first();
          if (open) throw domainErrors.conflict('an export is already being built');
          const [row] = await deps.db('privacy_requests').insert({ user_id: userId, type: 'export' }).returning('*');
          await audit({ actorId: userId, action: 'privacy.export_requested', targetType: 'privacy_request', targetId: row.id, ip: ctx.ip });
          try {
            await queue('privacy.export', row.id);
          } catch (err) {
            await deps.db('privacy_requests').where({ id: row.id }).update({ status: 'failed', error: JSON.stringify({ code: 'unavailable', detail: 'could not be queued' }) });
            throw domainErrors.unavailable(`the export could not be queued (${(err as Error).name}); try again`);
          }
          return { status: 202, body: { request: toPublicRequest(row) } };
        });
      },
    }),
    defineRoute({
      method: 'get', path: '/api/privacy/requests/:request_id', summary: 'One of your export or erasure requests', tags: ['privacy'], access: 'user',
      params: requestParams,
      responses: { 200: { description: 'The request', schema: requestAnswer }, 404: notFound },
      async handler(ctx, { params }) {
        ctx.body = { request: toPublicRequest(await ownRequest(deps.db, ctx.state.user.id, params.request_id)) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/privacy/requests/:request_id/download', summary: 'The ZIP of a ready export (its owner only, for 7 days)', tags: ['privacy'], access: 'user',
      params: requestParams,
      responses: { 200: { description: 'application/zip' }, 404: { description: 'No such export of yours, or it expired' }, 409: { description: 'Not ready yet' } },
      async handler(ctx, { params }) {
        const request = await ownRequest(deps.db, ctx.state.user.id, params.request_id);
        const opened = await openExport({ db: deps.db, storage: deps.storage, vault }, request);
        await audit({ actorId: ctx.state.user.id, action: 'privacy.export_downloaded', targetType: 'privacy_request', targetId: request.id, ip: ctx.ip });
        await sendDecrypted(ctx, { bytes: opened.bytes, type: 'application/zip', filename: opened.filename, logFields: { request_id: request.id } });
      },
    }),
    defineRoute({
      method: 'post', path: '/api/privacy/erasure', summary: 'Erase your account and everything held about you (confirm with your password)', tags: ['privacy'], access: 'user',
      body: z.strictObject({ password: z.string().min(1).max(1024) }),
      responses: { 202: { description: 'Sessions end now; the data is destroyed by a job', schema: requestAnswer }, 422: { description: 'The password is not right' }, 429: { description: 'Too many wrong passwords (the login throttle), with Retry-After' } },
      async handler(ctx, { body }) {
        const request = await requestErasure({ db: deps.db, effects: deps.effects, encryptionKey: deps.encryptionKey, throttle: deps.throttle }, ctx.state.user.id, body.password, ctx.ip);
        // Queued after the account is shut. If this fails, the minute sweep queues it (the account
        // cannot ask again); the answer is 202 all the same: the erasure will run.
        await queue('privacy.erase', request.id).catch((err: Error) => ctx.state.log.warn({ err: err.message, request_id: request.id }, 'erasure left to the sweep'));
        ctx.status = 202;
        ctx.body = { request: toPublicRequest((await loadRequest(deps.db, request.id))!) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/admin/privacy/requests/:request_id', summary: "A person's privacy request", tags: ['admin'], access: ['admin'],
      params: requestParams,
      responses: { 200: { description: 'The request', schema: requestAnswer.extend({ account_id: z.uuid() }) }, 404: { description: 'No such request' } },
      async handler(ctx, { params }) {
        const request = await loadRequest(deps.db, params.request_id);
        if (!request) throw domainErrors.notFound('no such request');
        await audit({ actorId: ctx.state.user.id, action: 'admin.read', targetType: 'privacy_request', targetId: request.id, ip: ctx.ip });
        ctx.body = { request: toPublicRequest(request), account_id: request.user_id };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/admin/privacy/acts/:request_id', summary: 'The destruction act of a completed erasure', tags: ['admin'], access: ['admin'],
      params: requestParams,
      responses: { 200: { description: 'The act', schema: z.object({ request_id: z.uuid(), account_id: z.uuid(), email_hash: z.string(), act: z.record(z.string(), z.unknown()), created_at: isoDate }) }, 404: { description: 'No act (yet) for this request' } },
      async handler(ctx, { params }) {
        const row = await deps.db('destruction_acts').where({ request_id: params.request_id }).first();
        if (!row) throw domainErrors.notFound('no destruction act for this request');
        await audit({ actorId: ctx.state.user.id, action: 'admin.read', targetType: 'destruction_act', targetId: row.request_id, ip: ctx.ip });
        ctx.body = { request_id: row.request_id, account_id: row.user_id, email_hash: row.email_hash, act: row.act, created_at: new Date(row.created_at).toISOString() };
      },
    }),
  ];
}
