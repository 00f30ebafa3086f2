/**
 * The owner of the embedded database shares PGlite's one backend session between its own
 * knex connection and the clients on its socket: none lands inside another's transaction.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../core/db/knex.js';
import { serveSocket } from '../../core/db/pglite-socket.js';
import { Turns } from '../../core/db/turns.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pglite-sessions-'));
let db: Db;
const clients: pg.Client[] = [];

async function client(host = dir): Promise<pg.Client> {
  const c = new pg.Client({ host, port: 5432, user: 'postgres', database: 'postgres' });
  c.on('error', () => undefined);
  await c.connect();
  clients.push(c);
  return c;
}

const rows = async () => (await db('t').orderBy('n').pluck('n')) as number[];
/** Whether a promise is still pending after other work had time to run. */
const pending = (p: Promise<unknown>) => Promise.race([p.then(() => false), new Promise((r) => setTimeout(r, 300, true))]);

beforeAll(async () => {
  db = createDb({ database: { poolMax: 1 }, dataDir: dir }, 'test');
  await db.raw('CREATE TABLE t (n int)');
}, 60_000);

beforeEach(async () => {
  await db('t').delete();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  await db.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('embedded database sessions', () => {
  it('answers the rows a delete or an update touched as a number, as on Postgres', async () => {
    await db('t').insert([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(await db('t').where('n', '>', 1).update({ n: 9 })).toBe(2);
    expect(await db('t').where({ n: 9 }).delete()).toBe(2);
    expect(await db('t').where({ n: 9 }).del()).toBe(0);
    expect(await db('t').where({ n: 1 }).delete().returning('n')).toEqual([{ n: 1 }]);
  });

  it('holds the owner back while a client transaction is open, and keeps its write out of it', async () => {
    const a = await client();
    await a.query('BEGIN');
    await a.query('INSERT INTO t VALUES ($1)', [1]);
    // A knex builder runs again on every then(): make it one promise.
    const ownerWrite = Promise.resolve(db('t').insert({ n: 2 }));
    expect(await pending(ownerWrite)).toBe(true);
    await a.query('ROLLBACK');
    await ownerWrite;
    expect(await rows()).toEqual([2]);
  });

  it('holds a client back while an owner transaction is open, and keeps its write out of it', async () => {
    const b = await client();
    let clientWrite: Promise<unknown> | undefined;
    await db
      .transaction(async (trx) => {
        await trx('t').insert({ n: 3 });
        clientWrite = b.query('INSERT INTO t VALUES ($1)', [4]);
        expect(await pending(clientWrite)).toBe(true);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await clientWrite;
    expect(await rows()).toEqual([4]);
  });

  it('rolls back a client that disconnects mid-transaction and lets the others on', async () => {
    const gone = await client();
    await gone.query('BEGIN');
    await gone.query('INSERT INTO t VALUES (5)');
    const ownerRead = rows();
    (gone as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    expect(await ownerRead).toEqual([]);
    const other = await client();
    expect((await other.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 0 }]);
  });

  it('gives every session its own answers when parameterised queries interleave', async () => {
    const [a, b] = [await client(), await client()];
    const ask = (who: string, i: number) => {
      const v = `${who}${i}`;
      const q =
        who === 'owner'
          ? db.raw('SELECT ?::text AS v', [v]).then((r: { rows: Array<{ v: string }> }) => r.rows[0]!.v)
          : (who === 'a' ? a : b).query('SELECT $1::text AS v', [v]).then((r) => r.rows[0].v as string);
      return q.then((got) => [v, got]);
    };
    const answers = await Promise.all(['owner', 'a', 'b'].flatMap((who) => Array.from({ length: 30 }, (_, i) => ask(who, i))));
    for (const [sent, got] of answers) expect(got).toBe(sent);
  });
});

describe('a client idle inside a transaction', () => {
  it('is disconnected and rolled back after the idle limit, so the others go on', async () => {
    const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pglite-idle-'));
    const memory = await PGlite.create();
    const server = await serveSocket(memory, new Turns(), socketDir, 300);
    try {
      const idle = await client(socketDir);
      const closed = new Promise((resolve) => idle.once('end', resolve));
      await idle.query('CREATE TABLE u (n int)');
      await idle.query('BEGIN');
      await idle.query('INSERT INTO u VALUES (1)');
      const other = await client(socketDir);
      expect((await other.query('SELECT count(*)::int AS n FROM u')).rows).toEqual([{ n: 0 }]);
      await closed;
    } finally {
      await server.close();
      await memory.close();
      fs.rmSync(socketDir, { recursive: true, force: true });
    }
  });
});
