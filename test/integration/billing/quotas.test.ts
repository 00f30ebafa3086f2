/**
 * Plan limits taken atomically, on a server with no payment provider configured: 50
 * parallel messages at a daily limit of 10 give exactly 10; parallel uploads stop at the
 * period's documents and the storage limit with 402 naming the plan that lifts it. Admins
 * edit plans (audited); operators grant a plan from the CLI; without keys a provider
 * answers 503 payments_unavailable.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are whatever the server sent */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newChat } from '../../e2e/chat/harness.js';
import { db, me, subscribeTo } from '../../helpers/billing.js';
import { upload } from '../../helpers/documents.js';
import { registerUser, request } from '../../helpers/http.js';
import { setPlanLimits } from '../../helpers/plans.js';
import { account } from '../../helpers/reviews.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { byActor } from '../../../core/audit.js';

let rt: TestRuntime;

beforeAll(async () => {
  rt = await startTestRuntime('quotas', { env: { CHAT_MAX_INFLIGHT: '100', AI_CACHE_TTL_SECONDS: '0' } });
});

afterAll(async () => {
  await rt?.close();
});

describe('quotas', () => {
  it('accepts exactly 10 of 50 parallel messages at a daily limit of 10; the rest get 429 with Retry-After', async () => {
    await setPlanLimits('free', { messages_per_day: 10 });
    const user = await registerUser(rt.url, 'burst');
    const chat = await newChat(rt.url, user.token);
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      request(rt.url, 'POST', `/api/chats/${chat}/messages`, { token: user.token, json: { content: `Вопрос номер ${i}` } })));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
    const refused = answers.find((a) => a.status === 429)!;
    expect(refused.body.code).toBe('quota_exceeded');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await db()('messages').where({ user_id: user.id, sender: 'user' })).toHaveLength(10);
    expect((await me(rt.url, user.token)).usage.messages_today).toBe(10);
    await setPlanLimits('free', { messages_per_day: 20 });
  });

  it('stops parallel uploads at the period\'s documents with 402 naming the plan that lifts it, and counts storage', async () => {
    await setPlanLimits('free', { documents_per_month: 3 });
    const user = await registerUser(rt.url, 'uploads');
    const files = Array.from({ length: 8 }, (_, i) => ({ name: `d${i}.txt`, data: Buffer.from(`Статья ${i}. Текст договора.\n`) }));
    const answers = await Promise.all(files.map((f) => upload(rt.url, '/api/documents', user.token, f)));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(3);
    const refused = answers.filter((a) => a.status === 402);
    expect(refused).toHaveLength(5);
    expect(refused[0]!.body).toMatchObject({ code: 'quota_exceeded' });
    expect(refused[0]!.body.detail).toMatch(/free plan allows 3 documents.*pro plan allows 100/);
    expect(await db()('documents').where({ user_id: user.id })).toHaveLength(3);
    const usage = (await me(rt.url, user.token)).usage;
    expect(usage.documents_this_period).toBe(3);
    expect(usage.storage_mb).toBeGreaterThan(0);

    // Storage: a file that would pass the plan's megabytes is refused, and nothing is kept.
    await setPlanLimits('free', { documents_per_month: 100, storage_mb: 1 });
    const big = await upload(rt.url, '/api/documents', user.token, { name: 'big.txt', data: Buffer.alloc(1_100_000, 'а') });
    expect([big.status, big.body.code]).toEqual([402, 'quota_exceeded']);
    expect(big.body.detail).toMatch(/MB of storage/);
    expect(await db()('documents').where({ user_id: user.id })).toHaveLength(3);
    await setPlanLimits('free', { documents_per_month: 5, storage_mb: 100 });
  });
});

describe('plans and subscriptions without providers', () => {
  it('lets an admin edit a plan (audited), and nobody else', async () => {
    const admin = await account(rt.url, 'admin');
    const user = await registerUser(rt.url, 'planuser');
    expect((await request(rt.url, 'PUT', '/api/admin/plans/pro', { token: user.token, json: { name: 'X' } })).status).toBe(403);
    expect((await request(rt.url, 'PUT', '/api/admin/plans/pro', { token: admin.token, json: { limits: { messages_per_day: -1 } } })).status).toBe(422);
    expect((await request(rt.url, 'PUT', '/api/admin/plans/platinum', { token: admin.token, json: { name: 'X' } })).status).toBe(404);
    // Free stays free; a paid plan at 0 could not be bought and its renewals would be refused.
    for (const [code, amount] of [['free', 9900], ['pro', 0], ['pro', 99]] as const) {
      const refused = await request(rt.url, 'PUT', `/api/admin/plans/${code}`, { token: admin.token, json: { price: { amount } } });
      expect([refused.status, refused.body.code], `${code} at ${amount}`).toEqual([422, 'validation_failed']);
    }
    expect((await request(rt.url, 'GET', '/api/plans')).body.items.map((p: any) => [p.code, p.price.amount])).toEqual([['free', 0], ['pro', 199000], ['business', 990000]]);
    const res = await request(rt.url, 'PUT', '/api/admin/plans/pro', { token: admin.token, json: { price: { amount: 249000 }, limits: { reviews_per_month: 7 } } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: 'pro', price: { amount: 249000, currency: 'RUB' }, limits: { reviews_per_month: 7, messages_per_day: 300 } });
    const listed = (await request(rt.url, 'GET', '/api/plans')).body.items.find((p: any) => p.code === 'pro');
    expect(listed.price.amount).toBe(249000);
    const audit = await db()('audit_logs').where({ action: 'admin.plan_update' }).whereRaw(...byActor(admin.id));
    expect(audit).toHaveLength(1);
    expect(audit[0].meta).toMatchObject({ code: 'pro', before: { price: { amount: 199000 } }, after: { price: { amount: 249000 } } });
  });

  it('answers 503 payments_unavailable for a provider without keys, and for its webhook', async () => {
    const user = await registerUser(rt.url, 'nokeys');
    for (const provider of ['stripe', 'yookassa'] as const) {
      const res = await subscribeTo(rt.url, user.token, 'pro', provider);
      expect([res.status, res.body.code]).toEqual([503, 'payments_unavailable']);
    }
    expect(await db()('subscriptions').where({ user_id: user.id })).toHaveLength(0);
    const hook = await request(rt.url, 'POST', '/api/payments/webhook/stripe', { raw: '{}', headers: { 'content-type': 'application/json' } });
    expect([hook.status, hook.body.code]).toEqual([503, 'payments_unavailable']);
    // A request wrong in itself says so first: the free plan needs none, an unknown one is not there.
    expect((await subscribeTo(rt.url, user.token, 'free', 'stripe')).status).toBe(422);
    const unknown = await subscribeTo(rt.url, user.token, 'nope', 'stripe');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'not_found']);
  });

  it('grants a plan from the CLI, audited, with its limits at once', async () => {
    const user = await registerUser(rt.url, 'granted');
    const run = (args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/cli.ts', ...args], { env: rt.t.env })
      .then(({ stdout, stderr }) => ({ status: 0, stdout, stderr }), (err: { code: number; stdout: string; stderr: string }) => ({ status: err.code, stdout: err.stdout, stderr: err.stderr }));
    const bad = await run(['plan:grant', user.email, 'platinum']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/no such plan/);
    const ok = await run(['plan:grant', user.email, 'business', '10']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/is on business until/);
    const mine = await me(rt.url, user.token);
    expect(mine).toMatchObject({ subscription: { plan_code: 'business', status: 'active', provider: 'manual' }, plan: { limits: { messages_per_day: 3000 } } });
    expect(Date.parse(mine.subscription.current_period_end) - Date.now()).toBeGreaterThan(9.9 * 86_400_000);
    expect(await db()('audit_logs').where({ action: 'billing.plan_granted' }).whereRaw(`meta ->> 'user_id' = ?`, [user.id])).toHaveLength(1);
  });
});
