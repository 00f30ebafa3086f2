/**
 * Access control over every route, table-driven: no token -> 401, a role that may not call
 * the route -> 403, another user's object -> 404 (never 403: no existence leak).
 * The table must list every operation of the OpenAPI document, so a new route cannot ship
 * without a row here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User, type Role } from '../../core/db/models/index.js';
import { upload } from '../helpers/documents.js';
import { registerUser, request } from '../helpers/http.js';
import { settledDocument } from '../helpers/ingest.js';
import { fillPath, listOperations, type Operation } from '../helpers/operations.js';
import { answered, requestReview } from '../helpers/reviews.js';
import { waitFor } from '../e2e/chat/harness.js';
import { setPlanLimits } from '../helpers/plans.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';

type Access = 'public' | 'user' | Role[];
interface Row {
  access: Access;
  /** Path params that name an object owned by a user: another user gets 404. */
  owned?: boolean;
  /** What the owner gets on a fresh fixture, when not a success (e.g. 409: nothing exported yet). */
  ownerStatus?: number;
  body?: unknown;
}

const TABLE: Record<string, Row> = {
  'GET /healthz': { access: 'public' },
  'GET /readyz': { access: 'public' },
  'POST /api/auth/register': { access: 'public' },
  'POST /api/auth/login': { access: 'public' },
  'POST /api/auth/refresh': { access: 'public' },
  'POST /api/auth/logout': { access: 'public' },
  'GET /api/auth/me': { access: 'user' },
  'GET /api/admin/users': { access: ['admin'] },
  'PATCH /api/admin/users/{user_id}': { access: ['admin'], body: { role: 'user' } },
  'GET /api/admin/audit': { access: ['admin'] },
  'GET /api/admin/reports/usage': { access: ['admin'] },
  'GET /api/chats': { access: 'user' },
  'POST /api/chats': { access: 'user', body: { title: 'Вопрос' } },
  'GET /api/chats/{chat_id}': { access: 'user', owned: true },
  'DELETE /api/chats/{chat_id}': { access: 'user', owned: true },
  'GET /api/chats/{chat_id}/messages': { access: 'user', owned: true },
  'GET /api/chats/{chat_id}/reveal': { access: 'user', owned: true },
  'GET /api/documents/{document_id}/reveal': { access: 'user', owned: true },
  'POST /api/chats/{chat_id}/messages': { access: 'user', owned: true, body: { content: 'Как оспорить штраф?' } },
  // The fixtures' reply is in a chat of its own, so even its owner gets 404 for the fixture
  // chat; test/integration/chat/stop.test.ts stops the owner's replies.
  'POST /api/chats/{chat_id}/messages/{message_id}/stop': { access: 'user', owned: true, ownerStatus: 404 },
  'POST /api/ai/complete': { access: 'user', body: { prompt: 'Как оспорить штраф?' } },
  'GET /api/ai/complete/{id}': { access: 'user', owned: true },
  'POST /api/ai/search': { access: 'user', body: { query: 'расторжение договора' } },
  'GET /api/law': { access: 'user' },
  'GET /api/privacy/consent-document': { access: 'public' },
  'GET /api/privacy/consents': { access: 'user' },
  'POST /api/privacy/consents': { access: 'user', body: { purpose: 'marketing', granted: true } },
  'GET /api/law/{code}/{article}': { access: 'user' },
  'GET /api/documents': { access: 'user' },
  'POST /api/documents': { access: 'user' },
  'GET /api/documents/{document_id}': { access: 'user', owned: true },
  'POST /api/documents/{document_id}/versions': { access: 'user', owned: true },
  'GET /api/documents/{document_id}/versions': { access: 'user', owned: true },
  'GET /api/documents/{document_id}/download': { access: 'user', owned: true },
  'GET /api/documents/{document_id}/text': { access: 'user', owned: true },
  'DELETE /api/documents/{document_id}': { access: 'user', owned: true },
  'POST /api/documents/{document_id}/analyze': { access: 'user', owned: true },
  'POST /api/documents/{document_id}/mask': { access: 'user', owned: true },
  'GET /api/documents/{document_id}/masked': { access: 'user', owned: true, ownerStatus: 409 },
  'GET /api/lawyers/specializations': { access: 'user' },
  'GET /api/lawyers/me': { access: ['lawyer'] },
  'PUT /api/lawyers/me': { access: ['lawyer'], body: { specializations: ['civil'], capacity: 1, accepting: false } },
  'POST /api/reviews/messages/{message_id}/request': { access: ['user'], owned: true },
  'POST /api/reviews/documents/{document_id}/request': { access: ['user'], owned: true },
  'GET /api/reviews': { access: 'user' },
  'GET /api/reviews/{review_id}': { access: 'user', owned: true },
  'POST /api/reviews/{review_id}/accept': { access: ['lawyer'] },
  'POST /api/reviews/{review_id}/decline': { access: ['lawyer'], body: { reason: 'Не мой профиль' } },
  'POST /api/reviews/{review_id}/complete': { access: ['lawyer'], body: { verdict: 'approved', comment: 'Верно' } },
  'POST /api/reviews/{review_id}/cancel': { access: ['user'], owned: true },
  'POST /api/reviews/{review_id}/rate': { access: ['user'], owned: true, ownerStatus: 409, body: { score: 5 } },
  'GET /api/admin/reports/reviews': { access: ['admin'] },
  'GET /api/plans': { access: 'public' },
  'PUT /api/admin/plans/{code}': { access: ['admin'], body: { name: 'Про' } },
  'POST /api/subscriptions': { access: 'user', body: { plan_code: 'pro', provider: 'yookassa', return_url: 'https://app.example/' } },
  'GET /api/subscriptions/me': { access: 'user' },
  'POST /api/subscriptions/me/cancel': { access: 'user' },
  'GET /api/payments': { access: 'user' },
  'POST /api/payments/webhook/stripe': { access: 'public' },
  'POST /api/payments/webhook/yookassa': { access: 'public' },
  'POST /api/privacy/export': { access: 'user' },
  'GET /api/privacy/requests/{request_id}': { access: 'user', owned: true },
  'GET /api/privacy/requests/{request_id}/download': { access: 'user', owned: true },
  'POST /api/privacy/erasure': { access: 'user', body: { password: 'not the password' } },
  'GET /api/admin/privacy/requests/{request_id}': { access: ['admin'] },
  'GET /api/admin/privacy/acts/{request_id}': { access: ['admin'] },
};

type Session = Awaited<ReturnType<typeof registerUser>>;
/**
 * How to make an object of `owner` for each path param, through the API as a client would.
 * Routes with `owned: true` need a fixture for each of their params.
 */
const FIXTURES: Record<string, (base: string, owner: Session) => Promise<string>> = {
  user_id: async (_base, owner) => owner.id,
  chat_id: async (base, owner) => (await request(base, 'POST', '/api/chats', { token: owner.token, json: {} })).body.id,
  id: async (base, owner) => (await request(base, 'POST', '/api/ai/complete', { token: owner.token, json: { prompt: 'Вопрос о сроках' } })).body.id,
  // Settled, so its text is there for the owner and no ingestion writes behind the test.
  message_id: async (base, owner) => (await answered(base, owner.token, 'Как вернуть залог за квартиру?')).answerId,
  review_id: async (base, owner) => (await requestReview(base, owner.token, (await answered(base, owner.token, 'Как вернуть долг?')).answerId, { specialization: 'civil' })).body.review.id,
  // A ready export: its download works for the owner.
  request_id: async (base, owner) => {
    const id = (await request(base, 'POST', '/api/privacy/export', { token: owner.token })).body.request.id;
    await waitFor('export ready', async () => ((await request(base, 'GET', `/api/privacy/requests/${id}`, { token: owner.token })).body.request.status === 'ready' || undefined));
    return id;
  },
  document_id: async (base, owner) => (await settledDocument(base, owner.token, (await upload(base, '/api/documents', owner.token, SAMPLE_FILE)).body.document.id)).id,
};

let rt: TestRuntime;
let ops: Operation[];
const sessions = {} as Record<Role | 'other', Session>;

beforeAll(async () => {
  rt = await startTestRuntime('access');
  await setPlanLimits('free', { reviews_per_month: 100, messages_per_day: 1000, documents_per_month: 1000 });
  ops = await listOperations(rt.url);
  for (const role of ['user', 'lawyer', 'admin', 'other'] as const) {
    sessions[role] = await registerUser(rt.url, role);
    if (role === 'lawyer' || role === 'admin') await User.query().patch({ role }).where({ id: sessions[role].id });
  }
});
afterAll(() => rt?.close());

const SAMPLE_FILE = { name: 'note.txt', data: Buffer.from('Договор аренды\n') };
const call = (op: Operation, params: Record<string, string>, token?: string) =>
  op.multipart
    ? upload(rt.url, fillPath(op.path, params), token ?? '', SAMPLE_FILE)
    : request(rt.url, op.method, fillPath(op.path, params), { token, json: op.hasBody ? (TABLE[op.key]?.body ?? {}) : undefined });

describe('access table', () => {
  it('covers exactly the operations the API serves, with the declared access', () => {
    expect(ops.map((o) => o.key).sort()).toEqual(Object.keys(TABLE).sort());
    for (const op of ops) {
      const row = TABLE[op.key]!;
      expect(op.secured, op.key).toBe(row.access !== 'public');
      expect(op.roles, op.key).toEqual(Array.isArray(row.access) ? row.access : undefined);
    }
  });

  it('answers 401 without a token on every secured route', async () => {
    for (const op of ops.filter((o) => o.secured)) {
      const params = Object.fromEntries(op.params.map((p) => [p, sessions.user.id]));
      const res = await call(op, params);
      expect(res.status, op.key).toBe(401);
      expect(res.body.code, op.key).toBe('unauthorized');
    }
  });

  it('reads the Bearer scheme in any letter case, and nothing but a token after it', async () => {
    const token = sessions.user.token;
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const res = await fetch(`${rt.url}/api/auth/me`, { headers: { authorization: `${scheme} ${token}` } });
      expect(res.status, scheme).toBe(200);
    }
    for (const header of [`Basic ${token}`, `Bearer${token}`, `Bearer ${token} extra`, token]) {
      expect((await fetch(`${rt.url}/api/auth/me`, { headers: { authorization: header } })).status, header).toBe(401);
    }
  });

  it('answers 403 to every role the route does not allow', async () => {
    for (const op of ops.filter((o) => Array.isArray(TABLE[o.key]!.access))) {
      const allowed = TABLE[op.key]!.access as Role[];
      for (const role of (['user', 'lawyer', 'admin'] as const).filter((r) => !allowed.includes(r))) {
        const params = Object.fromEntries(op.params.map((p) => [p, sessions.other.id]));
        const res = await call(op, params, sessions[role].token);
        expect(res.status, `${op.key} as ${role}`).toBe(403);
        expect(res.body.code).toBe('forbidden');
      }
    }
  });

  it("answers 404 for another user's object on every owned route", async () => {
    const owned = ops.filter((o) => TABLE[o.key]!.owned);
    for (const op of owned) {
      const params: Record<string, string> = {};
      for (const p of op.params) {
        const fixture = FIXTURES[p];
        expect(fixture, `a fixture for {${p}}`).toBeDefined();
        params[p] = await fixture!(rt.url, sessions.other);
      }
      const res = await call(op, params, sessions.user.token);
      expect(res.status, op.key).toBe(404);
      expect(res.body.code).toBe('not_found');
      // The owner is not refused: the 404 above is about ownership, not a bad id.
      const mine = await call(op, params, sessions.other.token);
      const ownerStatus = TABLE[op.key]!.ownerStatus;
      if (ownerStatus) expect(mine.status, `${op.key} as owner`).toBe(ownerStatus);
      else expect(mine.status, `${op.key} as owner`).toBeLessThan(400);
    }
  });

  it('refuses a blocked account everywhere it signs in', async () => {
    const blocked = await registerUser(rt.url, 'blocked');
    const res = await request(rt.url, 'PATCH', `/api/admin/users/${blocked.id}`, { token: sessions.admin.token, json: { status: 'blocked' } });
    expect(res.status).toBe(200);
    expect((await request(rt.url, 'GET', '/api/auth/me', { token: blocked.token })).status).toBe(403);
    expect((await request(rt.url, 'POST', '/api/auth/refresh', { json: { refresh_token: blocked.refresh } })).status).toBe(401);
    const login = await request(rt.url, 'POST', '/api/auth/login', { json: { email: blocked.email, password: blocked.password } });
    expect(login.status).toBe(403);
  });

  it('applies a role change at once, without a new token', async () => {
    const promoted = await registerUser(rt.url, 'promoted');
    expect((await request(rt.url, 'GET', '/api/admin/users', { token: promoted.token })).status).toBe(403);
    await request(rt.url, 'PATCH', `/api/admin/users/${promoted.id}`, { token: sessions.admin.token, json: { role: 'admin' } });
    const list = await request(rt.url, 'GET', '/api/admin/users?limit=2', { token: promoted.token });
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(2);
    expect(list.body.next_cursor).toEqual(expect.any(String));
    const next = await request(rt.url, 'GET', `/api/admin/users?limit=2&cursor=${list.body.next_cursor}`, { token: promoted.token });
    expect(next.body.items.map((u: { id: string }) => u.id)).not.toContain(list.body.items[0].id);
  });
});
