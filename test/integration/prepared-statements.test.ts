/**
 * The hot path's statements are named prepared statements, kept per connection; a connection
 * that lost one (what a transaction-mode PgBouncer without prepared-statement support does, by
 * handing the client another server connection) still answers: the call is sent again
 * unnamed, and the process stops naming.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { namingStatements, rawPrepared } from '../../core/db/prepared.js';
import { testEnv } from '../helpers/env.js';

const t = testEnv('prepared');
// One connection: every statement below meets the statements the one before left.
const db = t.db(1);
afterAll(async () => {
  await db.destroy();
  await t.cleanup();
});

const SQL = 'SELECT ?::int + ?::int AS sum';
const prepared = async () => (await db.raw('SELECT name, statement FROM pg_prepared_statements')).rows as Array<{ name: string; statement: string }>;

describe('prepared statements of the hot path', () => {
  it('are prepared once per connection and reused', async () => {
    for (let i = 0; i < 3; i++) expect((await rawPrepared(db, SQL, [i, 1])).rows).toEqual([{ sum: i + 1 }]);
    const kept = await prepared();
    expect(kept).toEqual([{ name: expect.stringMatching(/^q_/), statement: 'SELECT $1::int + $2::int AS sum' }]);
  });

  it('are never named inside a transaction', async () => {
    await db.transaction(async (trx) => {
      expect((await rawPrepared(trx, 'SELECT ?::int * 2 AS twice', [4])).rows).toEqual([{ twice: 8 }]);
    });
    expect((await prepared()).map((p) => p.statement)).not.toContain('SELECT $1::int * 2 AS twice');
  });

  it('name only the first 64 texts, and never one knex writes a binding into', async () => {
    // A fresh copy of the module: its count of names starts at zero.
    vi.resetModules();
    const fresh = await import('../../core/db/prepared.js');
    await db.raw('DEALLOCATE ALL');
    for (let i = 0; i < 70; i++) expect((await fresh.rawPrepared(db, `SELECT ?::int + ${i} AS n`, [1])).rows).toEqual([{ n: i + 1 }]);
    expect((await fresh.rawPrepared(db, 'SELECT ? AS inlined', [db.raw('2 + 2')])).rows).toEqual([{ inlined: 4 }]);
    const kept = await prepared();
    expect(kept).toHaveLength(64);
    expect(kept.map((p) => p.statement)).not.toContain('SELECT $1::int + 64 AS n');
    expect(fresh.namingStatements()).toBe(true);
  });

  it('answer when the connection lost its statement, and are no longer named after', async () => {
    await db.raw('DEALLOCATE ALL');
    expect(namingStatements()).toBe(true);
    expect((await rawPrepared(db, SQL, [2, 3])).rows).toEqual([{ sum: 5 }]);
    expect(namingStatements()).toBe(false);
    expect((await rawPrepared(db, 'SELECT ?::int - 1 AS less', [2])).rows).toEqual([{ less: 1 }]);
    expect(await prepared()).toEqual([]);
  });

  it('still fail on any other error', async () => {
    await expect(rawPrepared(db, 'SELECT ?::int / 0 AS never', [1])).rejects.toMatchObject({ code: '22012' });
  });
});
