/** Bull Board: 401 with a Basic challenge without credentials, 403 for non-admins, usable by an admin. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from '../../core/db/models/index.js';
import { registerUser, request } from '../helpers/http.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';

let rt: TestRuntime;
let admin: Awaited<ReturnType<typeof registerUser>>;
let user: Awaited<ReturnType<typeof registerUser>>;
const basic = (email: string, password: string) => `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}`;

beforeAll(async () => {
  rt = await startTestRuntime('board');
  admin = await registerUser(rt.url, 'admin');
  user = await registerUser(rt.url, 'plain');
  await User.query().patch({ role: 'admin' }).where({ id: admin.id });
});
afterAll(() => rt?.close());

describe('Bull Board', () => {
  it('challenges a browser without credentials', async () => {
    const res = await request(rt.url, 'GET', '/admin/queues');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="Bull Board"/);
  });

  it('refuses wrong passwords and non-admins', async () => {
    expect((await request(rt.url, 'GET', '/admin/queues', { headers: { authorization: basic(admin.email, 'wrong password') } })).status).toBe(401);
    expect((await request(rt.url, 'GET', '/admin/queues', { headers: { authorization: basic(user.email, user.password) } })).status).toBe(403);
    expect((await request(rt.url, 'GET', '/admin/queues', { token: user.token })).status).toBe(403);
  });

  it('answers 401 to an e-mail no account can have (a NUL, too long), and audits each failed sign-in as a login\'s', async () => {
    for (const email of ['a\u0000b@x.test', `${'a'.repeat(300)}@x.test`, 'not an e-mail']) {
      expect((await request(rt.url, 'GET', '/admin/queues', { headers: { authorization: basic(email, 'pw') } })).status).toBe(401);
    }
    await request(rt.url, 'GET', '/admin/queues', { headers: { authorization: basic(admin.email, 'another wrong password') } });
    const failed = await User.knex()('audit_logs').where({ action: 'auth.login_failed', target_id: admin.id }).count({ n: '*' }).first();
    expect(Number(failed?.n)).toBeGreaterThan(0);
  });

  it('audits a verified Basic sign-in once and keeps it a while, a non-admin\'s too (refused 403 without argon2 again)', async () => {
    const other = await registerUser(rt.url, 'plain2');
    for (let i = 0; i < 2; i++) {
      expect((await request(rt.url, 'GET', '/admin/queues', { headers: { authorization: basic(other.email, other.password) } })).status).toBe(403);
    }
    const logins = await User.knex()('audit_logs').where({ action: 'auth.login', target_id: other.id }).whereRaw("meta->>'via' = 'queue_board'");
    expect(logins).toHaveLength(1);
  });

  it('serves the board and its queue API to an admin', async () => {
    const auth = { authorization: basic(admin.email, admin.password) };
    const page = await request(rt.url, 'GET', '/admin/queues', { headers: auth });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.body).toContain('<div id="root">');
    const api = await request(rt.url, 'GET', '/admin/queues/api/queues', { headers: auth });
    expect(api.status).toBe(200);
    const names = (api.body.queues as Array<{ name: string }>).map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining(['ai', 'dlp', 'billing', 'notifications']));
    // A bearer token works too, for scripts.
    expect((await request(rt.url, 'GET', '/admin/queues/api/queues', { token: admin.token })).status).toBe(200);
  });

  it('refuses a cross-site change made with the browser\'s Basic credentials', async () => {
    const auth = { authorization: basic(admin.email, admin.password) };
    const pause = '/admin/queues/api/queues/notifications/pause';
    const forged = await request(rt.url, 'PUT', pause, { headers: { ...auth, origin: 'https://evil.example' } });
    expect(forged.status).toBe(403);
    const fetchSite = await request(rt.url, 'PUT', pause, { headers: { ...auth, 'sec-fetch-site': 'cross-site' } });
    expect(fetchSite.status).toBe(403);
    const own = await request(rt.url, 'PUT', pause, { headers: { ...auth, origin: rt.url } });
    expect(own.status).toBeLessThan(300);
  });
});
