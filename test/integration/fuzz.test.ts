/**
 * Property-based: random and malformed bodies, queries, headers and path values thrown at
 * every route never produce a 5xx, and a request that is refused changes nothing in the
 * database. (A random body can be valid, e.g. `{}` creates a chat: that is allowed to write.)
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbFingerprint } from '../helpers/db-fingerprint.js';
import { registerUser, request } from '../helpers/http.js';
import { fillPath, listOperations, type Operation } from '../helpers/operations.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';

let rt: TestRuntime;
let ops: Operation[];
let token: string;

const fingerprint = () => dbFingerprint(rt.t.schema);

beforeAll(async () => {
  rt = await startTestRuntime('fuzz', {
    env: {
      LOGIN_MAX_FAILURES_PER_IP: '100000', LOGIN_MAX_FAILURES_PER_ACCOUNT: '100000',
      // Payment webhooks configured (no provider is reached: random input never passes their checks).
      STRIPE_SECRET_KEY: 'sk_test_fuzz', STRIPE_WEBHOOK_SECRET: 'whsec_fuzz', STRIPE_API_URL: 'http://127.0.0.1:9',
      YOOKASSA_SHOP_ID: '1', YOOKASSA_SECRET_KEY: 'fuzz', YOOKASSA_API_URL: 'http://127.0.0.1:9/v3',
    },
  });
  ops = await listOperations(rt.url);
  token = (await registerUser(rt.url, 'fuzzer')).token;
});
afterAll(() => rt?.close());

const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);
const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', '', 'application/json; charset=latin1');
const pathValue = fc.oneof(fc.uuid(), fc.string({ maxLength: 40 }), fc.constantFrom('..', '%00', "' OR 1=1 --", '00000000-0000-0000-0000-000000000000'));
const rawBody = fc.oneof(
  fc.json().map((s) => s),
  fc.string({ maxLength: 200 }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.constantFrom('{', '{"email":', '[]', 'null', '{"__proto__":{"role":"admin"}}', '{"email":"a@b.c","password":1}', '\u0000', '"'.repeat(50)),
);
const query = fc.dictionary(fc.constantFrom('limit', 'cursor', 'role', 'action', 'status', 'after', 'x', 'actor_id'), fc.string({ maxLength: 30 }), { maxKeys: 3 });

const input = fc.record({
  op: fc.nat(),
  params: fc.array(pathValue, { minLength: 3, maxLength: 3 }),
  body: fc.option(rawBody, { nil: undefined }),
  contentType,
  query,
  auth: fc.constantFrom('none', 'user', 'garbage'),
  requestId: headerValue,
  accept: headerValue,
});

describe('every route under random input', () => {
  it('never answers 5xx, and a refused request never writes', async () => {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(input, async (i) => {
        const before = await fingerprint();
        const op = ops[i.op % ops.length]!;
        const params = Object.fromEntries(op.params.map((p, n) => [p, i.params[n]!]));
        const qs = new URLSearchParams(i.query).toString();
        const headers: Record<string, string> = { 'x-request-id': i.requestId, accept: i.accept };
        // fetch cannot send a body with GET; every other method gets one.
        const body = op.method === 'GET' ? undefined : i.body;
        if (body !== undefined && i.contentType) headers['content-type'] = i.contentType;
        const auth = i.auth === 'user' ? token : i.auth === 'garbage' ? 'x.y.z' : undefined;
        const res = await request(rt.url, op.method, fillPath(op.path, params) + (qs ? `?${qs}` : ''), { token: auth, headers, raw: body });
        expect(res.status, `${op.key} ${JSON.stringify(i)}`).toBeLessThan(500);
        if (res.status >= 400) {
          refused++;
          expect(res.headers.get('content-type')).toContain('application/problem+json');
          expect(res.body).toMatchObject({ status: res.status, code: expect.any(String), title: expect.any(String) });
          expect(await fingerprint(), `${op.key} ${res.status} wrote to the database`).toBe(before);
        }
      }),
      { numRuns: 400 },
    );
    // The property is about refusals: most random input must be refused for it to mean much.
    expect(refused).toBeGreaterThan(300);
  }, 180_000);

  it('answers an oversized body with 413, malformed JSON with 400, and a query key given twice with 400', async () => {
    const big = JSON.stringify({ email: 'a@b.ru', password: 'x'.repeat(2 * 1024 * 1024) });
    const tooLarge = await request(rt.url, 'POST', '/api/auth/login', { raw: big, headers: { 'content-type': 'application/json' } });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.code).toBe('payload_too_large');
    const malformed = await request(rt.url, 'POST', '/api/auth/login', { raw: '{"email":', headers: { 'content-type': 'application/json' } });
    expect([malformed.status, malformed.body.detail]).toEqual([400, 'malformed JSON body']);
    const poisoned = await request(rt.url, 'POST', '/api/auth/login', { raw: '{"__proto__":{"admin":true},"email":"a@b.ru","password":"x"}', headers: { 'content-type': 'application/json' } });
    expect([poisoned.status, poisoned.body.code, poisoned.body.detail]).toEqual([400, 'malformed_json', 'a "__proto__" or "constructor.prototype" key is not accepted in a body']);
    const user = await registerUser(rt.url, 'repeated-query');
    const twice = await request(rt.url, 'GET', '/api/chats?limit=1&limit=2', { token: user.token });
    expect([twice.status, twice.body.errors]).toEqual([400, [{ path: 'query.limit', message: 'given more than once: give it once' }]]);
    expect((await request(rt.url, 'GET', '/api/chats?limit=2&utm=a&utm=b', { token: user.token })).status).toBe(200);
    const wrongType = await request(rt.url, 'POST', '/api/auth/login', { raw: 'email=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(wrongType.status).toBe(415);
    const invalid = await request(rt.url, 'POST', '/api/auth/register', { json: { email: 'not-an-email', password: 'short' } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.consent_version', 'body.email', 'body.password']);
  });
});
