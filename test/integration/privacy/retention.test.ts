/**
 * Retention and the audit trail's evidence. `privacy.retention` deletes exactly what outlived
 * its period (chats untouched for RETENTION_DAYS_CHATS with their messages and PII vaults,
 * spent or expired refresh tokens, expired exports' archives, day-old idempotency keys) and
 * copies audit months older than a year to signed archive files without deleting a row.
 * `privacy.audit-digest` signs the chain's head, and `audit:verify` uses it to catch what the
 * chain alone cannot: its newest entries removed, or the chain rewritten after it was signed.
 */
 
import { execFile } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Model } from 'objection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestKey } from '../../../core/audit-archive.js';
import { verifyAuditChain } from '../../../core/audit-verify.js';
import { derivedKey } from '../../../core/privacy/keys.js';
import { applyRetention } from '../../../core/privacy/retention.js';
import { createLocalStorage } from '../../../core/storage/local.js';
import { ask, storedReply, waitFor } from '../../e2e/chat/harness.js';
import { registerUser, request } from '../../helpers/http.js';
import { runJobNow } from '../../helpers/jobs.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { ROOT } from '../../helpers/spawn.js';

let rt: TestRuntime;
const db = () => Model.knex();

beforeAll(async () => {
  rt = await startTestRuntime('retention', { env: { RETENTION_DAYS_CHATS: '30', AI_CACHE_TTL_SECONDS: '0' } });
});

afterAll(async () => {
  await rt?.close();
});

/** Runs a `privacy` job now, as its scheduler would, and waits until a worker has finished it. */
const runPrivacyJob = (name: 'privacy.retention' | 'privacy.audit-digest', data: Record<string, unknown> = {}) => runJobNow(rt.t.prefix, name, data);

const files = (key: string) => path.join(rt.t.dataDir, 'files', key);
const auditCount = async () => Number((await db()('audit_logs').count({ n: '*' }))[0]!.n);
/** The master key the runtime generated into DATA_DIR (the test env sets no ENCRYPTION_KEY). */
const masterKey = () => Buffer.from(JSON.parse(fs.readFileSync(path.join(rt.t.dataDir, 'secrets.json'), 'utf8')).encryption_key, 'base64');
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

const cli = () =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/cli.ts', 'audit:verify'], {
    cwd: ROOT, env: { ...rt.t.env, REDIS_URL: 'redis://127.0.0.1:1' },
  }).then(({ stdout }) => ({ code: 0, out: stdout }), (err: { code: number; stderr: string }) => ({ code: err.code, out: err.stderr }));

/** Runs statements as an intruder with database rights would: with the triggers off. */
async function tamper(sql: string, bindings: unknown[] = []) {
  await db().transaction(async (trx) => {
    await trx.raw('SET LOCAL session_replication_role = replica');
    await trx.raw(sql, bindings as never);
  });
}

async function chatWithMessages(token: string, title: string): Promise<string> {
  const res = await request(rt.url, 'POST', '/api/chats', { token, json: { title } });
  expect(res.status).toBe(201);
  const asked = await ask(rt.url, token, res.body.id, 'Меня зовут Ковалёва Дарина Игоревна, мой телефон +7 916 777-88-99. Как расторгнуть договор аренды?');
  await storedReply(rt.url, token, res.body.id, asked.reply.id);
  return res.body.id;
}

async function readyExport(token: string): Promise<string> {
  const started = await request(rt.url, 'POST', '/api/privacy/export', { token });
  expect(started.status).toBe(202);
  const id = started.body.request.id as string;
  await waitFor('export ready', async () => {
    const res = await request(rt.url, 'GET', `/api/privacy/requests/${id}`, { token });
    if (res.body.request?.status === 'failed') throw new Error(`export failed: ${JSON.stringify(res.body.request.error)}`);
    return res.body.request?.status === 'ready' ? true : undefined;
  }, 30_000);
  return id;
}

describe('privacy.retention', () => {
  it('deletes exactly what outlived its period, and no audit entry', async () => {
    const me = await registerUser(rt.url, 'retention');
    const other = await registerUser(rt.url, 'retention-other');
    const title = 'Аренда: Ковалёва Дарина, +7 916 777-88-99';
    const aged = [await chatWithMessages(me.token, title), await chatWithMessages(me.token, title)];
    const youngish = await chatWithMessages(me.token, title);
    const fresh = await chatWithMessages(me.token, title);
    const all = [...aged, youngish, fresh];
    await db()('chats').whereIn('id', aged).update({ updated_at: daysAgo(40) });
    await db()('chats').where({ id: youngish }).update({ updated_at: daysAgo(20) });
    // What the aged chats hold, so their absence afterwards means something.
    expect(await db()('pii_vaults').where({ scope_type: 'chat' }).whereIn('scope_id', all).pluck('scope_id')).toHaveLength(4);
    expect(await db()('messages').whereIn('chat_id', aged).pluck('id')).toHaveLength(4);

    const token = (fields: Record<string, unknown>) => ({ id: randomUUID(), user_id: me.id, family_id: randomUUID(), token_hash: randomBytes(32).toString('hex'), ...fields });
    const spentLongAgo = token({ expires_at: daysAgo(-10), used_at: daysAgo(40) });
    const revokedLongAgo = token({ expires_at: daysAgo(-10), revoked_at: daysAgo(31) });
    const expired = token({ expires_at: daysAgo(1) });
    const spentRecently = token({ expires_at: daysAgo(-10), used_at: daysAgo(1) });
    await db()('refresh_tokens').insert([spentLongAgo, revokedLongAgo, expired, spentRecently]);
    const liveTokens = await db()('refresh_tokens').whereIn('user_id', [me.id, other.id]).whereNull('used_at').whereNull('revoked_at').where('expires_at', '>', new Date()).pluck('id');
    expect(liveTokens).toHaveLength(2); // the two sign-ups' sessions

    const expiredExport = await readyExport(me.token);
    const liveExport = await readyExport(other.token);
    const expiredKey = (await db()('privacy_requests').where({ id: expiredExport }).first()).storage_key as string;
    const liveKey = (await db()('privacy_requests').where({ id: liveExport }).first()).storage_key as string;
    expect(fs.existsSync(files(expiredKey))).toBe(true);
    expect(fs.existsSync(files(liveKey))).toBe(true);
    await db()('privacy_requests').where({ id: expiredExport }).update({ expires_at: daysAgo(1) });

    await db()('idempotency_keys').insert([
      { user_id: me.id, key: 'old-key', request_hash: 'h1', status_code: 202, created_at: new Date(Date.now() - 25 * 3_600_000) },
      { user_id: me.id, key: 'new-key', request_hash: 'h2', status_code: 202, created_at: new Date(Date.now() - 23 * 3_600_000) },
    ]);
    const auditBefore = await auditCount();

    const result = await runPrivacyJob('privacy.retention');
    expect(result).toEqual({ chats: 2, refresh_tokens: 3, exports: 1, idempotency_keys: 1, archived: [] });

    expect((await db()('chats').whereIn('id', all).pluck('id')).sort()).toEqual([youngish, fresh].sort());
    expect(await db()('messages').whereIn('chat_id', aged)).toHaveLength(0);
    expect(await db()('messages').whereIn('chat_id', [youngish, fresh])).toHaveLength(4);
    expect((await db()('pii_vaults').where({ scope_type: 'chat' }).whereIn('scope_id', all).pluck('scope_id')).sort()).toEqual([youngish, fresh].sort());
    for (const id of aged) expect((await request(rt.url, 'GET', `/api/chats/${id}/messages`, { token: me.token })).status).toBe(404);
    expect((await request(rt.url, 'GET', `/api/chats/${fresh}/messages`, { token: me.token })).status).toBe(200);

    const tokensLeft = await db()('refresh_tokens').whereIn('id', [spentLongAgo.id, revokedLongAgo.id, expired.id, spentRecently.id, ...liveTokens]).pluck('id');
    expect(tokensLeft.sort()).toEqual([spentRecently.id, ...liveTokens].sort());

    expect(fs.existsSync(files(expiredKey))).toBe(false);
    expect(await db()('privacy_requests').where({ id: expiredExport }).first()).toMatchObject({ storage_key: null, sealed_key: null });
    expect((await request(rt.url, 'GET', `/api/privacy/requests/${expiredExport}/download`, { token: me.token })).status).toBe(404);
    expect(fs.existsSync(files(liveKey))).toBe(true);
    expect((await request(rt.url, 'GET', `/api/privacy/requests/${liveExport}/download`, { token: other.token })).status).toBe(200);

    expect(await db()('idempotency_keys').where({ user_id: me.id }).orderBy('key').pluck('key')).toEqual(['new-key']);
    expect(await auditCount()).toBeGreaterThanOrEqual(auditBefore);
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true });
  }, 120_000);
});

describe('privacy.retention racing a review', () => {
  it('keeps an old chat whose answer was sent for review while the retention ran', async () => {
    const user = await registerUser(rt.url, 'late-review');
    const chatId = await chatWithMessages(user.token, 'Давний чат');
    await db()('chats').where({ id: chatId }).update({ updated_at: daysAgo(40) });
    const answer = await db()('messages').where({ chat_id: chatId, sender: 'assistant' }).first('id');
    // A review being requested, as requestReview does it: the chat held, the review not yet committed.
    const trx = await db().transaction();
    try {
      await trx('chats').where({ id: chatId }).forKeyShare().first('id');
      await trx('lawyer_reviews').insert({ requester_id: user.id, subject_type: 'message', message_id: answer.id, urgency: 'standard', resolution_due: new Date(Date.now() + 86_400_000) });
      const retention = applyRetention({ db: db(), storage: createLocalStorage(path.join(rt.t.dataDir, 'files')) }, 30);
      // The retention listed the chat (the review is not visible yet) and waits for the chat's row.
      await waitFor('the retention to wait for the chat', async () => Number((await db().raw(
        `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%"chats"%'`,
      )).rows[0].n) > 0 || undefined, 10_000);
      await trx.commit();
      await retention;
    } finally {
      if (!trx.isCompleted()) await trx.rollback();
    }
    expect(await db()('chats').where({ id: chatId })).toHaveLength(1);
    expect(await db()('lawyer_reviews').where({ message_id: answer.id })).toHaveLength(1);
  });
});

describe('audit archive', () => {
  it('copies months older than a year to signed files once, and deletes no row', async () => {
    // Entries backdated through the ordinary path: the chain trigger keeps an explicit created_at.
    const old: Array<{ id: string; seq: string; month: string }> = [];
    for (const [months, n] of [[15, 2], [14, 3]] as const) {
      for (let i = 0; i < n; i++) {
        const [{ id }] = await db()('audit_logs')
          .insert({ action: 'auth.login', target_type: 'user', target_id: `old-${months}-${i}`, meta: { months, i }, created_at: db().raw(`date_trunc('month', now() - make_interval(months => ?)) + interval '10 days'`, [months]) })
          .returning('id');
        old.push(await db()('audit_logs').where({ id }).first('id', 'seq', db().raw(`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month`)));
      }
    }
    const months = [...new Set(old.map((r) => r.month))];
    expect(months).toHaveLength(2);
    const countBefore = await auditCount();
    const idsBefore = await db()('audit_logs').pluck('id');

    expect((await runPrivacyJob('privacy.retention')).archived).toEqual(months);
    const master = masterKey();
    const mtimes: number[] = [];
    for (const month of months) {
      const key = `audit/archive/${month}.jsonl`;
      const body = fs.readFileSync(files(key), 'utf8');
      const rows = body.split('\n').map((l) => JSON.parse(l));
      expect(rows.map((r) => Number(r.seq))).toEqual(old.filter((r) => r.month === month).map((r) => Number(r.seq)));
      expect(rows.map((r) => r.id)).toEqual(old.filter((r) => r.month === month).map((r) => r.id));
      const sig = fs.readFileSync(files(`${key}.sig`), 'utf8');
      expect(sig).toBe(createHmac('sha256', derivedKey(master, 'audit-digest')).update(body).digest('hex'));
      mtimes.push(fs.statSync(files(key)).mtimeMs, fs.statSync(files(`${key}.sig`)).mtimeMs);
    }

    // A second run finds both months archived and writes nothing.
    expect((await runPrivacyJob('privacy.retention')).archived).toEqual([]);
    expect(months.flatMap((m) => [`audit/archive/${m}.jsonl`, `audit/archive/${m}.jsonl.sig`].map((k) => fs.statSync(files(k)).mtimeMs))).toEqual(mtimes);
    expect(fs.readdirSync(files('audit/archive')).sort()).toEqual(months.flatMap((m) => [`${m}.jsonl`, `${m}.jsonl.sig`]).sort());

    expect(await auditCount()).toBeGreaterThanOrEqual(countBefore);
    const idsAfter = new Set(await db()('audit_logs').pluck('id'));
    expect(idsBefore.filter((id) => !idsAfter.has(id))).toEqual([]);
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true });
  }, 60_000);
});

describe('audit digest and audit:verify', () => {
  // Runs last in this file: it removes and rewrites audit entries.
  it('checks the chain against the newest signed digest: forged, rewritten and truncated are each named', async () => {
    // Only yesterday's digest: found by looking back.
    const yesterday = daysAgo(1).toISOString().slice(0, 10);
    const older = await runPrivacyJob('privacy.audit-digest', { day: yesterday });
    expect(older).toMatchObject({ day: yesterday, last_seq: expect.any(Number) });
    const entries = (await verifyAuditChain(db())).entries;
    expect(await cli()).toEqual({ code: 0, out: `audit chain intact: ${entries} entries; digest of ${yesterday} matches\n` });

    // Today's digest is preferred to yesterday's.
    await registerUser(rt.url, 'digest'); // one more audited event after yesterday's digest
    const digest = await runPrivacyJob('privacy.audit-digest');
    const today = digest.day as string;
    expect(today).toBe(new Date().toISOString().slice(0, 10));
    const head = await db()('audit_logs').orderBy('seq', 'desc').first('seq', 'hash');
    expect(digest).toMatchObject({ last_seq: Number(head.seq), entries: Number(head.seq), last_hash: head.hash });
    expect(digest.last_seq).toBeGreaterThan(older.last_seq);
    let run = await cli();
    expect(run).toEqual({ code: 0, out: `audit chain intact: ${digest.last_seq} entries; digest of ${today} matches\n` });

    // Forged: another head written into the file, with the old signature.
    const file = files(digestKey(today));
    const original = fs.readFileSync(file);
    const stored = JSON.parse(original.toString('utf8'));
    fs.writeFileSync(file, JSON.stringify({ digest: { ...stored.digest, last_hash: 'a'.repeat(64) }, signature: stored.signature }));
    run = await cli();
    expect(run.code).toBe(1);
    expect(run.out).toBe(`error: audit digest of ${today} does not verify: its signature does not match its content (forged, altered, or signed with another ENCRYPTION_KEY)\n`);
    fs.writeFileSync(file, original);
    expect((await cli()).code).toBe(0);

    // Rewritten: the newest two entries removed and two others appended in their place; the
    // chain checks out and is as long as signed, but its head is not the signed one.
    await tamper('DELETE FROM audit_logs WHERE seq > ?', [digest.last_seq - 2]);
    await db()('audit_logs').insert([{ action: 'auth.login', meta: { forged: 1 } }, { action: 'auth.login', meta: { forged: 2 } }]);
    expect(await verifyAuditChain(db())).toEqual({ ok: true, entries: digest.last_seq });
    run = await cli();
    expect(run.code).toBe(1);
    expect(run.out).toBe(`error: audit chain does not match the digest of ${today}: entry ${digest.last_seq} has another hash than the one signed (the chain was rewritten)\n`);

    // Truncated: signed again, then the newest two entries removed; the chain alone still checks out.
    const resigned = await runPrivacyJob('privacy.audit-digest');
    expect((await cli()).code).toBe(0);
    await tamper('DELETE FROM audit_logs WHERE seq > ?', [resigned.last_seq - 2]);
    expect(await verifyAuditChain(db())).toEqual({ ok: true, entries: resigned.last_seq - 2 });
    run = await cli();
    expect(run.code).toBe(1);
    expect(run.out).toBe(`error: audit chain truncated: the digest of ${today} records ${resigned.last_seq} entries, the chain has ${resigned.last_seq - 2}; the newest 2 were removed\n`);
  }, 120_000);
});
