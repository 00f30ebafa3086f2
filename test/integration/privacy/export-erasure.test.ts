/**
 * A person takes out and erases their data without an operator. The export is a ZIP with
 * their own values put back (theirs to see), their documents' original bytes and descriptions,
 * reviews, payments, plans, usage, sessions, privacy requests, consents and the audit entries
 * about them (a lawyer's, also the reviews they held), for its owner only. Erasure ends
 * their sessions at once (an open socket only watches it to the end), then leaves nothing of them in Postgres, storage or Redis, keeps
 * payments without the person, and ends with a destruction act for admins. Their open
 * lawyer reviews end cancelled first, so the lawyers get their slots back.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are whatever the server sent */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../../core/audit.js';
import { verifyAuditChain } from '../../../core/audit-verify.js';
import { readZipEntry } from '../../../core/documents/zip.js';
import { Vault } from '../../../core/dlp/index.js';
import { CONSENT_DOCUMENT } from '../../../core/privacy/consent-document.js';
import { accountVault } from '../../../core/privacy/keys.js';
import { buildExport } from '../../../core/privacy/export.js';
import { createLocalStorage } from '../../../core/storage/local.js';
import type { Storage } from '../../../core/storage/types.js';
import { maskJobId } from '../../../pipelines/chat-reply.js';
import { ask, connect, newChat, openQueue, storedReply, waitFor } from '../../e2e/chat/harness.js';
import { runJobNow } from '../../helpers/jobs.js';
import { filesUnder, upload } from '../../helpers/documents.js';
import { request, uniqueEmail } from '../../helpers/http.js';
import { settledDocument } from '../../helpers/ingest.js';
import { setPlanLimits } from '../../helpers/plans.js';
import { redisDump, redisKeys } from '../../helpers/redis-dump.js';
import { account, answered, lawyer, requestReview, reviewAs, reviewWhen } from '../../helpers/reviews.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

let rt: TestRuntime;
const db = () => Model.knex();
// Each person has their own name and phone, so a search for one finds nobody else.
const EXPORTED = { name: 'Ковалёва Дарина Игоревна', phone: '+7 916 777-88-99' };
const ERASED = { name: 'Тимерханов Ильдар Ринатович', phone: '+7 903 444-55-66', digits: '4445566' };
const docText = (p: { name: string; phone: string }) => `Договор аренды. Арендатор: ${p.name}, телефон ${p.phone}.\n`;

beforeAll(async () => {
  // Behind a proxy, so that a request can come from an address of its own.
  rt = await startTestRuntime('privacy-rights', { env: { AI_CACHE_TTL_SECONDS: '0', TRUST_PROXY: 'true' } });
  await setPlanLimits('free', { reviews_per_month: 10 });
});

afterAll(async () => {
  await rt?.close();
});

/** A person with a chat, a ready document and a payment, as the erasure and export tests need. */
async function person(tag: string, who: { name: string; phone: string }) {
  const email = uniqueEmail(tag);
  const password = 'correct horse battery';
  const reg = await request(rt.url, 'POST', '/api/auth/register', { json: { email, password, name: who.name, consent_version: CONSENT_DOCUMENT.version } });
  expect(reg.status).toBe(201);
  const token = reg.body.access_token as string;
  const id = reg.body.user.id as string;
  const chatId = await newChat(rt.url, token);
  const asked = await ask(rt.url, token, chatId, `Меня зовут ${who.name}, мой телефон ${who.phone}. Как расторгнуть договор аренды?`);
  const reply = await storedReply(rt.url, token, chatId, asked.reply.id);
  const document = await settledDocument(rt.url, token, (await upload(rt.url, '/api/documents', token, { name: 'аренда.txt', data: Buffer.from(docText(who)) })).body.document.id);
  await db()('payments').insert({ user_id: id, provider: 'yookassa', provider_payment_id: `pay-${id}`, amount_minor: 199000, status: 'succeeded' });
  return { email, password, token, id, chatId, messageId: asked.message.id as string, replyId: reply.id, documentId: document.id as string };
}

/** The sealed question its masking job carried, as Redis holds the job (kept a while once done). */
async function maskJobSealed(messageId: string): Promise<string> {
  const dlp = openQueue('dlp', rt.t.prefix);
  try {
    const job = await dlp.queue.getJob(maskJobId(messageId));
    expect(job?.data.sealed, 'the masking job, kept once done').toBeTypeOf('string');
    return job!.data.sealed as string;
  } finally {
    await dlp.close();
  }
}

describe('export', () => {
  it('builds a ZIP of everything about the person, their own values restored, for them only', async () => {
    const me = await person('export', EXPORTED);
    // A second version: the first stays held (and downloadable), so it is exported too.
    const first = await request(rt.url, 'GET', `/api/documents/${me.documentId}`, { token: me.token });
    expect((await upload(rt.url, `/api/documents/${me.documentId}/versions`, me.token, { name: 'аренда-2.txt', data: Buffer.from('Вторая редакция договора аренды.') })).status).toBe(202);
    await settledDocument(rt.url, me.token, me.documentId);
    // An admin acted on the person from an address of their own: the person is owed the entry, not the admin's address.
    const boss = await account(rt.url, 'admin', 'export-admin');
    await audit({ actorId: boss.id, action: 'admin.user_update', targetType: 'user', targetId: me.id, ip: '203.0.113.77', meta: { status: 'active' } });
    const socket = await connect(rt.url, me.token);
    const once = { token: me.token, headers: { 'Idempotency-Key': 'export-once' } };
    const started = await request(rt.url, 'POST', '/api/privacy/export', once);
    expect(started.status).toBe(202);
    expect(started.body.request).toMatchObject({ type: 'export', status: 'queued' });
    const id = started.body.request.id;
    // A retry with the same key, before and after the export is ready, is the first answer.
    expect((await request(rt.url, 'POST', '/api/privacy/export', once)).body.request.id).toBe(id);
    const ready = await waitFor('privacy.updated ready', () => socket.of('privacy.updated').find((e) => e.request.status === 'ready'));
    socket.close();
    // The owner follows it: running with each step done, then ready.
    const seen = socket.of('privacy.updated').filter((e) => e.request.id === id);
    expect(seen.map((e) => e.request.status)).toEqual(['running', 'running', 'ready']);
    expect(seen[1].request.progress).toMatchObject({ chats: 1, documents: 1 });
    expect(ready.request).toMatchObject({ id, type: 'export' });
    const retried = await request(rt.url, 'POST', '/api/privacy/export', once);
    expect([retried.status, retried.body.request.id]).toEqual([202, id]);
    expect(await db()('privacy_requests').where({ user_id: me.id, type: 'export' })).toHaveLength(1);
    expect(Date.parse(ready.request.expires_at) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);

    const other = await account(rt.url, 'user', 'stranger');
    expect((await request(rt.url, 'GET', `/api/privacy/requests/${id}/download`, { token: other.token })).status).toBe(404);
    const res = await fetch(`${rt.url}/api/privacy/requests/${id}/download`, { headers: { authorization: `Bearer ${me.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const zip = Buffer.from(await res.arrayBuffer());
    const entry = (name: string) => {
      const bytes = readZipEntry(zip, name, 10 * 1024 * 1024);
      expect(bytes, name).toBeDefined();
      return bytes!;
    };
    const parse = (name: string) => JSON.parse(entry(name).toString('utf8'));
    expect(parse('profile.json')).toMatchObject({ id: me.id, email: me.email, name: EXPORTED.name });
    const chat = parse(`chats/${me.chatId}.json`);
    const question = chat.messages.find((m: any) => m.sender === 'user');
    expect(question.content).toContain(EXPORTED.name);
    expect(question.content).toContain(EXPORTED.phone);
    expect(chat.messages.map((m: any) => m.id)).toContain(me.replyId);
    expect(entry(`documents/${me.documentId}/аренда-2.txt`).toString('utf8')).toBe('Вторая редакция договора аренды.');
    expect(entry(`documents/${me.documentId}/versions/${first.body.version}/аренда.txt`).toString('utf8')).toBe(docText(EXPORTED));
    expect(parse('payments.json')).toEqual([expect.objectContaining({ status: 'succeeded', amount: { amount: 199000, currency: 'RUB' } })]);
    expect(parse('consents.json').map((c: any) => c.purpose)).toEqual(expect.arrayContaining(['processing', 'ai_providers_abroad']));
    const trail = parse('audit.json');
    expect(trail.map((a: any) => a.action)).toEqual(expect.arrayContaining(['auth.register', 'privacy.export_requested', 'admin.user_update']));
    expect(trail.find((a: any) => a.action === 'auth.register').ip).toBeTruthy();
    expect(trail.find((a: any) => a.action === 'admin.user_update').ip).toBeNull();
    expect(parse('reviews.json')).toEqual([]);
    // Stored encrypted: the archive's bytes are nowhere in storage as plaintext.
    const stored = filesUnder(path.join(rt.t.dataDir, 'files')).find((f) => f.includes(id));
    expect(stored).toBeDefined();
    expect(await db()('audit_logs').where({ action: 'privacy.export_downloaded', target_id: id })).toHaveLength(1);

    await db()('privacy_requests').where({ id }).update({ expires_at: new Date(Date.now() - 1000) });
    expect((await request(rt.url, 'GET', `/api/privacy/requests/${id}/download`, { token: me.token })).status).toBe(404);
  });

  /** Asks for an export as `token`'s owner and reads the ready archive's JSON entries. */
  async function exported(token: string) {
    const id = (await request(rt.url, 'POST', '/api/privacy/export', { token })).body.request.id as string;
    await waitFor(`export ${id} ready`, async () => (await request(rt.url, 'GET', `/api/privacy/requests/${id}`, { token })).body.request.status === 'ready' || undefined, 30_000);
    const zip = Buffer.from(await (await fetch(`${rt.url}/api/privacy/requests/${id}/download`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer());
    return (name: string) => {
      const bytes = readZipEntry(zip, name, 10 * 1024 * 1024);
      return bytes && JSON.parse(bytes.toString('utf8'));
    };
  }

  it("holds the documents, plan, usage, sessions and requests, and a lawyer's own work without the client's words", async () => {
    const me = await account(rt.url, 'user', 'records');
    const title = `Договор с ${EXPORTED.name}`;
    const doc = await settledDocument(rt.url, me.token, (await upload(rt.url, '/api/documents', me.token, { name: 'договор.txt', data: Buffer.from('Договор поставки.\n') }, { title })).body.document.id);
    expect(doc.title).not.toContain('Ковалёва');
    const plan = await db()('plans').whereNot({ code: 'free' }).first('id', 'code');
    await db()('subscriptions').insert({ user_id: me.id, plan_id: plan.id, status: 'active', provider: 'yookassa', price_minor: 99000, currency: 'RUB', current_period_start: new Date(), current_period_end: new Date(Date.now() + 30 * 86_400_000) });
    const heir = await lawyer(rt.url, 'heir', { specializations: ['inheritance'], capacity: 1 });
    const { answerId } = await answered(rt.url, me.token, 'Как принять наследство после смерти отца?');
    const reviewId = (await requestReview(rt.url, me.token, answerId, { specialization: 'inheritance', comment: `Звоните мне: ${EXPORTED.phone}` })).body.review.id as string;
    await reviewWhen(rt.url, me.token, reviewId, 'assigned', (r) => r.status === 'assigned' && r.lawyer?.id === heir.id);

    const mine = await exported(me.token);
    // The title as typed, though the service keeps and shows it masked.
    expect(mine('documents.json')).toEqual([expect.objectContaining({ id: doc.id, title, status: 'ready', version: 1, chat_ids: [] })]);
    expect(mine('subscriptions.json')).toEqual([expect.objectContaining({ plan_code: plan.code, status: 'active', price: { amount: 99000, currency: 'RUB' }, cancel_at_period_end: false })]);
    const usage = mine('usage.json');
    expect(usage.periods).toEqual(expect.arrayContaining([expect.objectContaining({ metric: 'documents', used: 1 }), expect.objectContaining({ metric: 'reviews', used: 1 })]));
    expect(usage.ai_days).toEqual([expect.objectContaining({ day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), messages: 1 })]);
    expect(mine('sessions.json')).toEqual([expect.objectContaining({ started_at: expect.any(String), revoked_at: null })]);
    expect(mine('privacy-requests.json')).toEqual([expect.objectContaining({ type: 'export' })]);
    expect(mine('lawyer.json')).toBeUndefined();

    const work = (await exported(heir.token))('lawyer.json');
    expect(work.profile).toMatchObject({ specializations: ['inheritance'], capacity: 1, accepting: true });
    expect(work.reviews).toEqual([expect.objectContaining({ id: reviewId, status: 'assigned', specialization: 'inheritance', assigned_at: expect.any(String) })]);
    expect(work.reviews[0]).not.toHaveProperty('comment');
  });
});

describe('export of many documents', () => {
  it('fetches each stored document only when the archive reaches it, and holds them all', async () => {
    const me = await account(rt.url, 'user', 'manydocs');
    const texts = ['Первый договор.', 'Второй договор.', 'Третий договор.'];
    const ids = [];
    for (const [i, text] of texts.entries()) {
      ids.push((await settledDocument(rt.url, me.token, (await upload(rt.url, '/api/documents', me.token, { name: `d${i}.txt`, data: Buffer.from(text) })).body.document.id)).id as string);
    }
    // The service's own file store, seen through a count of the objects open at once; each
    // takes a while to arrive, as a large object from a remote store does.
    const files = createLocalStorage(path.join(rt.t.dataDir, 'files'));
    let open = 0;
    let most = 0;
    const storage: Storage = {
      ...files,
      async get(key) {
        const stream = await files.get(key);
        most = Math.max(most, ++open);
        return Readable.from((async function* () {
          try {
            yield* stream;
            await new Promise((r) => setTimeout(r, 100));
          } finally {
            open--;
          }
        })());
      },
    };
    const vault = new Vault(Buffer.from(JSON.parse(fs.readFileSync(path.join(rt.t.dataDir, 'secrets.json'), 'utf8')).encryption_key, 'base64'));
    const [row] = await db()('privacy_requests').insert({ user_id: me.id, type: 'export', status: 'queued' }).returning('*');
    expect(await buildExport({ db: db(), storage, vault }, row)).toMatchObject({ files: expect.any(Number) });
    expect(most).toBe(1);
    const res = await fetch(`${rt.url}/api/privacy/requests/${row.id}/download`, { headers: { authorization: `Bearer ${me.token}` } });
    expect(res.status).toBe(200);
    const zip = Buffer.from(await res.arrayBuffer());
    ids.forEach((id, i) => expect(readZipEntry(zip, `documents/${id}/d${i}.txt`, 1024)?.toString('utf8')).toBe(texts[i]));
  });
  it('fails the build, not the process, when a stored document cannot be read, and leaves no archive', async () => {
    const me = await account(rt.url, 'user', 'unreadable');
    await settledDocument(rt.url, me.token, (await upload(rt.url, '/api/documents', me.token, { name: 'gone.txt', data: Buffer.from('Договор.') })).body.document.id);
    // The object went as the archive reached it (a delete of the document racing the export, a store that failed).
    const files = createLocalStorage(path.join(rt.t.dataDir, 'files'));
    const storage: Storage = { ...files, get: async () => { throw new Error('the object is gone'); } };
    const vault = new Vault(Buffer.from(JSON.parse(fs.readFileSync(path.join(rt.t.dataDir, 'secrets.json'), 'utf8')).encryption_key, 'base64'));
    const [row] = await db()('privacy_requests').insert({ user_id: me.id, type: 'export', status: 'queued' }).returning('*');
    await expect(buildExport({ db: db(), storage, vault }, row)).rejects.toThrow('the object is gone');
    expect(filesUnder(path.join(rt.t.dataDir, 'files', 'exports')).filter((f) => f.includes(row.id))).toEqual([]);
    expect((await db()('privacy_requests').where({ id: row.id }).first()).status).not.toBe('ready');
  });
});

describe('erasure', () => {
  it('refuses a wrong password and changes nothing', async () => {
    const me = await account(rt.url, 'user', 'wrongpass');
    const res = await request(rt.url, 'POST', '/api/privacy/erasure', { token: me.token, json: { password: 'not it' } });
    expect([res.status, res.body.code]).toEqual([422, 'invalid_password']);
    expect((await request(rt.url, 'GET', '/api/auth/me', { token: me.token })).status).toBe(200);
    expect(await db()('privacy_requests').where({ user_id: me.id })).toHaveLength(0);
  });

  it('throttles password guesses as a login does: past the failures allowed, 429 with Retry-After', async () => {
    const me = await account(rt.url, 'user', 'guesser');
    const codes = [];
    for (let i = 0; i < 6; i++) {
      const res = await request(rt.url, 'POST', '/api/privacy/erasure', { token: me.token, json: { password: `guess ${i}` } });
      codes.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(codes).toEqual([422, 422, 422, 422, 422, 429]);
    expect(await db()('privacy_requests').where({ user_id: me.id })).toHaveLength(0);
  });

  it('ends the sessions at once, leaves nothing of the person anywhere, keeps payments without them, and proves it with an act', async () => {
    const me = await person('erase', ERASED);
    const admin = await account(rt.url, 'admin', 'privacy-admin');
    // A sign-in from the person's own address: the trail keeps it sealed, and admins read it while the account lives.
    const address = '198.51.100.23';
    expect((await request(rt.url, 'POST', '/api/auth/login', { json: { email: me.email, password: me.password }, headers: { 'X-Forwarded-For': address } })).status).toBe(200);
    const signIns = async () => (await request(rt.url, 'GET', `/api/admin/audit?action=auth.login&target_id=${me.id}`, { token: admin.token })).body.items;
    expect((await signIns()).map((e: any) => e.ip)).toEqual([address]);
    expect(await db()('audit_logs').where({ ip: address })).toEqual([]);
    // A long-lived backup holds the sealed rows but not `user_keys`, whose backups are kept short.
    const master = new Vault(Buffer.from(JSON.parse(fs.readFileSync(path.join(rt.t.dataDir, 'secrets.json'), 'utf8')).encryption_key, 'base64'));
    const backup = {
      registry: (await db()('pii_vaults').where({ scope_type: 'chat', scope_id: me.chatId }).first('sealed')).sealed as string,
      version: await db()('document_versions').where({ document_id: me.documentId }).first('storage_key', 'sealed_key'),
      // Redis's append-only file, and its backups, keep the raw question its masking job carried.
      question: await maskJobSealed(me.messageId),
    };
    const own = await accountVault(db(), master, me.id);
    expect(JSON.stringify(own.open(backup.registry, `chat:${me.chatId}`))).toContain('Тимерханов');
    expect(own.open<{ t: string }>(backup.question, `message:${me.messageId}`).t).toContain('Тимерханов');
    // A notification of the person's payment, stored and not yet applied, names the card they saved.
    const savedCard = `pm-saved-${randomUUID()}`;
    await db()('payment_events').insert({
      provider: 'yookassa', event_id: `pay-${me.id}:succeeded`, type: 'payment.succeeded',
      data: JSON.stringify({ kind: 'payment', payment: { providerPaymentId: `pay-${me.id}`, status: 'succeeded', paymentMethodId: savedCard } }),
    });
    // The page that asks for the erasure, its socket open and following the chat.
    const socket = await connect(rt.url, me.token);
    expect(await socket.join(me.chatId)).toEqual({ ok: true });
    const closed = new Promise<string>((resolve) => socket.socket.once('disconnect', resolve));
    const res = await request(rt.url, 'POST', '/api/privacy/erasure', { token: me.token, json: { password: me.password } });
    expect(res.status).toBe(202);
    const id = res.body.request.id;
    expect((await request(rt.url, 'GET', '/api/auth/me', { token: me.token })).status).toBe(403);
    expect((await request(rt.url, 'POST', '/api/auth/login', { json: { email: me.email, password: me.password } })).status).not.toBe(200);
    // The sessions are over: the open socket may only watch the erasure, and no new one is let in.
    expect(await socket.join(me.chatId)).toEqual({ ok: false, error: { code: 'forbidden' } });
    await expect(connect(rt.url, me.token)).rejects.toThrow(/unauthorized/);
    // It follows every step to the end, and is then closed by the server.
    expect(await closed).toBe('io server disconnect');
    const steps = socket.of('privacy.updated').map((e) => e.request).filter((r) => r.id === id);
    expect(steps.map((r) => r.status)).toEqual(['running', 'running', 'running', 'running', 'running', 'completed']);
    expect(Object.keys(steps.at(-1).progress)).toEqual(expect.arrayContaining(['documents', 'redis', 'stripe', 'database', 'act']));
    // Counts of what went, and nothing the act alone keeps (the e-mail's keyed hash, the audit pseudonym).
    expect(steps.at(-1).progress.database).toMatchObject({ chats: 1, users: 1 });
    expect(steps.at(-1).progress).not.toHaveProperty('email_hash');
    expect(steps.at(-1).progress).not.toHaveProperty('actor');
    socket.close();

    const done = await waitFor('erasure completed', async () => {
      const r = await request(rt.url, 'GET', `/api/admin/privacy/requests/${id}`, { token: admin.token });
      return r.body.request?.status === 'completed' ? r.body : undefined;
    }, 30_000);
    expect(done).toMatchObject({ account_id: me.id, request: { type: 'erasure', progress: expect.objectContaining({ documents: expect.anything(), database: expect.anything() }) } });

    // Nothing of the person in any table of the schema, in storage, or in Redis.
    const tables: string[] = (await db()('pg_tables').where({ schemaname: rt.t.schema }).pluck('tablename'));
    const dump: string[] = [];
    for (const table of tables) dump.push(...(await db().raw(`SELECT t::text AS row FROM ?? t`, [table])).rows.map((r: any) => r.row));
    const text = dump.join('\n');
    for (const needle of [me.email, 'Тимерханов', 'Ильдар', ERASED.digits, savedCard, address]) expect(text.includes(needle), needle).toBe(false);
    expect(filesUnder(path.join(rt.t.dataDir, 'files')).filter((f) => f.includes(me.documentId))).toEqual([]);
    const redis = await redisDump(rt.t.prefix);
    for (const needle of [me.email, 'Тимерханов', ERASED.digits]) expect(redis.includes(needle), needle).toBe(false);
    expect(await redisKeys(`${rt.t.prefix}*${me.replyId}*`)).toEqual([]);
    for (const table of ['users', 'chats', 'messages', 'documents', 'consents', 'refresh_tokens']) {
      expect(await db()(table).where(table === 'users' ? { id: me.id } : { user_id: me.id }), table).toHaveLength(0);
    }
    expect(await db()('payments').where({ provider_payment_id: `pay-${me.id}` }).first()).toMatchObject({ user_id: null, amount_minor: 199000, status: 'succeeded' });
    expect((await request(rt.url, 'POST', '/api/auth/login', { json: { email: me.email, password: me.password } })).status).toBe(401);

    const act = await request(rt.url, 'GET', `/api/admin/privacy/acts/${id}`, { token: admin.token });
    expect(act.status).toBe(200);
    expect(act.body).toMatchObject({ request_id: id, account_id: me.id, email_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(act.body.act.destroyed.documents).toMatchObject({ documents: 1 });
    expect(act.body.act.held_at_request).toEqual({ documents: 1, chats: 1, messages: 2, payments: 1 });
    expect(act.body.act.audit_extract.map((e: any) => e.action)).toEqual(expect.arrayContaining(['auth.register', 'privacy.erasure_requested']));
    expect(JSON.stringify(act.body)).not.toContain(me.email);
    // The trail keeps the person's entries under a keyed hash whose key is gone: nothing leads back.
    const trail = await request(rt.url, 'GET', `/api/admin/audit?action=privacy.erasure_requested&target_id=${id}`, { token: admin.token });
    expect(trail.body.items).toEqual([expect.objectContaining({ actor_id: null, actor: act.body.act.audit_actor })]);
    expect(act.body.act.audit_actor).toMatch(/^[0-9a-f]{64}$/);
    expect((await request(rt.url, 'GET', `/api/admin/audit?actor_id=${me.id}`, { token: admin.token })).body.items).toEqual([]);
    expect(await db()('audit_logs').where({ action: 'privacy.erasure_completed', target_id: id })).toHaveLength(1);
    // The sign-in is still there, its address shredded with the secret; the chain still holds.
    expect((await signIns()).map((e: any) => e.ip)).toEqual([null]);
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true });
    // Crypto-shredded: with the account's secret gone, the backup's copies open with no key the service holds.
    expect(() => master.open(backup.registry, `chat:${me.chatId}`)).toThrow(/cannot be opened/);
    expect(() => master.open(backup.version.sealed_key, `document-object:${backup.version.storage_key}`)).toThrow(/cannot be opened/);
    expect(() => master.open(backup.question, `message:${me.messageId}`)).toThrow(/cannot be opened/);
    await expect(accountVault(db(), master, me.id)).rejects.toThrow(/gone/);
    // The erased account's token opens nothing (blocked, then gone).
    expect([401, 403]).toContain((await request(rt.url, 'GET', `/api/admin/privacy/acts/${id}`, { token: me.token })).status);
  });

  it('finishes an erasure whose job was lost: the minute sweep queues it again', async () => {
    const me = await account(rt.url, 'user', 'lostjob');
    // An erasure asked for two minutes ago whose job never ran (lost, or past BullMQ's stall limit).
    await db()('users').where({ id: me.id }).update({ status: 'blocked' });
    const [{ id }] = await db()('privacy_requests').insert({
      user_id: me.id, type: 'erasure', progress: JSON.stringify({ email_hash: 'x'.repeat(64), inventory: {} }), created_at: new Date(Date.now() - 120_000),
    }).returning('id');
    const swept = await runJobNow(rt.t.prefix, 'privacy.sweep');
    expect(swept.requeued).toBeGreaterThanOrEqual(1);
    await waitFor('erasure completed', async () => ((await db()('privacy_requests').where({ id }).first()).status === 'completed' || undefined), 30_000);
    expect(await db()('users').where({ id: me.id })).toHaveLength(0);
    expect(await db()('destruction_acts').where({ request_id: id })).toHaveLength(1);
  });

  it('removes every job naming the person, however many are queued', async () => {
    const me = await account(rt.url, 'user', 'manyjobs');
    const later = openQueue('privacy', rt.t.prefix);
    try {
      // More than a page of the sweep: removing while paging used to skip every job shifted past the next page.
      await later.queue.addBulk(Array.from({ length: 600 }, (_, i) => ({
        name: 'privacy.export', data: { request_id: randomUUID(), user_id: me.id }, opts: { delay: 3_600_000, jobId: `later-${me.id}-${i}` },
      })));
      const res = await request(rt.url, 'POST', '/api/privacy/erasure', { token: me.token, json: { password: me.password } });
      expect(res.status).toBe(202);
      await waitFor('erasure completed', async () => ((await db()('privacy_requests').where({ id: res.body.request.id }).first()).status === 'completed' || undefined), 30_000);
      const left = (await later.queue.getJobs(['delayed'], 0, -1)).filter((job) => job.data.user_id === me.id);
      expect(left).toHaveLength(0);
    } finally {
      await later.close();
    }
  });

  it('ends a subscription started after the erasure was asked for, and keeps it without the person', async () => {
    const me = await account(rt.url, 'user', 'paid-since');
    // The request committed, its block failed, and a plan was paid meanwhile.
    const [{ id }] = await db()('privacy_requests').insert({
      user_id: me.id, type: 'erasure', progress: JSON.stringify({ email_hash: 'x'.repeat(64), inventory: {} }),
    }).returning('id');
    const plan = await db()('plans').where({ code: 'pro' }).first('id', 'price_minor', 'currency');
    const [sub] = await db()('subscriptions').insert({
      user_id: me.id, plan_id: plan.id, status: 'active', provider: 'yookassa', price_minor: plan.price_minor, currency: plan.currency,
      payment_method_id: `pm-${randomUUID()}`, current_period_start: new Date(), current_period_end: new Date(Date.now() + 30 * 86_400_000), next_charge_at: new Date(Date.now() + 30 * 86_400_000),
    }).returning('id');
    await runJobNow(rt.t.prefix, 'privacy.erase', { request_id: id });
    expect(await db()('subscriptions').where({ id: sub.id }).first('user_id', 'status', 'payment_method_id', 'next_charge_at'))
      .toEqual({ user_id: null, status: 'canceled', payment_method_id: null, next_charge_at: null });
  });

  it('shuts the account when the erasure is asked again after its block failed', async () => {
    const me = await account(rt.url, 'user', 'reblock');
    // The request committed; the block that follows it did not (the database went away between).
    const [{ id }] = await db()('privacy_requests').insert({
      user_id: me.id, type: 'erasure', progress: JSON.stringify({ email_hash: 'x'.repeat(64), inventory: {} }),
    }).returning('id');
    expect((await request(rt.url, 'GET', '/api/auth/me', { token: me.token })).status).toBe(200);
    const again = await request(rt.url, 'POST', '/api/privacy/erasure', { token: me.token, json: { password: me.password } });
    expect([again.status, again.body.request.id]).toEqual([202, id]);
    expect((await request(rt.url, 'GET', '/api/auth/me', { token: me.token })).status).toBe(403);
  });

  it("cancels an erased requester's open reviews and gives the lawyer the slots back", async () => {
    const leaving = await account(rt.url, 'user', 'leaving-requester');
    const land = await lawyer(rt.url, 'land', { specializations: ['land'], capacity: 2 });
    const landSocket = await connect(rt.url, land.token);
    const slots = async () => (await db()('lawyer_profiles').where({ user_id: land.id }).first('active_reviews')).active_reviews;
    const ask = async (s: typeof leaving, question: string) =>
      (await requestReview(rt.url, s.token, (await answered(rt.url, s.token, question)).answerId, { specialization: 'land' })).body.review.id as string;
    // One review of an answer (gone with the chats) and one of a document (gone with the documents step).
    const onAnswer = await ask(leaving, 'Как оформить межевание земельного участка?');
    const doc = await settledDocument(rt.url, leaving.token, (await upload(rt.url, '/api/documents', leaving.token, { name: 'участок.txt', data: Buffer.from('Договор купли-продажи земельного участка.\n') })).body.document.id);
    const onDocument = (await request(rt.url, 'POST', `/api/reviews/documents/${doc.id}/request`, { token: leaving.token, json: { specialization: 'land' } })).body.review.id as string;
    for (const id of [onAnswer, onDocument]) await reviewWhen(rt.url, leaving.token, id, 'assigned', (r) => r.status === 'assigned' && r.lawyer?.id === land.id);
    expect((await request(rt.url, 'POST', `/api/reviews/${onAnswer}/accept`, { token: land.token })).status).toBe(200);
    expect(await slots()).toBe(2);

    const erased = await request(rt.url, 'POST', '/api/privacy/erasure', { token: leaving.token, json: { password: leaving.password } });
    expect(erased.status).toBe(202);
    await waitFor('erasure completed', async () => ((await db()('privacy_requests').where({ id: erased.body.request.id }).first()).status === 'completed' || undefined), 30_000);
    // Each ended as a cancel ends it, the lawyer told, then went with the account; the slots came back.
    for (const id of [onAnswer, onDocument]) {
      await waitFor(`review.updated cancelled: ${id}`, () => landSocket.of('review.updated').find((e) => e.review.id === id && e.review.status === 'cancelled'));
    }
    expect(await db()('lawyer_reviews').whereIn('id', [onAnswer, onDocument])).toEqual([]);
    expect(await slots()).toBe(0);
    const next = await account(rt.url, 'user', 'next-requester');
    for (const id of [await ask(next, 'Как выделить долю в земельном участке?'), await ask(next, 'Как оспорить кадастровую стоимость?')]) {
      await reviewWhen(rt.url, next.token, id, 'assigned to the freed lawyer', (r) => r.status === 'assigned' && r.lawyer?.id === land.id);
    }
    landSocket.close();
  });

  it("hands an erased lawyer's open reviews back to routing", async () => {
    const requester = await account(rt.url, 'user', 'needs-review');
    const leaving = await lawyer(rt.url, 'leaving', { specializations: ['tax'], capacity: 1 });
    const subject = await answered(rt.url, requester.token, 'Как получить налоговый вычет за лечение?');
    const id = (await requestReview(rt.url, requester.token, subject.answerId, { specialization: 'tax' })).body.review.id;
    await reviewWhen(rt.url, requester.token, id, 'assigned to the leaving lawyer', (r) => r.lawyer?.id === leaving.id);
    expect((await request(rt.url, 'POST', `/api/reviews/${id}/accept`, { token: leaving.token })).status).toBe(200);
    const erased = await request(rt.url, 'POST', '/api/privacy/erasure', { token: leaving.token, json: { password: leaving.password } });
    await waitFor('erasure completed', async () => ((await db()('privacy_requests').where({ id: erased.body.request.id }).first()).status === 'completed' || undefined), 30_000);
    expect(await reviewAs(rt.url, requester.token, id)).toMatchObject({ status: 'pending', lawyer: null });
    const next = await lawyer(rt.url, 'stays', { specializations: ['tax'], capacity: 1 });
    await reviewWhen(rt.url, requester.token, id, 'routed to another lawyer', (r) => r.status === 'assigned' && r.lawyer?.id === next.id);
  });
});
