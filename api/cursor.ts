/** Opaque keyset cursors: base64url JSON of the last row's sort key. A bad cursor is a 400. */
import type { Knex } from 'knex';
import { z } from 'zod';
import { problems } from './problem.js';

/**
 * The time is re-written in UTC from what JavaScript parsed: PostgreSQL holds neither year 0
 * nor offsets past ±15:59, and a cursor is only ever made by us from a real row.
 */
const cursorTime = z.iso.datetime({ offset: true }).transform((t, ctx) => {
  const at = new Date(t);
  const year = at.getUTCFullYear();
  if (Number.isNaN(at.getTime()) || year < 1 || year > 9999) {
    ctx.addIssue({ code: 'custom', message: 'time out of range' });
    return z.NEVER;
  }
  return at.toISOString();
});
const cursorSchema = z.object({ t: cursorTime, id: z.uuid() });
export type Cursor = z.infer<typeof cursorSchema>;

export const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

/** The `?cursor=` of a list request; none means the first page. */
export function decodeCursor(raw: string | undefined): Cursor | undefined {
  if (raw === undefined) return undefined;
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
  } catch {
    throw problems.badRequest('invalid cursor', 'validation_failed');
  }
}

/** The cursor that points just past `row` in (created_at, id) order. */
export const cursorOf = (row: { id: string; created_at: Date }): Cursor => ({ t: new Date(row.created_at).toISOString(), id: row.id });

/** An objection or knex query whose rows carry `id` and `created_at` unambiguously. */
interface KeysetQuery<R> extends PromiseLike<R[]> {
  orderBy(columns: Array<{ column: string; order: 'asc' | 'desc' }>): unknown;
  limit(n: number): unknown;
  whereRaw(sql: string, bindings: readonly Knex.RawBinding[]): unknown;
  clone(): unknown;
}

/** A knex builder for `query` (an objection builder turns into its knex query). */
const asKnex = (query: unknown) => (typeof query === 'object' && query !== null && 'toKnexQuery' in query ? (query as { toKnexQuery(): unknown }).toKnexQuery() : query) as Knex.QueryBuilder;

/**
 * One keyset page of `query` in (created_at, id) order: fetches one row more than `limit`
 * to learn whether a next page exists, and answers the contract's `{items, next_cursor}`.
 */
export async function keysetPage<R extends { id: string; created_at: Date }>(
  query: KeysetQuery<R>,
  page: { limit: number; after?: Cursor; order: 'asc' | 'desc' },
): Promise<{ items: R[]; next_cursor: string | null }> {
  const { limit, after, order } = page;
  // The cursor's time has JavaScript's milliseconds, a row's Postgres's microseconds: the
  // cursor's row is compared by its own stored time, looked up among the rows this very list
  // may show (a cursor naming another's row learns nothing of it), the cursor's time else.
  if (after) {
    const shown = asKnex(query.clone());
    query.whereRaw(`(created_at, id) ${order === 'asc' ? '>' : '<'} (coalesce((SELECT k.created_at FROM ? AS k WHERE k.id = ?), ?), ?)`, [shown, after.id, after.t, after.id]);
  }
  query.orderBy([{ column: 'created_at', order }, { column: 'id', order }]);
  query.limit(limit + 1);
  const rows = await query;
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next_cursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null };
}
