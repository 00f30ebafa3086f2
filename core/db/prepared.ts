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
 * The name derives from the text: a text with `??` (an identifier binding) or a Raw, builder or
 * function binding, which knex writes into it, is not named.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

/** Refused before running: no such statement, one of that name exists, its plan outdated (0A000 with this message). */
const NOT_KEPT = new Set(['26000', '42P05']);
const OUTDATED_PLAN = /cached plan must not change result type/;
/**
 * Each connection keeps every statement it was given a name for: only the first MAX_NAMES texts
 * are named (the hot path has a few dozen shapes), any later one runs unnamed.
 */
const MAX_NAMES = 64;

let naming = true;
const names = new Map<string, string>();

function nameOf(sql: string): string | undefined {
  let name = names.get(sql);
  if (!name && names.size < MAX_NAMES) {
    name = `q_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    names.set(sql, name);
  }
  return name;
}

/** A knex Raw, query builder or function binding is written into the text: no stable name then. */
const inlined = (b: unknown) => typeof b === 'function' || (typeof b === 'object' && b !== null && 'toSQL' in b);

const notKept = (err: unknown) => {
  const { code, message } = err as { code?: string; message?: string };
  return NOT_KEPT.has(code ?? '') || (code === '0A000' && OUTDATED_PLAN.test(message ?? ''));
};

/** `db.raw(sql, bindings)`, as a named prepared statement where the connection keeps one. */
export async function rawPrepared<T = { rows: Array<Record<string, unknown>> }>(db: Knex, sql: string, bindings: readonly Knex.RawBinding[]): Promise<T> {
  const name = naming && !db.isTransaction && !sql.includes('??') && !bindings.some(inlined) ? nameOf(sql) : undefined;
  if (!name) return db.raw(sql, bindings) as unknown as Promise<T>;
  try {
    return (await db.raw(sql, bindings).options({ name })) as T;
  } catch (err) {
    if (!notKept(err)) throw err;
    naming = false;
    return db.raw(sql, bindings) as unknown as Promise<T>;
  }
}

/** Whether statements are still sent named (false once a connection did not keep one). */
export function namingStatements(): boolean {
  return naming;
}
