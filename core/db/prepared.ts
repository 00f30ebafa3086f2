/**
 * The hot path's statements (a chat message's admission, masking, turn and answer, and the law
 * library's ranking) as named prepared statements: Postgres parses each once per connection
 * and, after a few runs, keeps a generic plan, where an unnamed statement is parsed and planned
 * on every call (about half of the server's time for the chat's statements, measured with
 * log_min_duration_statement; the planning of a ranking by common words took up to 40 ms).
 *
 * Where a connection does not keep its statements, Postgres refuses the call before running
 * anything, so it is sent again unnamed and this process stops naming:
 * - behind a transaction-mode PgBouncer without prepared-statement support (before 1.21, or
 *   max_prepared_statements = 0), the server connection may lack the statement (26000) or hold
 *   one of the same name prepared by another client (42P05);
 * - after a migration changed a table a kept plan returns rows of (0A000).
 * Not inside a transaction: there a refused statement aborts it, and nothing could be resent.
 * The name derives from the text, which must not take `??` (an identifier binding, which would
 * change the text under one name).
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

const NOT_KEPT = new Set(['26000', '42P05', '0A000']);
/** Statement texts are few (a handful of shapes each); the bound is a guard, not a cache policy. */
const MAX_NAMES = 500;

let naming = true;
const names = new Map<string, string>();

function nameOf(sql: string): string {
  let name = names.get(sql);
  if (!name) {
    if (names.size >= MAX_NAMES) names.clear();
    name = `q_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    names.set(sql, name);
  }
  return name;
}

/** `db.raw(sql, bindings)`, as a named prepared statement where the connection keeps one. */
export async function rawPrepared<T = { rows: Array<Record<string, unknown>> }>(db: Knex, sql: string, bindings: readonly Knex.RawBinding[]): Promise<T> {
  if (!naming || db.isTransaction || sql.includes('??')) return db.raw(sql, bindings) as unknown as Promise<T>;
  try {
    return (await db.raw(sql, bindings).options({ name: nameOf(sql) })) as T;
  } catch (err) {
    if (!NOT_KEPT.has((err as { code?: string }).code ?? '')) throw err;
    naming = false;
    return db.raw(sql, bindings) as unknown as Promise<T>;
  }
}

/** Whether statements are still sent named (false once a connection did not keep one). */
export function namingStatements(): boolean {
  return naming;
}
