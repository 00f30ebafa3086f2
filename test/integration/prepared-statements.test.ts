/**
 * The hot path's statements are named prepared statements, kept per connection; a connection
 * that lost one (what a transaction-mode PgBouncer without prepared-statement support does, by
 * handing the client another server connection) still answers: the call is sent again
 * unnamed, and the process stops naming; inside a transaction, the transaction runs again.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDb, type Db } from '../../core/db/knex.js';
import { namingStatements, rawPrepared } from '../../core/db/prepared.js';
import { testEnv } from '../helpers/env.js';

const t = testEnv('prepared');
let db: Db;
beforeAll(() => {
  // One connection: every statement below meets the statements the one before left.
  db = createDb({ database: { url: t.env.DATABASE_URL, schema: t.schema, poolMax: 1 }, dataDir: t.dataDir });
});
afterAll(async () => {
  await db?.destroy();
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

  it('are named inside a transaction too, and kept after it', async () => {
    await db.transaction(async (trx) => {
      expect((await rawPrepared(trx, 'SELECT ?::int * 2 AS twice', [4])).rows).toEqual([{ twice: 8 }]);
    });
    expect((await prepared()).map((p) => p.statement)).toContain('SELECT $1::int * 2 AS twice');
  });

  it('answer when the connection lost its statement, and are no longer named after', async () => {
    await db.raw('DEALLOCATE ALL');
    expect(namingStatements()).toBe(true);
    expect((await rawPrepared(db, SQL, [2, 3])).rows).toEqual([{ sum: 5 }]);
    expect(namingStatements()).toBe(false);
    expect((await rawPrepared(db, 'SELECT ?::int - 1 AS less', [2])).rows).toEqual([{ less: 1 }]);
    expect(await prepared()).toEqual([]);
  });

  it('run a transaction again, unnamed, when a statement in it was refused', async () => {
    // A fresh copy of the module: this file's other tests stopped its naming for good.
    vi.resetModules();
    const fresh = await import('../../core/db/prepared.js');
    const SUM = 'SELECT ?::int + ?::int + 0 AS sum';
    expect((await fresh.rawPrepared(db, SUM, [1, 1])).rows).toEqual([{ sum: 2 }]);
    await db.raw('DEALLOCATE ALL');
    let runs = 0;
    const sum = await fresh.transactionPrepared(db, async (trx) => {
      runs++;
      await trx.raw('SET LOCAL statement_timeout = 5000');
      return (await fresh.rawPrepared<{ rows: Array<{ sum: number }> }>(trx, SUM, [2, 3])).rows[0]!.sum;
    });
    expect([sum, runs, fresh.namingStatements()]).toEqual([5, 2, false]);
  });

  it('still fail on any other error', async () => {
    await expect(rawPrepared(db, 'SELECT ?::int / 0 AS never', [1])).rejects.toMatchObject({ code: '22012' });
  });
});
