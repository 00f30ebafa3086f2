/**
 * Blocking an account, and the per-user socket cap, on two API nodes sharing Redis and
 * Postgres: a block closes the user's sockets on every node, cancels their queued answers and
 * stops the one streaming; the role or status change and its audit row land together or not
 * at all; a user holds at most SOCKET_MAX_PER_USER sockets across the nodes.
 */
import { Redis } from 'ioredis';
import { io } from 'socket.io-client';
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../bin/runtime.js';
import { fakeProviderEnv, startFakeOpenAI, type FakeProvider } from '../helpers/fake-providers/index.js';
import { registerUser, request } from '../helpers/http.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { REDIS_URL } from '../helpers/services.js';
import { ask, connect, newChat, openQueue, sleep, waitFor, type Client } from '../e2e/chat/harness.js';
import { AUDIT_ACTOR_ID, byActor } from '../../core/audit.js';

const ANSWER = 'Ответ юриста-ассистента.';
const MAX_SOCKETS = 3;

let openai: FakeProvider;
let rt: TestRuntime;
let nodeB: Runtime;
let ai: ReturnType<typeof openQueue>;

beforeAll(async () => {
  openai = await startFakeOpenAI({ defaultStep: { kind: 'text', text: ANSWER, chunks: 2 } });
  // One AI job at a time: a second question waits in the queue while the first streams.
  rt = await startTestRuntime('blocking', {
    env: { ...fakeProviderEnv({ openai }), WORKER_CONCURRENCY: '1', AI_MAX_RETRIES: '0', AI_COMPLETE_WAIT_MS: '100', SOCKET_MAX_PER_USER: String(MAX_SOCKETS) },
  });
  // A second API node on the same database, Redis and prefix.
  nodeB = await startRuntime('api', rt.t.env);
  ai = openQueue('ai', rt.t.prefix);
});

afterAll(async () => {
  await ai?.close();
  await nodeB?.close();
  await rt?.close();
  await openai?.close();
});

const db = () => Model.knex();

async function admin() {
  const a = await registerUser(rt.url, 'admin');
  await db()('users').where({ id: a.id }).update({ role: 'admin' });
  return a;
}

const closedByServer = (c: Client) => waitFor('the socket to be closed', () => (c.socket.connected ? undefined : true), 5000);

describe('blocking an account', () => {
  it('closes its sockets on every node, cancels its queued answers and ends the streaming one unanswered', async () => {
    const boss = await admin();
    const victim = await registerUser(rt.url, 'victim');
    const onA = await connect(rt.url, victim.token);
    const onB = await connect(nodeB.url!, victim.token);
    openai.reset();
    openai.script({ kind: 'text', text: ANSWER, chunks: 10, delayMs: 150 });

    const streamingChat = await newChat(rt.url, victim.token);
    await onA.join(streamingChat);
    const streaming = (await ask(rt.url, victim.token, streamingChat, 'Первый вопрос об аренде')).reply;
    await onA.first('reply.delta', streaming.id);
    const queuedChat = await newChat(rt.url, victim.token);
    const queued = (await ask(rt.url, victim.token, queuedChat, 'Второй вопрос о залоге')).reply;
    const oneOff = await request(rt.url, 'POST', '/api/ai/complete', { token: victim.token, json: { prompt: 'Третий вопрос' } });
    expect(oneOff.status).toBe(202);

    const res = await request(nodeB.url!, 'PATCH', `/api/admin/users/${victim.id}`, { token: boss.token, json: { status: 'blocked' } });
    expect([res.status, res.body.status]).toEqual([200, 'blocked']);
    await Promise.all([closedByServer(onA), closedByServer(onB)]);

    expect(await ai.queue.getJob(`reply-${queued.id}`)).toBeUndefined();
    expect(await ai.queue.getJob(`complete-${oneOff.body.id}`)).toBeUndefined();
    // The streaming answer runs out unseen: stored as failed, never as an answer, and charged nothing.
    await waitFor('the streaming job to end', async () => ((await ai.queue.getJobCounts('active')).active === 0 ? true : undefined), 10_000);
    await sleep(300);
    const replies = await db()('messages').whereIn('id', [streaming.id, queued.id]).select('id', 'status', 'meta', 'content');
    for (const r of replies) expect([r.status, r.meta.error?.code, r.content]).toEqual(['failed', 'account_blocked', null]);
    expect(openai.calls).toBe(1);
    const usage = await db()('ai_usage_daily').where({ user_id: victim.id }).first();
    expect(Number(usage.output_tokens)).toBe(0);

    const again = await connect(rt.url, victim.token).catch((err: Error) => err);
    expect(again).toBeInstanceOf(Error);
  });

  it('applies a change made on one node at once on the other, whatever it has cached', async () => {
    const boss = await admin();
    const user = await registerUser(rt.url, 'cached');
    const me = async () => request(rt.url, 'GET', '/api/auth/me', { token: user.token });
    expect((await me()).body.role).toBe('user'); // node A now holds the user
    await request(nodeB.url!, 'PATCH', `/api/admin/users/${user.id}`, { token: boss.token, json: { role: 'lawyer' } });
    expect((await me()).body.role).toBe('lawyer');
    await request(nodeB.url!, 'PATCH', `/api/admin/users/${user.id}`, { token: boss.token, json: { status: 'blocked' } });
    expect((await me()).status).toBe(403);
  });

  it('ends the sessions: a refresh is refused unspent, and after an unblock the old token opens nothing and raises no alarm', async () => {
    const boss = await admin();
    const user = await registerUser(rt.url, 'sessions');
    const refresh = () => request(rt.url, 'POST', '/api/auth/refresh', { json: { refresh_token: user.refresh } });
    expect((await request(rt.url, 'PATCH', `/api/admin/users/${user.id}`, { token: boss.token, json: { status: 'blocked' } })).status).toBe(200);
    expect((await refresh()).status).toBe(401);
    const tokens = await db()('refresh_tokens').where({ user_id: user.id }).select('used_at', 'revoked_at');
    expect(tokens).toEqual([{ used_at: null, revoked_at: expect.any(Date) }]);

    expect((await request(rt.url, 'PATCH', `/api/admin/users/${user.id}`, { token: boss.token, json: { status: 'active' } })).status).toBe(200);
    expect((await refresh()).status).toBe(401);
    expect(await db()('audit_logs').where({ action: 'auth.refresh_reuse' }).whereRaw(...byActor(user.id))).toHaveLength(0);
    expect((await request(rt.url, 'POST', '/api/auth/login', { json: { email: user.email, password: user.password } })).status).toBe(200);
  });

  it('closes the sockets when an admin repeats a block whose effects were lost after its commit', async () => {
    const boss = await admin();
    const user = await registerUser(rt.url, 'repeat');
    const socket = await connect(nodeB.url!, user.token);
    // Committed, but the sockets were never told (Redis away right after the commit).
    await db()('users').where({ id: user.id }).update({ status: 'blocked' });
    const res = await request(rt.url, 'PATCH', `/api/admin/users/${user.id}`, { token: boss.token, json: { status: 'blocked' } });
    expect([res.status, res.body.status]).toEqual([200, 'blocked']);
    await closedByServer(socket);
  });

  it('refuses an admin changing their own role or status, however the id is written', async () => {
    const boss = await admin();
    for (const id of [boss.id, boss.id.toUpperCase()]) {
      const res = await request(rt.url, 'PATCH', `/api/admin/users/${id}`, { token: boss.token, json: { status: 'blocked' } });
      expect(res.status).toBe(409);
    }
    expect(await db()('users').where({ id: boss.id }).first('role', 'status')).toEqual({ role: 'admin', status: 'active' });
  });

  it('writes the change and its audit row in one transaction: when the audit cannot be written, nothing changes', async () => {
    const boss = await admin();
    const target = await registerUser(rt.url, 'target');
    // A fault in the audit table of this test's schema only.
    await db().raw(`CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit unavailable'; END $$`);
    await db().raw(`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_logs FOR EACH ROW WHEN (NEW.action = 'admin.user_update') EXECUTE FUNCTION refuse_audit()`);
    try {
      const res = await request(rt.url, 'PATCH', `/api/admin/users/${target.id}`, { token: boss.token, json: { role: 'lawyer', status: 'blocked' } });
      expect(res.status).toBe(500);
    } finally {
      await db().raw('DROP TRIGGER refuse_audit ON audit_logs');
      await db().raw('DROP FUNCTION refuse_audit()');
    }
    const row = await db()('users').where({ id: target.id }).first('role', 'status');
    expect(row).toEqual({ role: 'user', status: 'active' });

    const res = await request(rt.url, 'PATCH', `/api/admin/users/${target.id}`, { token: boss.token, json: { role: 'lawyer' } });
    expect(res.body.role).toBe('lawyer');
    const audit = await db()('audit_logs').where({ action: 'admin.user_update', target_id: target.id }).select(db().raw(AUDIT_ACTOR_ID), 'meta');
    expect(audit).toEqual([{ actor_id: boss.id, meta: expect.objectContaining({ role: 'lawyer', from: { role: 'user', status: 'active' }, via: 'api' }) }]);
  });
});

describe('sockets per user', () => {
  /** Connects once a slot is free: the server gives one back when it sees a disconnect, a moment later. */
  const connectWhenFree = (url: string, token: string) => waitFor('a free socket slot', () => connect(url, token).catch(() => undefined), 10_000);

  it(`allows ${MAX_SOCKETS} across both nodes, refuses one more with too_many_connections, and frees a slot on disconnect`, async () => {
    const user = await registerUser(rt.url, 'sockets');
    const open = [await connect(rt.url, user.token), await connect(nodeB.url!, user.token), await connect(rt.url, user.token)];
    try {
      const refused = await connect(nodeB.url!, user.token).catch((err: Error) => err);
      expect(refused).toBeInstanceOf(Error);
      expect((refused as Error).message).toBe('too_many_connections');
      open.pop()!.close();
      open.push(await connectWhenFree(nodeB.url!, user.token));
    } finally {
      for (const c of open) c.close();
    }
  });

  it('gives back the slot of a connection that went away while it was being admitted', async () => {
    const user = await registerUser(rt.url, 'dropped');
    // Each client sends its CONNECT as the transport opens, and closes the transport at once:
    // the server is still checking the token when the connection is gone.
    for (let i = 0; i < MAX_SOCKETS; i++) {
      const socket = io(rt.url, { path: '/ws', auth: { token: user.token }, transports: ['websocket'], reconnection: false });
      await new Promise<void>((resolve) => socket.io.once('open', () => {
        socket.io.engine.close();
        resolve();
      }));
      socket.close();
    }
    const open = [];
    try {
      for (let i = 0; i < MAX_SOCKETS; i++) open.push(await connectWhenFree(i % 2 ? nodeB.url! : rt.url, user.token));
      expect(open.every((c) => c.socket.connected)).toBe(true);
    } finally {
      for (const c of open) c.close();
    }
  });

  it('does not count leases that ran out (a node that died without cleaning up)', async () => {
    const user = await registerUser(rt.url, 'deadnode');
    const redis = new Redis(REDIS_URL);
    // What a crashed node leaves behind: leases it stopped renewing.
    const past = Date.now() - 1000;
    await redis.zadd(`${rt.t.prefix}:sockets:${user.id}`, past, 'dead-1', past, 'dead-2', past, 'dead-3');
    redis.disconnect();
    const client = await connect(rt.url, user.token);
    expect(client.socket.connected).toBe(true);
    client.close();
  });
});
