/** Auth events land in audit_logs with actor, action, target, ip and time, never a secret. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Model } from 'objection';
import { verifyAuditChain } from '../../core/audit-verify.js';
import { AuditLog, User } from '../../core/db/models/index.js';
import { upload } from '../helpers/documents.js';
import { registerUser, request } from '../helpers/http.js';
import { settledDocument } from '../helpers/ingest.js';
import { setPlanLimits } from '../helpers/plans.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { AUDIT_ACTOR_ID, byActor } from '../../core/audit.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await startTestRuntime('audit');
  // Uploads here are more than the free plan's month allows.
  await setPlanLimits('free', { documents_per_month: 100_000, storage_mb: 100_000 });
});
afterAll(() => rt?.close());

describe('audit trail', () => {
  it('records registration, logins, refresh-token reuse, logout and role changes', async () => {
    const u = await registerUser(rt.url, 'audited');
    await request(rt.url, 'POST', '/api/auth/login', { json: { email: u.email, password: 'wrong password!' } });
    const ok = await request(rt.url, 'POST', '/api/auth/login', { json: { email: u.email, password: u.password } });
    await request(rt.url, 'POST', '/api/auth/refresh', { json: { refresh_token: u.refresh } });
    await request(rt.url, 'POST', '/api/auth/refresh', { json: { refresh_token: u.refresh } });
    await request(rt.url, 'POST', '/api/auth/logout', { json: { refresh_token: ok.body.refresh_token } });
    const admin = await registerUser(rt.url, 'auditor');
    await User.query().patch({ role: 'admin' }).where({ id: admin.id });
    await request(rt.url, 'PATCH', `/api/admin/users/${u.id}`, { token: admin.token, json: { role: 'lawyer' } });

    const rows = await AuditLog.query().where('target_id', u.id).orWhereRaw(...byActor(u.id)).orderBy('created_at');
    const actions = rows.map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['auth.register', 'auth.login_failed', 'auth.login', 'auth.refresh_reuse', 'auth.logout', 'admin.user_update']));
    for (const r of rows) {
      expect(r.ip).toBeTruthy();
      expect(r.created_at).toBeInstanceOf(Date);
    }
    const dump = JSON.stringify(await AuditLog.query());
    for (const secret of [u.password, u.refresh, u.token, ok.body.access_token, ok.body.refresh_token, 'wrong password!']) {
      expect(dump).not.toContain(secret);
    }

    const feed = await request(rt.url, 'GET', '/api/admin/audit?action=auth.login_failed', { token: admin.token });
    expect(feed.status).toBe(200);
    expect(feed.body.items[0]).toMatchObject({ action: 'auth.login_failed', target_id: u.id });
    // `from`/`to` take a day as well as a time; a day as `to` includes the whole of it.
    const today = new Date().toISOString().slice(0, 10);
    const byDay = await request(rt.url, 'GET', `/api/admin/audit?action=auth.login_failed&from=${today}&to=${today}`, { token: admin.token });
    expect(byDay.body.items.map((i: { id: string }) => i.id)).toEqual(feed.body.items.map((i: { id: string }) => i.id));
    const before = await request(rt.url, 'GET', `/api/admin/audit?action=auth.login_failed&to=${encodeURIComponent(new Date(Date.now() - 86_400_000).toISOString())}`, { token: admin.token });
    expect([before.status, before.body.items]).toEqual([200, []]);
    expect((await request(rt.url, 'GET', '/api/admin/audit?from=yesterday', { token: admin.token })).status).toBe(400);
  });

  it("keeps an actor's address sealed and shows it to admins; one that does not open reads null, not a failed list", async () => {
    const u = await registerUser(rt.url, 'sealed-ip');
    const admin = await registerUser(rt.url, 'ip-auditor');
    await User.query().patch({ role: 'admin' }).where({ id: admin.id });
    const [stored] = await AuditLog.query().where({ action: 'auth.register', target_id: u.id });
    expect(stored!.ip).toMatch(/^v1\./);
    const shown = await request(rt.url, 'GET', `/api/admin/audit?action=auth.register&target_id=${u.id}`, { token: admin.token });
    expect(shown.body.items.map((e: { ip: string | null }) => e.ip)).toEqual([expect.stringMatching(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/)]);
    // Sealed under another key (written by hand: the trail is append-only, so no entry is altered).
    await AuditLog.query().insert({ actor_id: u.id, action: 'test.unreadable', target_id: u.id, ip: `v1.${Buffer.alloc(40, 7).toString('base64url')}`, meta: {} });
    const list = await request(rt.url, 'GET', `/api/admin/audit?action=test.unreadable&target_id=${u.id}`, { token: admin.token });
    expect([list.status, list.body.items.map((e: { ip: string | null }) => e.ip)]).toEqual([200, [null]]);
  });

  it('records document downloads and deletions, and the chain of every entry holds', async () => {
    const owner = await registerUser(rt.url, 'downloader');
    const up = await upload(rt.url, '/api/documents', owner.token, { name: 'note.txt', data: Buffer.from('Договор аренды\n') });
    const doc = await settledDocument(rt.url, owner.token, up.body.document.id);
    expect((await request(rt.url, 'GET', `/api/documents/${doc.id}/download`, { token: owner.token })).status).toBe(200);
    expect((await request(rt.url, 'DELETE', `/api/documents/${doc.id}`, { token: owner.token })).status).toBe(204);

    const rows = await AuditLog.query().select('action', 'meta', AuditLog.raw(AUDIT_ACTOR_ID)).where({ target_id: doc.id }).orderBy('created_at');
    expect(rows.map((r) => [r.action, r.actor_id])).toEqual([['documents.download', owner.id], ['documents.delete', owner.id]]);
    expect(rows[0]!.meta).toEqual({ version: 1 });
    // Stored, an entry names its actor only by the keyed hash; the id comes back through the account's secret.
    const stored = await AuditLog.query().where({ target_id: doc.id });
    expect(stored.map((r) => r.actor_id)).toEqual([null, null]);
    expect(new Set(stored.map((r) => r.actor))).toEqual(new Set([expect.stringMatching(/^[0-9a-f]{64}$/)]));
    expect(JSON.stringify(stored)).not.toContain(owner.id);
    expect(await verifyAuditChain(Model.knex())).toMatchObject({ ok: true });
  });
});
