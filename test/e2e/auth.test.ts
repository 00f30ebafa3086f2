/**
 * The whole auth contract against the service spawned as a user runs it, over HTTP and
 * Socket.IO.
 */
import { CONSENT_DOCUMENT } from '../../core/privacy/consent-document.js';
import { SignJWT, base64url } from 'jose';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../helpers/env.js';
import { registerUser, request, uniqueEmail } from '../helpers/http.js';
import { spawnListening, type Spawned } from '../helpers/spawn.js';

const JWT_SECRET = 'e2e-secret-that-is-long-enough-for-hs256-0123456789';
const t = testEnv('e2eauth', { JWT_SECRET, LOGIN_MAX_FAILURES_PER_ACCOUNT: '5', LOGIN_MAX_FAILURES_PER_IP: '50' });
let base: string;
let proc: Spawned;

beforeAll(async () => {
  ({ proc, url: base } = await spawnListening('all', t.env));
});

afterAll(async () => {
  const code = await proc?.stop();
  expect(code).toBe(0);
  await t.cleanup();
});

const sign = (claims: Record<string, unknown>, opts: { aud?: string; exp?: string | number; typ?: string; secret?: string } = {}) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: opts.typ ?? 'at+jwt' })
    .setIssuer('legal-ai')
    .setAudience(opts.aud ?? 'legal-ai-api')
    .setIssuedAt(Math.floor(Date.now() / 1000) - 60)
    .setExpirationTime(opts.exp ?? '5m')
    .sign(new TextEncoder().encode(opts.secret ?? JWT_SECRET));

describe('auth contract', () => {
  it('registers, refuses a duplicate, logs in, and answers me', async () => {
    const email = uniqueEmail('Reg');
    const reg = await request(base, 'POST', '/api/auth/register', { json: { email, password: 'long enough pw', name: 'Анна', consent_version: CONSENT_DOCUMENT.version } });
    expect(reg.status).toBe(201);
    expect(reg.body).toMatchObject({ token_type: 'Bearer', expires_in: 900, user: { email: email.toLowerCase(), role: 'user', status: 'active', name: 'Анна' } });
    expect(reg.body.user).not.toHaveProperty('password_hash');

    const dup = await request(base, 'POST', '/api/auth/register', { json: { email: email.toUpperCase(), password: 'another long pw', consent_version: CONSENT_DOCUMENT.version } });
    expect(dup.status).toBe(409);
    expect(dup.headers.get('content-type')).toContain('application/problem+json');
    expect(dup.body.code).toBe('conflict');

    const login = await request(base, 'POST', '/api/auth/login', { json: { email, password: 'long enough pw' } });
    expect(login.status).toBe(200);
    const me = await request(base, 'GET', '/api/auth/me', { token: login.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ ...reg.body.user });
  });

  it('answers a wrong password and an unknown email with the same 401', async () => {
    const user = await registerUser(base, 'wrongpw');
    const wrong = await request(base, 'POST', '/api/auth/login', { json: { email: user.email, password: 'not the password' } });
    const unknown = await request(base, 'POST', '/api/auth/login', { json: { email: uniqueEmail('nobody'), password: 'not the password' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect({ ...wrong.body, instance: undefined }).toEqual({ ...unknown.body, instance: undefined });
  });

  it('rotates refresh tokens, and reuse of a spent one revokes the family', async () => {
    const user = await registerUser(base, 'rotate');
    const first = await request(base, 'POST', '/api/auth/refresh', { json: { refresh_token: user.refresh } });
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(user.refresh);
    expect((await request(base, 'GET', '/api/auth/me', { token: first.body.access_token })).status).toBe(200);

    // The spent token comes back (stolen): refused, and the live successor dies with it.
    const reuse = await request(base, 'POST', '/api/auth/refresh', { json: { refresh_token: user.refresh } });
    expect(reuse.status).toBe(401);
    const successor = await request(base, 'POST', '/api/auth/refresh', { json: { refresh_token: first.body.refresh_token } });
    expect(successor.status).toBe(401);
  });

  it('never leaves a live token in a family that logout revoked, however the two race', async () => {
    for (let round = 0; round < 10; round++) {
      const user = await registerUser(base, `race${round}`);
      const [rotated, out] = await Promise.all([
        request(base, 'POST', '/api/auth/refresh', { json: { refresh_token: user.refresh } }),
        request(base, 'POST', '/api/auth/logout', { json: { refresh_token: user.refresh } }),
      ]);
      expect(out.status).toBe(204);
      expect([200, 401]).toContain(rotated.status);
      if (rotated.status === 200) {
        const again = await request(base, 'POST', '/api/auth/refresh', { json: { refresh_token: rotated.body.refresh_token } });
        expect(again.status, `round ${round}`).toBe(401);
      }
    }
  });

  it('logout revokes the family', async () => {
    const user = await registerUser(base, 'logout');
    const out = await request(base, 'POST', '/api/auth/logout', { json: { refresh_token: user.refresh } });
    expect(out.status).toBe(204);
    expect((await request(base, 'POST', '/api/auth/refresh', { json: { refresh_token: user.refresh } })).status).toBe(401);
  });

  it('refuses alg none, tampered, expired, wrong-audience, wrong-typ and foreign-key tokens', async () => {
    const user = await registerUser(base, 'tokens');
    const [header, payload] = user.token.split('.') as [string, string, string];
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt' }))}.${payload}.`;
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload))) as Record<string, unknown>;
    const tampered = `${header}.${base64url.encode(JSON.stringify({ ...claims, role: 'admin' }))}.${user.token.split('.')[2]}`;
    const bad = {
      none,
      tampered,
      expired: await sign({ sub: user.id, role: 'user' }, { exp: Math.floor(Date.now() / 1000) - 10 }),
      audience: await sign({ sub: user.id, role: 'user' }, { aud: 'someone-else' }),
      typ: await sign({ sub: user.id, role: 'user' }, { typ: 'JWT' }),
      key: await sign({ sub: user.id, role: 'user' }, { secret: 'x'.repeat(64) }),
      garbage: 'not-a-jwt',
    };
    const good = await sign({ sub: user.id, role: 'user' });
    expect((await request(base, 'GET', '/api/auth/me', { token: good })).status).toBe(200);
    for (const [name, token] of Object.entries(bad)) {
      const res = await request(base, 'GET', '/api/auth/me', { token });
      expect(res.status, name).toBe(401);
      expect(res.body.code, name).toBe('unauthorized');
    }
  });

  it('throttles a burst of failed logins with 429 and Retry-After', async () => {
    const user = await registerUser(base, 'burst');
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i++) {
      const res = await request(base, 'POST', '/api/auth/login', { json: { email: user.email, password: `wrong-${i}-password` } });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // Even the right password waits until the window ends.
    const right = await request(base, 'POST', '/api/auth/login', { json: { email: user.email, password: user.password } });
    expect(right.status).toBe(429);
  });

  it('checks the token at Socket.IO connect', async () => {
    const user = await registerUser(base, 'socket');
    const attempt = (token?: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(base, { path: '/ws', auth: token ? { token } : {}, transports: ['websocket'], reconnection: false });
        socket.on('connect', () => {
          socket.close();
          resolve('connected');
        });
        socket.on('connect_error', (err) => {
          socket.close();
          resolve(`refused: ${err.message}`);
        });
      });
    expect(await attempt(user.token)).toBe('connected');
    expect(await attempt()).toBe('refused: unauthorized');
    expect(await attempt('forged.token.value')).toBe('refused: unauthorized');
  });
});
