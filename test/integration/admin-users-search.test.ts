/** Admins find accounts by part of the e-mail or name, by id, and by role and status. */
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditActorOf } from '../../core/audit.js';
import { registerUser, request } from '../helpers/http.js';
import { account } from '../helpers/reviews.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await startTestRuntime('adminusers');
});
afterAll(() => rt?.close());

const emails = (body: { items: Array<{ email: string }> }) => body.items.map((u) => u.email);

describe('GET /api/admin/users', () => {
  it('finds accounts by e-mail or name, by id, and by role and status; LIKE wildcards are plain text', async () => {
    const admin = await account(rt.url, 'admin', 'finder');
    const anna = await registerUser(rt.url, 'anna_k');
    const boris = await registerUser(rt.url, 'borisx');
    const list = (query: string) => request(rt.url, 'GET', `/api/admin/users?${query}`, { token: admin.token });

    expect(emails((await list('q=ANNA_K')).body)).toEqual([anna.email]);
    expect(emails((await list(`q=${anna.id}`)).body)).toEqual([anna.email]);
    // `_` and `%` match themselves, not any character.
    expect(emails((await list('q=anna%25')).body)).toEqual([]);
    expect(emails((await list('q=borisx&status=active')).body)).toEqual([boris.email]);

    const blocked = await request(rt.url, 'PATCH', `/api/admin/users/${boris.id}`, { token: admin.token, json: { status: 'blocked' } });
    expect(blocked.status).toBe(200);
    expect(emails((await list('status=blocked')).body)).toEqual([boris.email]);
    expect(emails((await list('q=borisx&status=active')).body)).toEqual([]);
    expect(emails((await list('q=finder&role=admin')).body)).toEqual([admin.email]);
    expect((await list('status=gone')).status).toBe(400);
  });

  it('audits each search without the term, which names a person and would outlive an erasure', async () => {
    const admin = await account(rt.url, 'admin', 'auditor');
    const vera = await registerUser(rt.url, 'vera_audited');
    const actor = await auditActorOf(Model.knex(), admin.id);
    const searches = () => Model.knex()('audit_logs').where({ action: 'admin.read', actor }).orderBy('seq').pluck('meta');
    for (const q of ['vera_audited', 'VERA_AUDITED ']) {
      expect(emails((await request(rt.url, 'GET', `/api/admin/users?q=${encodeURIComponent(q)}`, { token: admin.token })).body)).toEqual([vera.email]);
    }
    const metas = await searches();
    expect(metas).toHaveLength(2);
    expect(JSON.stringify(metas).toLowerCase()).not.toContain('vera');
    // The same term, however typed, gives the same keyed hash: an auditor holding it can match it.
    expect(metas[0].q_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(metas[1].q_hash).toBe(metas[0].q_hash);
  });
});
