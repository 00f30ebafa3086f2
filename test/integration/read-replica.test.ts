/**
 * The service with a real streaming replica (DATABASE_READ_URL): list and search reads go to
 * the replica, a user's own writes are read back from the writer until the replica has
 * applied them, and with the replica gone the lists still answer. Replay is paused to make
 * the replica lag on purpose.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are whatever the server sent */
import knex, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../e2e/chat/harness.js';
import { registerUser, request } from '../helpers/http.js';
import { startPgReplication, type PgReplication } from '../helpers/pg-replica.js';
import { account } from '../helpers/reviews.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';

let rep: PgReplication;
let rt: TestRuntime;
let primary: Knex;

const ids = (res: { body: any }) => (res.body.items as Array<{ id: string }>).map((i) => i.id);

async function newChat(token: string, title: string): Promise<string> {
  const res = await request(rt.url, 'POST', '/api/chats', { token, json: { title } });
  expect(res.status).toBe(201);
  return res.body.id;
}

beforeAll(async () => {
  rep = await startPgReplication();
  rt = await startTestRuntime('readreplica', { env: { DATABASE_URL: rep.primaryUrl, DATABASE_READ_URL: rep.replicaUrl } });
  primary = knex({ client: 'pg', connection: rep.primaryUrl, searchPath: [rt.t.schema], pool: { min: 0, max: 2 } });
}, 90_000);

afterAll(async () => {
  await rt?.close();
  await primary?.destroy();
  await rep?.stop();
});

describe('with a read replica', () => {
  it('shows a user their own write at once while the replica lags, and others the replica', async () => {
    const admin = await account(rt.url, 'admin', 'rr-admin');
    await rep.caughtUp();
    await rep.pauseReplay();
    let newcomer: Awaited<ReturnType<typeof registerUser>>;
    try {
      newcomer = await registerUser(rt.url, 'rr-new');
      const chat = await newChat(newcomer.token, 'Аренда');
      expect(ids(await request(rt.url, 'GET', '/api/chats', { token: newcomer.token }))).toEqual([chat]);

      // The admin wrote nothing: their list of accounts is the replica's, without the sign-up yet.
      const listed = await request(rt.url, 'GET', '/api/admin/users?limit=100', { token: admin.token });
      expect(listed.status).toBe(200);
      expect(ids(listed)).toContain(admin.id);
      expect(ids(listed)).not.toContain(newcomer.id);
    } finally {
      await rep.resumeReplay();
    }
    await waitFor('the sign-up to reach the admin', async () =>
      ids(await request(rt.url, 'GET', '/api/admin/users?limit=100', { token: admin.token })).includes(newcomer.id) || undefined);
  });

  it('reads a user\'s lists from the replica once it has what they wrote', async () => {
    const user = await registerUser(rt.url, 'rr-reader');
    const chat = await newChat(user.token, 'Залог');
    await rep.caughtUp();
    await rep.pauseReplay();
    try {
      // Archived on the primary behind the API's back: only the replica still has the chat active.
      await primary('chats').where({ id: chat }).update({ status: 'archived' });
      expect(ids(await request(rt.url, 'GET', '/api/chats', { token: user.token }))).toEqual([chat]);

      for (const path of [`/api/chats/${chat}/messages`, '/api/documents', '/api/payments', '/api/reviews', '/api/law']) {
        expect((await request(rt.url, 'GET', path, { token: user.token })).status, path).toBe(200);
      }
      const found = await request(rt.url, 'POST', '/api/ai/search', { token: user.token, json: { query: 'залог', scope: 'documents' } });
      expect(found.status).toBe(200);
      // A search writes nothing: the reads after it stay on the replica.
      expect(ids(await request(rt.url, 'GET', '/api/chats', { token: user.token }))).toEqual([chat]);
    } finally {
      await rep.resumeReplay();
    }
    await waitFor('the archive to reach the replica', async () =>
      ids(await request(rt.url, 'GET', '/api/chats', { token: user.token })).length === 0 || undefined);
  });

  it('answers lists from the writer when the replica is down', async () => {
    const writer = await registerUser(rt.url, 'rr-writer');
    const chat = await newChat(writer.token, 'Наследство');
    const reader = await registerUser(rt.url, 'rr-idle');
    await rep.stopReplica();

    expect(ids(await request(rt.url, 'GET', '/api/chats', { token: writer.token }))).toEqual([chat]);
    const idle = await request(rt.url, 'GET', '/api/chats', { token: reader.token });
    expect(idle.status).toBe(200);
    expect(idle.body.items).toEqual([]);
    expect((await request(rt.url, 'POST', '/api/ai/search', { token: reader.token, json: { query: 'наследство' } })).status).toBe(200);
  });
});
