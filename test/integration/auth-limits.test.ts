/** Limits that must hold under concurrency: login throttling and registrations per IP. */
import { ACCOUNT_SPREAD } from '../../core/auth/login-throttle.js';
import { CONSENT_DOCUMENT } from '../../core/privacy/consent-document.js';
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, request, uniqueEmail } from '../helpers/http.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';

let rt: TestRuntime;
beforeAll(async () => {
  // TRUST_PROXY: a test names the client's address with X-Forwarded-For.
  rt = await startTestRuntime('authlimits', { env: { LOGIN_MAX_FAILURES_PER_ACCOUNT: '5', LOGIN_MAX_FAILURES_PER_IP: '1000', REGISTER_MAX_PER_IP: '4', TRUST_PROXY: 'true' } });
});
afterAll(() => rt?.close());

describe('auth limits', () => {
  it('lets no more than the limit of parallel guesses reach the password check', async () => {
    const user = await registerUser(rt.url, 'parallel');
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) => request(rt.url, 'POST', '/api/auth/login', { json: { email: user.email, password: `guess number ${i}` } })),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(25);
    expect(Number(replies.find((r) => r.status === 429)!.headers.get('retry-after'))).toBeGreaterThan(0);
    // The refusals are recorded once for the window, not one entry each: the trail only grows.
    expect(await Model.knex()('audit_logs').where({ action: 'auth.login_throttled' })).toHaveLength(1);
  });

  it('a successful login clears the account counter', async () => {
    const user = await registerUser(rt.url, 'recovers');
    for (let i = 0; i < 4; i++) {
      expect((await request(rt.url, 'POST', '/api/auth/login', { json: { email: user.email, password: 'wrong password' } })).status).toBe(401);
    }
    expect((await request(rt.url, 'POST', '/api/auth/login', { json: { email: user.email, password: user.password } })).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      expect((await request(rt.url, 'POST', '/api/auth/login', { json: { email: user.email, password: 'wrong password' } })).status).toBe(401);
    }
  });

  it('bounds registrations per IP (each costs an argon2 hash)', async () => {
    // Two accounts were registered above; two more fit the limit of four.
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await request(rt.url, 'POST', '/api/auth/register', { json: { email: uniqueEmail('flood'), password: 'long enough pw', consent_version: CONSENT_DOCUMENT.version } })).status);
    }
    expect(statuses).toEqual([201, 201, 429]);
  });

  it(`locks an account where the guesses come from, and everywhere past ${ACCOUNT_SPREAD} addresses' worth`, async () => {
    const email = uniqueEmail('spread');
    const password = 'correct horse battery';
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    expect((await request(rt.url, 'POST', '/api/auth/register', { headers: from('198.51.100.7'), json: { email, password, consent_version: CONSENT_DOCUMENT.version } })).status).toBe(201);
    const login = (ip: string, pw: string) => request(rt.url, 'POST', '/api/auth/login', { headers: from(ip), json: { email, password: pw } }).then((r) => r.status);

    // A stranger's wrong guesses lock the account at the stranger's address, not at its owner's,
    // however many more the stranger sends once refused.
    for (let i = 0; i < 5; i++) expect(await login('203.0.113.66', 'wrong password')).toBe(401);
    for (let i = 0; i < 5 * ACCOUNT_SPREAD; i++) expect(await login('203.0.113.66', 'wrong password')).toBe(429);
    expect(await login('203.0.113.66', password)).toBe(429);
    expect(await login('198.51.100.7', password)).toBe(200);
    // A /64 is one client: another address in it is the same stranger.
    for (let i = 0; i < 5; i++) expect(await login(`2001:db8:5:6::${i + 1}`, 'wrong password')).toBe(401);
    expect(await login('2001:db8:5:6:ffff::9', password)).toBe(429);

    // Spread over many addresses, the guesses lock it everywhere at ACCOUNT_SPREAD times the limit.
    expect(await login('198.51.100.7', password)).toBe(200); // clears the account's counters
    for (let a = 0; a < ACCOUNT_SPREAD; a++) {
      for (let i = 0; i < 5; i++) expect(await login(`192.0.2.${a + 1}`, 'wrong password')).toBe(401);
    }
    expect(await login('198.51.100.7', password)).toBe(429);
  });
});
