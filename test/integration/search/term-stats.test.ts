/**
 * The search's term weights come from the law library's frequencies, cached per process and
 * reset when an import lands. With `npm start` the import runs in the API's process: a search
 * that was waiting for its frequencies when the reset came must still answer (it once failed
 * with a 500 right after the first import), and what it looked up must not outlive the reset.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, type Db } from '../../../core/db/knex.js';
import { importLaws } from '../../../core/law/library.js';
import { planRanking, resetTermStats } from '../../../core/search/fulltext.js';
import { testEnv } from '../../helpers/env.js';

const QUESTION = 'права и свободы человека';
const t = testEnv('termstats');
let db: Db;

beforeAll(async () => {
  db = t.db(2);
  await migrate(db, t.schema);
  await importLaws(db, ['konst']);
}, 60_000);

afterAll(async () => {
  await db?.destroy();
  await t.cleanup();
});

/** Resets the statistics the moment the next frequency lookup is sent, as an import landing then would. */
function resetDuringLookup(): () => void {
  const onQuery = (q: Knex.Sql) => {
    if (!q.sql.includes('FROM law_terms')) return;
    db.off('query', onQuery);
    resetTermStats();
  };
  db.on('query', onQuery);
  return () => db.off('query', onQuery);
}

describe('term statistics', () => {
  it('weigh a question by the library even when an import resets them mid-lookup', async () => {
    resetTermStats();
    const stop = resetDuringLookup();
    const plan = await planRanking(db, QUESTION).finally(stop);
    expect(plan?.terms.map((term) => term.stem)).toEqual(['прав', 'свобод', 'человек']);
    for (const term of plan!.terms) expect(term.df, term.stem).toBeGreaterThan(0);

    // What that lookup found belonged to the library before the reset: the next search looks again.
    await db('law_terms').delete();
    const after = await planRanking(db, QUESTION);
    expect(after?.terms.map((term) => term.df)).toEqual([0, 0, 0]);
  });
});
