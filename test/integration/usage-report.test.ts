/**
 * GET /api/admin/reports/usage: per-day figures that follow what happened, zeros for quiet
 * days, bounded ranges, admins only, and an index behind every query (EXPLAIN).
 */
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageQueries } from '../../core/reports/usage.js';
import { fakeProviderEnv, startFakeOpenAI, type FakeProvider } from '../helpers/fake-providers/index.js';
import { registerUser, request } from '../helpers/http.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { ask, newChat, storedReply } from '../e2e/chat/harness.js';

let openai: FakeProvider;
let rt: TestRuntime;

beforeAll(async () => {
  openai = await startFakeOpenAI({ defaultStep: { kind: 'text', text: 'Ответ.', chunks: 2 } });
  rt = await startTestRuntime('usagereport', { env: fakeProviderEnv({ openai }) });
});

afterAll(async () => {
  await rt?.close();
  await openai?.close();
});

const db = () => Model.knex();
const today = () => new Date().toISOString().slice(0, 10);
const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

async function admin() {
  const a = await registerUser(rt.url, 'reportadmin');
  await db()('users').where({ id: a.id }).update({ role: 'admin' });
  return a;
}

describe('the usage report', () => {
  it('counts active users, messages, tokens by provider, documents, reviews and revenue per day', async () => {
    const boss = await admin();
    const usage = [];
    const users = [];
    const documents: string[] = [];
    for (const name of ['reporta', 'reportb']) {
      const user = await registerUser(rt.url, name);
      users.push(user);
      const chat = await newChat(rt.url, user.token);
      const { reply } = await ask(rt.url, user.token, chat, 'Сколько длится испытательный срок?');
      usage.push((await storedReply(rt.url, user.token, chat, reply.id)).meta.usage);
      const [doc] = await db()('documents').insert({ user_id: user.id, title: 'Договор', filename: 'd.pdf', mime_type: 'application/pdf', size_bytes: 10 }).returning('id');
      documents.push(doc.id);
    }
    const first = users[0]!;
    await db()('lawyer_reviews').insert({ requester_id: first.id, subject_type: 'document', document_id: documents[0], resolution_due: new Date() });
    await db()('payments').insert([
      { user_id: first.id, provider: 'yookassa', amount_minor: 199000, currency: 'RUB', status: 'succeeded' },
      { user_id: first.id, provider: 'yookassa', amount_minor: 500, currency: 'RUB', status: 'pending' },
    ]);

    const res = await request(rt.url, 'GET', `/api/admin/reports/usage?from=${yesterday()}&to=${today()}`, { token: boss.token });
    expect(res.status).toBe(200);
    expect(res.body.days.map((d: { day: string }) => d.day)).toEqual([yesterday(), today()]);
    expect(res.body.days[0]).toEqual({ day: yesterday(), active_users: 0, messages: 0, ai_tokens: [], documents: 0, reviews: 0, revenue: [] });
    expect(res.body.days[1]).toEqual({
      day: today(),
      active_users: 2,
      messages: 2,
      ai_tokens: [{ provider: 'openai', input_tokens: usage[0].input_tokens + usage[1].input_tokens, output_tokens: usage[0].output_tokens + usage[1].output_tokens }],
      documents: 2,
      reviews: 1,
      revenue: [{ currency: 'RUB', amount_minor: 199000 }],
    });
    // A time with its offset, as the audit trail takes, means the UTC day it falls on.
    const byTimes = await request(rt.url, 'GET', `/api/admin/reports/usage?from=${yesterday()}T23:00:00Z&to=${encodeURIComponent(new Date().toISOString())}`, { token: boss.token });
    expect(byTimes.body.days).toEqual(res.body.days);
  });

  it('refuses a reversed or too long range with 422, and anyone but an admin with 403', async () => {
    const boss = await admin();
    const reversed = await request(rt.url, 'GET', `/api/admin/reports/usage?from=${today()}&to=${yesterday()}`, { token: boss.token });
    expect([reversed.status, reversed.body.code]).toEqual([422, 'validation_failed']);
    const long = await request(rt.url, 'GET', '/api/admin/reports/usage?from=2020-01-01&to=2026-01-01', { token: boss.token });
    expect(long.status).toBe(422);
    const ancient = await request(rt.url, 'GET', '/api/admin/reports/usage?from=0000-01-01&to=0000-01-02', { token: boss.token });
    expect(ancient.status).toBe(400);
    const user = await registerUser(rt.url, 'reportuser');
    expect((await request(rt.url, 'GET', '/api/admin/reports/usage', { token: user.token })).status).toBe(403);
    const byDefault = await request(rt.url, 'GET', '/api/admin/reports/usage', { token: boss.token });
    expect(byDefault.body.days).toHaveLength(30);
  });

  it('runs every query on an index', async () => {
    const expected: Record<string, string> = {
      usage: 'ai_usage_daily_day_index',
      tokens: 'ai_usage_provider_daily_day_index',
      documents: 'documents_created_at_index',
      reviews: 'lawyer_reviews_created_at_index',
      revenue: 'payments_succeeded_idx',
    };
    await db().transaction(async (trx) => {
      // Tables this small are cheaper to scan: forbid it, so the plan shows which index serves.
      await trx.raw('SET LOCAL enable_seqscan = off');
      const queries = usageQueries(trx, { from: yesterday(), to: today() });
      expect(Object.keys(queries).sort()).toEqual(Object.keys(expected).sort());
      for (const [name, query] of Object.entries(queries)) {
        const { sql, bindings } = query.toSQL();
        const plan = JSON.stringify((await trx.raw(`EXPLAIN (FORMAT JSON) ${sql}`, bindings)).rows);
        expect(plan, name).toContain(`"Index Name":"${expected[name]}"`);
        expect(plan, name).not.toContain('"Node Type":"Seq Scan"');
      }
    });
  });
});
