/**
 * The browser's session: with `X-Refresh-Cookie: 1` the refresh token lives only in an
 * httpOnly, SameSite=Strict cookie scoped to /api/auth, and spending it needs the double-submit
 * CSRF header. The JSON flow is unchanged beside it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSENT_DOCUMENT } from '../../core/privacy/consent-document.js';
import { request, uniqueEmail } from '../helpers/http.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await startTestRuntime('authcookie');
});
afterAll(async () => rt?.close());

/** The cookies a browser would keep from a response, as `name=value` by name. */
function jar(headers: Headers): Record<string, { value: string; attrs: string }> {
  const out: Record<string, { value: string; attrs: string }> = {};
  for (const line of headers.getSetCookie()) {
    const [pair, ...attrs] = line.split(';');
    const [name, ...value] = pair!.split('=');
    out[name!.trim()] = { value: value.join('='), attrs: attrs.join(';').toLowerCase() };
  }
  return out;
}

describe('refresh token in an httpOnly cookie', () => {
  it('keeps the token out of the body, and rotates it only with the CSRF header', async () => {
    const reg = await request(rt.url, 'POST', '/api/auth/register', {
      headers: { 'x-refresh-cookie': '1' },
      json: { email: uniqueEmail('cookie'), password: 'correct horse battery', consent_version: CONSENT_DOCUMENT.version },
    });
    expect(reg.status).toBe(201);
    expect(reg.body.refresh_token).toBeUndefined();
    expect(reg.body.access_token).toEqual(expect.any(String));
    const cookies = jar(reg.headers);
    expect(cookies.refresh_token!.attrs).toContain('httponly');
    expect(cookies.refresh_token!.attrs).toContain('samesite=strict');
    expect(cookies.refresh_token!.attrs).toContain('path=/api/auth');
    expect(cookies.csrf_token!.attrs).not.toContain('httponly');
    const cookie = `refresh_token=${cookies.refresh_token!.value}; csrf_token=${cookies.csrf_token!.value}`;

    // A cross-site form can send the cookie but not the header: refused, and nothing is spent.
    for (const headers of [{ cookie }, { cookie, 'x-csrf-token': 'guess' }] as Array<Record<string, string>>) {
      const refused = await request(rt.url, 'POST', '/api/auth/refresh', { headers, json: {} });
      expect(refused.status).toBe(403);
    }
    const ok = await request(rt.url, 'POST', '/api/auth/refresh', { headers: { cookie, 'x-csrf-token': cookies.csrf_token!.value }, json: {} });
    expect(ok.status).toBe(200);
    expect(ok.body.refresh_token).toBeUndefined();
    const rotated = jar(ok.headers);
    expect(rotated.refresh_token!.value).not.toBe(cookies.refresh_token!.value);

    // The spent cookie is reuse: its whole family is revoked, the rotated one too.
    const reuse = await request(rt.url, 'POST', '/api/auth/refresh', { headers: { cookie, 'x-csrf-token': cookies.csrf_token!.value }, json: {} });
    expect(reuse.status).toBe(401);
    const next = `refresh_token=${rotated.refresh_token!.value}; csrf_token=${rotated.csrf_token!.value}`;
    expect((await request(rt.url, 'POST', '/api/auth/refresh', { headers: { cookie: next, 'x-csrf-token': rotated.csrf_token!.value }, json: {} })).status).toBe(401);
  });

  it('signs out from the cookie and clears it', async () => {
    const email = uniqueEmail('cookie-out');
    await request(rt.url, 'POST', '/api/auth/register', { json: { email, password: 'correct horse battery', consent_version: CONSENT_DOCUMENT.version } });
    const login = await request(rt.url, 'POST', '/api/auth/login', { headers: { 'x-refresh-cookie': '1' }, json: { email, password: 'correct horse battery' } });
    const cookies = jar(login.headers);
    const headers = { cookie: `refresh_token=${cookies.refresh_token!.value}; csrf_token=${cookies.csrf_token!.value}`, 'x-csrf-token': cookies.csrf_token!.value };
    const out = await request(rt.url, 'POST', '/api/auth/logout', { headers, json: {} });
    expect(out.status).toBe(204);
    expect(jar(out.headers).refresh_token!.value).toBe('');
    expect((await request(rt.url, 'POST', '/api/auth/refresh', { headers, json: {} })).status).toBe(401);
  });

  it('answers 422 when neither the body nor a cookie holds a token', async () => {
    const res = await request(rt.url, 'POST', '/api/auth/refresh', { json: {} });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('validation_failed');
  });
});
