/**
 * The audit trail is a hash chain: concurrent writers keep one chain, the table refuses
 * UPDATE, DELETE and TRUNCATE, and `audit:verify` finds an altered, deleted or forged entry
 * (written by someone who bypassed the triggers) and names it.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../core/audit-verify.js';
import { createDb, migrate, type Db } from '../../core/db/knex.js';
import { testEnv, type TestEnv } from '../helpers/env.js';
import { TEST_DATABASE_URL } from '../helpers/services.js';
import { ROOT } from '../helpers/spawn.js';

const envs: TestEnv[] = [];
const dbs: Db[] = [];
afterAll(async () => {
  await Promise.all(dbs.map((db) => db.destroy()));
  await Promise.all(envs.map((t) => t.cleanup()));
});

/** A fresh schema with `n` audit entries written by parallel connections. */
async function chainOf(n: number) {
  const t = testEnv('auditchain');
  envs.push(t);
  const db = createDb({ database: { url: TEST_DATABASE_URL, schema: t.schema, poolMax: 8 }, dataDir: t.dataDir });
  dbs.push(db);
  await migrate(db, t.schema);
  await Promise.all(Array.from({ length: n }, (_, i) =>
    db('audit_logs').insert({ actor_id: randomUUID(), action: i % 2 ? 'auth.login' : 'documents.download', target_type: 'user', target_id: String(i), ip: '127.0.0.1', meta: { i } })));
  return { t, db };
}

/** Runs a statement as an intruder with database rights would: with the triggers off. */
async function tamper(db: Db, sql: string, bindings: unknown[] = []) {
  await db.transaction(async (trx) => {
    await trx.raw('SET LOCAL session_replication_role = replica');
    await trx.raw(sql, bindings as never);
  });
}

const cli = (t: TestEnv) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/cli.ts', 'audit:verify'], {
    cwd: ROOT, env: { ...t.env, DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: t.schema, REDIS_URL: 'redis://127.0.0.1:1' },
  }).then(({ stdout }) => ({ code: 0, out: stdout }), (err: { code: number; stderr: string }) => ({ code: err.code, out: err.stderr }));

describe('the audit chain', () => {
  it('stays one unbroken chain under 40 parallel writers, and refuses UPDATE, DELETE and TRUNCATE', async () => {
    const { t, db } = await chainOf(40);
    expect((await db('audit_logs').orderBy('seq').pluck('seq')).map(Number)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: 40 });
    await expect(db('audit_logs').where({ seq: 3 }).update({ action: 'x' })).rejects.toThrow(/append-only/);
    await expect(db('audit_logs').where({ seq: 3 }).delete()).rejects.toThrow(/append-only/);
    await expect(db.raw('TRUNCATE audit_logs')).rejects.toThrow(/append-only/);
    expect(await cli(t)).toEqual({ code: 0, out: 'audit chain intact: 40 entries\n' });
  }, 60_000);

  it('names an altered entry', async () => {
    const { t, db } = await chainOf(12);
    await tamper(db, `UPDATE audit_logs SET meta = '{"i": 99}' WHERE seq = 7`);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, seq: 7, entries: 6 });
    const run = await cli(t);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/audit chain broken at entry 7 .*altered or forged/);
  }, 60_000);

  it('names the entry after a deleted one, and an entry whose time was moved', async () => {
    const deleted = await chainOf(12);
    await tamper(deleted.db, 'DELETE FROM audit_logs WHERE seq = 5');
    expect(await verifyAuditChain(deleted.db)).toMatchObject({ ok: false, seq: 6, reason: expect.stringContaining('entry 5 is missing') });

    const moved = await chainOf(12);
    await tamper(moved.db, `UPDATE audit_logs SET created_at = created_at - interval '1 day' WHERE seq = 9`);
    expect(await verifyAuditChain(moved.db)).toMatchObject({ ok: false, seq: 9 });
  }, 60_000);

  it('names a forged entry, whether appended or slipped in with the rest renumbered', async () => {
    const appended = await chainOf(10);
    const last = await appended.db('audit_logs').where({ seq: 10 }).first('hash');
    await tamper(appended.db, `INSERT INTO audit_logs (action, meta, seq, prev_hash, hash) VALUES ('auth.login', '{}', 11, ?, ?)`, [last.hash, 'f'.repeat(64)]);
    expect(await verifyAuditChain(appended.db)).toMatchObject({ ok: false, seq: 11 });

    const slipped = await chainOf(10);
    const before = await slipped.db('audit_logs').where({ seq: 4 }).first('hash');
    await tamper(slipped.db, 'UPDATE audit_logs SET seq = seq + 100 WHERE seq > 4');
    await tamper(slipped.db, 'UPDATE audit_logs SET seq = seq - 99 WHERE seq > 100');
    await tamper(slipped.db, `INSERT INTO audit_logs (action, meta, seq, prev_hash, hash) VALUES ('auth.login', '{}', 5, ?, ?)`, [before.hash, 'e'.repeat(64)]);
    expect(await verifyAuditChain(slipped.db)).toMatchObject({ ok: false, seq: 5 });
  }, 60_000);
});
