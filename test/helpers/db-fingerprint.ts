/** Row counts of every table of a test schema and the newest user update: any write shows up. */
import { Model } from 'objection';

export async function dbFingerprint(schema: string): Promise<string> {
  const knex = Model.knex();
  const tables = (await knex('pg_tables').select('tablename').where({ schemaname: schema })) as Array<{ tablename: string }>;
  const parts: string[] = [];
  for (const { tablename } of tables.sort((a, b) => a.tablename.localeCompare(b.tablename))) {
    const rows = (await knex(tablename).count('* as count')) as Array<{ count: number }>;
    parts.push(`${tablename}:${rows[0]!.count}`);
  }
  const newest = (await knex('users').max('updated_at as max')) as Array<{ max: Date }>;
  return `${parts.join(',')}|${String(newest[0]!.max)}`;
}
