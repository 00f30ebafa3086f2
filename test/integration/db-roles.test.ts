/**
 * The service runs as a role of its own (DATABASE_URL) while migrations run as the schema's
 * owner (DATABASE_OWNER_URL): the service works as usual, yet its role may not change or
 * remove an audit entry or a destruction act, and cannot drop the triggers that also refuse it.
 */
import { randomBytes } from 'node:crypto';
import knex, { type Knex } from 'knex';
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../core/audit-verify.js';
import { grantServiceRole } from '../../core/db/grants.js';
import { newChat } from '../e2e/chat/harness.js';
import { registerUser, request } from '../helpers/http.js';
import { account } from '../helpers/reviews.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { sqlOnce, TEST_DATABASE_URL } from '../helpers/services.js';

const role = `svc_${randomBytes(4).toString('hex')}`;
const serviceUrl = (() => {
  const u = new URL(TEST_DATABASE_URL);
  u.username = role;
  return u.toString();
})();
let rt: TestRuntime;
let asService: Knex;

const asOwner = (sql: string) => sqlOnce(TEST_DATABASE_URL, sql);

beforeAll(async () => {
  await asOwner(`CREATE ROLE ${role} LOGIN`);
  rt = await startTestRuntime('dbroles', { env: { DATABASE_URL: serviceUrl, DATABASE_OWNER_URL: TEST_DATABASE_URL } });
  asService = knex({ client: 'pg', connection: serviceUrl, searchPath: [rt.t.schema], pool: { min: 0, max: 1 } });
}, 60_000);

afterAll(async () => {
  await asService?.destroy();
  await rt?.close();
  await asOwner(`DROP OWNED BY ${role}; DROP ROLE IF EXISTS ${role}`);
});

describe('the service role', () => {
  it('owns nothing, yet signs up, chats and is audited as usual', async () => {
    const owners = await asService('pg_tables').where({ schemaname: rt.t.schema }).distinct('tableowner').pluck('tableowner');
    expect(owners).not.toContain(role);
    const user = await registerUser(rt.url, 'roles');
    expect((await request(rt.url, 'GET', '/api/auth/me', { token: user.token })).status).toBe(200);
    await newChat(rt.url, user.token);
    const admin = await account(rt.url, 'admin', 'roles-admin');
    const feed = await request(rt.url, 'GET', `/api/admin/audit?action=auth.register&actor_id=${user.id}`, { token: admin.token });
    expect(feed.body.items).toEqual([expect.objectContaining({ action: 'auth.register', actor_id: user.id })]);
  });

  it('may not change, remove or empty the audit trail or the destruction acts, nor lift the guard', async () => {
    for (const sql of [
      `UPDATE audit_logs SET action = 'auth.nothing'`,
      'DELETE FROM audit_logs',
      'TRUNCATE audit_logs',
      `UPDATE destruction_acts SET act = '{}'`,
      'DELETE FROM destruction_acts',
      'ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_no_change',
      'DROP TRIGGER audit_logs_no_change ON audit_logs',
      `DELETE FROM knex_migrations`,
    ]) {
      await expect(asService.raw(sql), sql).rejects.toThrow(/permission denied|must be owner/);
    }
    expect(await verifyAuditChain(Model.knex())).toMatchObject({ ok: true });
    expect(Number((await asService('audit_logs').count({ n: '*' }))[0]!.n)).toBeGreaterThan(0);
  });

  it('is granted by processes starting at the same time, none of them failing (compose starts replicas together)', async () => {
    const owners = Array.from({ length: 4 }, () => knex({ client: 'pg', connection: TEST_DATABASE_URL, searchPath: [rt.t.schema], pool: { min: 0, max: 1 } }));
    try {
      for (let round = 0; round < 3; round++) {
        const outcomes = await Promise.allSettled(owners.map((owner) => grantServiceRole(owner, role)));
        expect(outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason))).toEqual([]);
      }
    } finally {
      await Promise.all(owners.map((o) => o.destroy()));
    }
  });
});
