/**
 * The service through a real PgBouncer in transaction mode, with three server connections
 * shared by every client: nothing may rely on session state. Its own database (search_path
 * would be session state too). Checked: migrations, sign-up and a chat answer, the daily
 * limit under parallel requests (a transaction-scoped advisory lock and a conditional
 * upsert), review routing (advisory lock), and the audit chain under parallel writers.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are whatever the server sent */
import { randomBytes } from 'node:crypto';
import knex, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../core/audit-verify.js';
import { newChat, sleep, waitFor } from '../e2e/chat/harness.js';
import { registerUser, request } from '../helpers/http.js';
import { startPgBouncer, type PgBouncer } from '../helpers/pgbouncer.js';
import { account, answered, lawyer, requestReview } from '../helpers/reviews.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { ADMIN_DATABASE_URL, sqlOnce } from '../helpers/services.js';

const database = `pgb_${randomBytes(4).toString('hex')}`;
let bouncer: PgBouncer;
let rt: TestRuntime;
let direct: Knex;

const admin = (sql: string) => sqlOnce(ADMIN_DATABASE_URL, sql);

beforeAll(async () => {
  await admin(`CREATE DATABASE ${database}`);
  bouncer = await startPgBouncer({ poolSize: 3 });
  rt = await startTestRuntime('pgbouncer', { env: { DATABASE_URL: bouncer.urlFor(database), DATABASE_SCHEMA: '', DATABASE_POOL_MAX: '8', AI_CACHE_TTL_SECONDS: '0', CHAT_MAX_INFLIGHT: '100' } });
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${database}`;
  direct = knex({ client: 'pg', connection: url.toString(), pool: { min: 0, max: 2 } });
}, 60_000);

afterAll(async () => {
  await rt?.close();
  await direct?.destroy();
  await bouncer?.stop();
  await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
});

describe('through PgBouncer in transaction mode', () => {
  it('migrates, signs up and answers a chat message', async () => {
    const user = await registerUser(rt.url, 'bouncer');
    const { answerId } = await answered(rt.url, user.token, 'Как вернуть залог за квартиру?');
    expect(answerId).toEqual(expect.any(String));
    expect(bouncer.log()).toMatch(new RegExp(`login attempt: db=${database}`));
    expect(bouncer.log()).not.toMatch(/prepared statement|ERROR/i);
  });

  it('keeps the daily limit exact under parallel requests', async () => {
    await direct('plans').where({ code: 'free' }).update({ limits: direct.raw(`limits || '{"messages_per_day": 5}'::jsonb`) });
    const user = await registerUser(rt.url, 'burst');
    const chat = await newChat(rt.url, user.token);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      request(rt.url, 'POST', `/api/chats/${chat}/messages`, { token: user.token, json: { content: `Вопрос ${i}` } })));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(5);
    expect(answers.filter((a) => a.status === 429 && a.body.code === 'quota_exceeded')).toHaveLength(15);
    await direct('plans').where({ code: 'free' }).update({ limits: direct.raw(`limits || '{"messages_per_day": 20}'::jsonb`) });
  });

  it('routes reviews under the routing lock and keeps one audit chain under parallel writers', async () => {
    await direct('plans').where({ code: 'free' }).update({ limits: direct.raw(`limits || '{"reviews_per_month": 10}'::jsonb`) });
    const user = await account(rt.url, 'user', 'bouncer-user');
    const l1 = await lawyer(rt.url, 'bouncer-l1', { specializations: ['civil'], capacity: 1 });
    const l2 = await lawyer(rt.url, 'bouncer-l2', { specializations: ['civil'], capacity: 1 });
    const subjects = [];
    for (let i = 0; i < 4; i++) subjects.push((await answered(rt.url, user.token, `Как взыскать долг по расписке ${i}?`)).answerId);
    const ids = (await Promise.all(subjects.map((s) => requestReview(rt.url, user.token, s, { specialization: 'civil' })))).map((r) => r.body.review.id);
    expect(ids).toHaveLength(4);
    await waitFor('two reviews assigned', async () => ((await direct('lawyer_reviews').where({ status: 'assigned' })).length === 2 || undefined));
    await sleep(500); // nothing more may be assigned: both lawyers are full
    const held = await direct('lawyer_reviews').whereIn('status', ['assigned']).groupBy('lawyer_id').select('lawyer_id', direct.raw('count(*)::int AS n'));
    expect(held.map((h: any) => h.n)).toEqual([1, 1]);
    expect(new Set(held.map((h: any) => h.lawyer_id))).toEqual(new Set([l1.id, l2.id]));

    // Parallel sign-ins write audit entries through shared server connections.
    await Promise.all(Array.from({ length: 12 }, () => request(rt.url, 'POST', '/api/auth/login', { json: { email: user.email, password: user.password } })));
    expect(await verifyAuditChain(direct)).toMatchObject({ ok: true });
  });
});
