/** Auth events land in audit_logs with actor, action, target, ip and time, never a secret. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, User } from '../../core/db/models/index.js';
import { registerUser, request } from '../helpers/http.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await startTestRuntime('audit');
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

    const rows = await AuditLog.query().where('target_id', u.id).orWhere('actor_id', u.id).orderBy('created_at');
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
  });
});
