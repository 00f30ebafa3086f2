/** Row counts of every table of a test schema and the newest user update: any write shows up. */
import { Model } from 'objection';

/**
 * One statement (the hostile-input and fuzz tests take it twice per request): each table's
 * count through query_to_xml, which runs a query built per row of pg_tables.
 */
export async function dbFingerprint(schema: string): Promise<string> {
  const { rows } = (await Model.knex().raw(
    `SELECT tablename, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I', schemaname, tablename), false, true, '')))[1]::text AS count,
       (SELECT max(updated_at) FROM users) AS newest
     FROM pg_tables WHERE schemaname = ? ORDER BY tablename COLLATE "C"`,
    [schema],
  )) as { rows: Array<{ tablename: string; count: string; newest: Date | null }> };
  return `${rows.map((r) => `${r.tablename}:${r.count}`).join(',')}|${String(rows[0]?.newest ?? null)}`;
}
